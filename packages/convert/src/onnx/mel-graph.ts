/**
 * Whisper's log-mel spectrogram as an ONNX graph (the same steps as openai-whisper's
 * `log_mel_spectrogram`): reflect padding of 200, STFT with a periodic Hann window of 400 and hop
 * 160 (a Conv over DFT kernels), |X|², the last frame dropped, the mel filterbank, log10 clamped at 1e-10, the dynamic range
 * limited to 8 below each item's maximum, (x + 4) / 4. Audio [B, N] → log-mel [B, n_mels, frames].
 */
import { melFiltersPath, HOP_LENGTH, N_FFT } from "@whisperx-mlx/core";
import { readNpyFloat32 } from "../readers/npy.js";
import { GraphBuilder } from "./graph-builder.js";

/** The log-mel graph for `nMels` (80 or 128) filters. */
export function logMelGraph(nMels: number): GraphBuilder {
  const g = new GraphBuilder("whisper_log_mel");
  const audio = g.input("audio", { type: "float32", shape: ["batch", "samples"] });
  const half = N_FFT / 2;
  const padded = g.op("Pad", [audio, g.constInt([0, half, 0, half])], { mode: "reflect" });
  // The windowed DFT as a strided Conv whose 2 × 201 kernels are Hann·cos and −Hann·sin rows
  // (computed in double): one GEMM, float32 accumulation, no STFT kernel precision surprises.
  const bins = half + 1;
  const basis = new Float32Array(2 * bins * N_FFT);
  for (let k = 0; k < bins; k++) {
    for (let n = 0; n < N_FFT; n++) {
      const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / N_FFT);
      const a = (2 * Math.PI * k * n) / N_FFT;
      basis[k * N_FFT + n] = w * Math.cos(a);
      basis[(bins + k) * N_FFT + n] = -w * Math.sin(a);
    }
  }
  const spec = g.op("Conv", [g.op("Unsqueeze", [padded, g.constInt([1])]), g.constFloat(basis, [2 * bins, 1, N_FFT])], { kernel_shape: [N_FFT], strides: [HOP_LENGTH] });
  // [B, 402, frames] → power [B, 201, frames − 1] (the last frame is dropped, as Whisper does).
  const re = g.op("Slice", [spec, g.constInt([0, 0]), g.constInt([bins, -1]), g.constInt([1, 2])]);
  const im = g.op("Slice", [spec, g.constInt([bins, 0]), g.constInt([2 * bins, -1]), g.constInt([1, 2])]);
  const power = g.op("Add", [g.op("Mul", [re, re]), g.op("Mul", [im, im])]);
  const f = readNpyFloat32(melFiltersPath(nMels));
  if (f.shape[0] !== nMels || f.shape[1] !== bins) throw new Error(`mel filters: expected ${nMels}×${bins}, got ${f.shape.join("×")}`);
  const mel = g.op("MatMul", [g.constFloat(f.data, [nMels, bins]), power]);
  const log10 = g.op("Div", [g.op("Log", [g.op("Max", [mel, g.constFloat([1e-10], [])])]), g.constFloat([Math.LN10], [])]);
  const floor = g.op("Sub", [g.op("ReduceMax", [log10], { axes: [1, 2], keepdims: 1 }), g.constFloat([8], [])]);
  const scaled = g.op("Div", [g.op("Add", [g.op("Max", [log10, floor]), g.constFloat([4], [])]), g.constFloat([4], [])]);
  g.output(scaled, "log_mel", { type: "float32", shape: ["batch", nMels, "frames"] });
  Object.assign(g.metadata, { "whisperx-mlx:graph": "whisper-log-mel" });
  return g;
}
