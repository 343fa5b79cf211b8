/**
 * Whisper's log-mel spectrogram on MLX (openai-whisper `log_mel_spectrogram`): periodic Hann
 * window of 400, reflect padding of 200, hop 160, |rfft|², the last frame dropped, mel filters
 * from `mel_filters.npz`, log10 clamped at 1e-10, dynamic range limited to 8 (log10 units) below
 * the maximum of the whole input, then (x + 4) / 4. Output is (frames, n_mels), channels-last.
 */
import type * as mlxTypes from "../mlx-binding.js";
import { HOP_LENGTH, melFiltersPath, N_FFT } from "@whisperx-mlx/core";
import { toMlx } from "../npy.js";
import type { MlxCore } from "../runtime.js";

type MxArray = mlxTypes.core.array;

const filterCache = new Map<number, MxArray>();
const windowCache = new Map<string, MxArray>();

/** The mel filterbank (n_mels × 201), vendored from openai-whisper's `mel_filters.npz`. */
export function melFilters(mx: MlxCore, nMels: number): MxArray {
  let f = filterCache.get(nMels);
  if (!f) {
    f = mx.load(melFiltersPath(nMels));
    filterCache.set(nMels, f);
  }
  return f;
}

function hannWindow(mx: MlxCore): MxArray {
  let w = windowCache.get("hann");
  if (!w) {
    const v = new Float32Array(N_FFT);
    for (let n = 0; n < N_FFT; n++) v[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / N_FFT);
    w = toMlx(mx, v);
    windowCache.set("hann", w);
  }
  return w;
}

/**
 * Computes the log-mel of `audio` (16 kHz mono) with `padding` zero samples appended, as
 * `log_mel_spectrogram(audio, n_mels, padding)` does. Returns an MLX array (frames, n_mels).
 */
export function logMelSpectrogram(mx: MlxCore, audio: Float32Array | MxArray, nMels: number, padding = 0): MxArray {
  let x = audio instanceof Float32Array ? toMlx(mx, audio) : audio;
  if (padding > 0) x = mx.pad(x, [0, padding]);
  const n = x.shape[0];
  const half = N_FFT / 2;
  if (n <= half) throw new Error(`audio too short for a log-mel (${n} samples)`);
  // Reflect padding (torch.stft center=True), built from index lists since mx.pad is constant-only.
  const left = Int32Array.from({ length: half }, (_, i) => half - i);
  const right = Int32Array.from({ length: half }, (_, i) => n - 2 - i);
  const padded = mx.concatenate([mx.take(x, toMlx(mx, left)), x, mx.take(x, toMlx(mx, right))]);
  const nFrames = 1 + Math.floor((n + 2 * half - N_FFT) / HOP_LENGTH);
  mx.eval(padded);
  const frames = mx.asStrided(padded, [nFrames, N_FFT], [HOP_LENGTH, 1], 0);
  const spec = mx.fft.rfft(mx.multiply(frames, hannWindow(mx)), N_FFT, -1);
  const mag = mx.square(mx.abs(spec)).index(mx.Slice(0, nFrames - 1));
  const mel = mx.matmul(mag, melFilters(mx, nMels).T);
  let logSpec = mx.log10(mx.maximum(mel, 1e-10));
  logSpec = mx.maximum(logSpec, mx.subtract(logSpec.max(), 8.0));
  return mx.divide(mx.add(logSpec, 4.0), 4.0);
}
