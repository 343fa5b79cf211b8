/**
 * Micro-benchmarks (tinybench) of the kernels the pipeline is made of, at Whisper-tiny shapes:
 * matmul (float32, and 4-bit quantized as mlx-community stores weights: the figure behind
 * `keepQuantizedWeights`' choice), attention, layer norm, conv1d, log-mel, one decode step, and
 * the CTC trellis.
 */
import { Bench } from "tinybench";
import { getTrellis, N_SAMPLES } from "@whisperx-mlx/core";
import { collectGarbage, loadMlx, logMelSpectrogram, MlxWhisperBackend, type SelfAttentionCache } from "@whisperx-mlx/mlx-native";
import { randomWhisperModel } from "../random-whisper.js";
import type { SampleStats } from "../stats.js";

/** One micro-benchmark's latency in ms. */
export interface MicroResult {
  name: string;
  shape: string;
  ms: SampleStats;
  runs: number;
}

/** Runs the micro-benchmarks, each for about `timeMs` after warm-up. */
export async function runMicro(timeMs: number, onProgress?: (what: string) => void): Promise<MicroResult[]> {
  const mx = loadMlx();
  mx.random.seed(2);
  const x = mx.random.normal([1500, 384], mx.float32);
  const w = mx.random.normal([384, 1536], mx.float32);
  const q = mx.random.normal([1, 6, 1500, 64], mx.float32);
  const g = mx.ones([384], mx.float32);
  const b = mx.zeros([384], mx.float32);
  const conv = mx.random.normal([1, 3000, 384], mx.float32);
  const convW = mx.random.normal([384, 3, 384], mx.float32);
  // The 4-bit weight as a Linear stores it ([out, in]); the product is the same x · wᵀ.
  const [wq, scales, biases] = mx.quantize(w.T, 64, 4);
  mx.eval(x, w, q, g, b, conv, convW, wq, scales, biases);
  const audio = new Float32Array(N_SAMPLES);
  for (let i = 0; i < audio.length; i++) audio[i] = Math.sin(i * 0.01);
  const backend = MlxWhisperBackend.load(randomWhisperModel("tiny", "fp32"));
  const model = backend.model;
  const features = model.encode(mx.random.normal([1, 3000, 80], mx.float32));
  const cross = model.crossAttentionCache(features);
  const cache: SelfAttentionCache[] = [];
  model.decodeHidden(mx.array([[50258, 50259, 50359, 50363]], mx.int32), cross, cache, 0);
  const prefix = cache.map((c) => ({ ...c }));
  const T = 1500;
  const V = 29;
  const em = new Float32Array(T * V);
  for (let t = 0; t < T; t++) for (let v = 0; v < V; v++) em[t * V + v] = Math.log((1 + ((t * 31 + v * 17) % 13)) / (13 * V));
  const tokens = Array.from({ length: 200 }, (_, i) => 1 + (i % 27));

  const tasks: [string, string, () => void][] = [
    ["matmul", "1500×384 @ 384×1536", () => mx.eval(mx.matmul(x, w))],
    ["quantized matmul", "1500×384 @ (4-bit 1536×384)ᵀ, group 64", () => mx.eval(mx.quantizedMatmul(x, wq, scales, biases, true, 64, 4))],
    ["attention", "[1,6,1500,64] self", () => mx.eval(mx.fast.scaledDotProductAttention(q, q, q, 0.125))],
    ["layerNorm", "1500×384", () => mx.eval(mx.fast.layerNorm(x, g, b, 1e-5))],
    ["conv1d", "[1,3000,384] → 384, k3 s2", () => mx.eval(mx.conv1d(conv, convW, 2, 1, 1, 1))],
    ["log-mel", "30 s → 80×3000", () => mx.eval(logMelSpectrogram(mx, audio, 80))],
    [
      "decode step",
      "tiny dims, batch 1, offset 4",
      () => {
        const c = prefix.map((p) => ({ ...p }));
        const h = model.decodeHidden(mx.array([[1000]], mx.int32), cross, c, 4);
        mx.argmax(model.logits(h.index(mx.Slice(), -1)), -1).tolist();
      },
    ],
    ["CTC trellis", "1500 frames × 200 tokens", () => void getTrellis({ data: em, frames: T, vocab: V }, tokens, 0)],
  ];
  const out: MicroResult[] = [];
  for (const [name, shape, fn] of tasks) {
    onProgress?.(`micro: ${name}`);
    const bench = new Bench({ time: timeMs, iterations: 5, warmupTime: Math.min(200, timeMs / 2), warmupIterations: 2 });
    bench.add(name, fn);
    await bench.run();
    const r = bench.tasks[0].result;
    if (r.state !== "completed") throw new Error(`micro-benchmark ${name}: ${r.state === "errored" ? r.error.message : r.state}`);
    out.push({ name, shape, runs: r.latency.samplesCount ?? 0, ms: { samples: [], median: r.latency.p50, min: r.latency.min, max: r.latency.max } });
    await collectGarbage();
  }
  return out;
}
