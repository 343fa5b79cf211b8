/**
 * Silero VAD v5/v6 (16 kHz) as one batched ONNX graph, from the weights `pnpm convert silero-vad`
 * writes (MLX conv layout [out, kernel, in]). silero-vad's own ONNX model runs one 512-sample
 * window per call; here every window of a block goes through the STFT conv, the magnitude and the
 * four encoder convs at once, the LSTM runs over the block as a sequence (ONNX `LSTM`), and the
 * recurrent state comes in and goes out so consecutive blocks continue one stream.
 *
 * Inputs: `frames` [windows, 640] (64 context samples ‖ 512 new ones, as `OnnxWrapper` builds
 * them, ‖ the 64-sample reflection its STFT pads with), `h0`, `c0` [1, 1, 128]. Outputs:
 * `probs` [windows], `hn`, `cn`. The convolutions run as MatMuls over channels-last tensors.
 */
import type { HostTensor } from "../tensor.js";
import { toFloat32 } from "../tensor.js";
import { GraphBuilder } from "./graph-builder.js";
import { get, lstmGatesToOnnx, type Weights } from "./layers.js";

/** The converted model's `config.json` fields the graph needs. */
export interface SileroGraphConfig {
  window_size_samples: number;
  context_size_samples: number;
  hidden_size: number;
  stft_hop: number;
}

function f32(data: Float32Array, shape: number[]): HostTensor {
  return { dtype: "float32", shape, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/**
 * A conv1d (MLX weight [out, kernel, in]) over x [windows, T, in] as one MatMul: the kernel's
 * shifted (strided) slices of the zero-padded input side by side [windows, T', kernel·in], times
 * the weight as [kernel·in, out]. ONNX Runtime's Conv runs thousands of tiny per-window GEMMs
 * here (270 ms for 4096 windows); this is one large GEMM.
 */
function conv1d(g: GraphBuilder, x: string, t: number, w: HostTensor, bias: HostTensor | undefined, name: string, stride: number, pad: number): { y: string; t: number } {
  const [o, k, i] = w.shape;
  const src = toFloat32(w);
  const m = new Float32Array(k * i * o);
  for (let a = 0; a < o; a++) for (let b = 0; b < k; b++) for (let c = 0; c < i; c++) m[(b * i + c) * o + a] = src[(a * k + b) * i + c];
  const padded = pad ? g.op("Pad", [x, g.constInt([0, pad, 0, 0, pad, 0])]) : x;
  const tOut = Math.floor((t + 2 * pad - k) / stride) + 1;
  const taps = k === 1 && stride === 1 ? [padded] : Array.from({ length: k }, (_, b) => g.op("Slice", [padded, g.constInt([b]), g.constInt([b + stride * (tOut - 1) + 1]), g.constInt([1]), g.constInt([stride])]));
  let y = g.op("MatMul", [k > 1 ? g.op("Concat", taps, { axis: 2 }) : taps[0], g.initializer(`${name}.matrix`, f32(m, [k * i, o]))]);
  if (bias) y = g.op("Add", [y, g.initializer(`${name}.bias`, bias)]);
  return { y, t: tOut };
}

/** The batched Silero graph. */
export function sileroGraph(config: SileroGraphConfig, w: Weights): GraphBuilder {
  const g = new GraphBuilder("silero_vad_batched");
  const ctx = config.context_size_samples;
  const hop = config.stft_hop;
  const H = config.hidden_size;
  const width = 2 * ctx + config.window_size_samples;
  if (width % hop !== 0) throw new Error(`Silero graph: frames of ${width} samples are not a multiple of the STFT hop ${hop}`);
  const frames = g.input("frames", { type: "float32", shape: ["windows", width] });
  const h0 = g.input("h0", { type: "float32", shape: [1, 1, H] });
  const c0 = g.input("c0", { type: "float32", shape: [1, 1, H] });
  // The STFT conv (kernel 2·hop, stride hop) as one MatMul: [windows, width/hop, hop] → the
  // overlapping pairs of hop-sized pieces [windows, steps, 2·hop].
  const stft = get(w, "stft.weight");
  const kernel = stft.shape[1];
  if (kernel !== 2 * hop) throw new Error(`Silero graph: STFT kernel ${kernel} is not twice the hop ${hop}`);
  const pieces = g.op("Reshape", [frames, g.constInt([0, width / hop, hop])]);
  const steps = width / hop - 1;
  const piece = (from: number) => g.op("Slice", [pieces, g.constInt([from]), g.constInt([from + steps]), g.constInt([1])]);
  const spec = conv1d(g, g.op("Concat", [piece(0), piece(1)], { axis: 2 }), steps, { ...stft, shape: [stft.shape[0], 1, kernel] }, undefined, "stft", 1, 0).y;
  const bins = stft.shape[0] / 2;
  const half = (from: number) => g.op("Slice", [spec, g.constInt([from]), g.constInt([from + bins]), g.constInt([2])]);
  const re = half(0);
  const im = half(bins);
  let h = g.op("Sqrt", [g.op("Add", [g.op("Mul", [re, re]), g.op("Mul", [im, im])])]);
  let t = steps;
  [1, 2, 2, 1].forEach((stride, i) => {
    const layer = conv1d(g, h, t, get(w, `encoder.${i}.weight`), get(w, `encoder.${i}.bias`), `encoder.${i}`, stride, 1);
    h = g.op("Relu", [layer.y]);
    t = layer.t;
  });
  if (t !== 1) throw new Error(`Silero graph: the encoder leaves ${t} steps per window, expected 1`);
  // [windows, 1, 128] → a sequence [windows, batch 1, 128]
  const seq = g.op("Reshape", [h, g.constInt([-1, 1, H])]);
  const inputSize = get(w, "lstm.weight_ih").shape[1];
  const W = lstmGatesToOnnx(toFloat32(get(w, "lstm.weight_ih")), H, inputSize);
  const R = lstmGatesToOnnx(toFloat32(get(w, "lstm.weight_hh")), H, H);
  const B = new Float32Array(8 * H);
  B.set(lstmGatesToOnnx(toFloat32(get(w, "lstm.bias_ih")), H, 1));
  B.set(lstmGatesToOnnx(toFloat32(get(w, "lstm.bias_hh")), H, 1), 4 * H);
  const [y, hn, cn] = g.node("LSTM", [seq, g.initializer("lstm.W", f32(W, [1, 4 * H, inputSize])), g.initializer("lstm.R", f32(R, [1, 4 * H, H])), g.initializer("lstm.B", f32(B, [1, 8 * H])), "", h0, c0], { attrs: { hidden_size: H }, nOutputs: 3 });
  // Head: ReLU → 1×1 conv (a [H, 1] matmul) → sigmoid.
  const dec = toFloat32(get(w, "decoder.weight"));
  const logits = g.op("Add", [g.op("MatMul", [g.op("Relu", [g.op("Reshape", [y, g.constInt([-1, H])])]), g.initializer("decoder.weight.T", f32(Float32Array.from(dec), [H, 1]))]), g.initializer("decoder.bias", get(w, "decoder.bias"))]);
  g.output(g.op("Reshape", [g.op("Sigmoid", [logits]), g.constInt([-1])]), "probs", { type: "float32", shape: ["windows"] });
  g.output(hn, "hn", { type: "float32", shape: [1, 1, H] });
  g.output(cn, "cn", { type: "float32", shape: [1, 1, H] });
  Object.assign(g.metadata, { "whisperx-mlx:graph": "silero-vad-batched" });
  return g;
}
