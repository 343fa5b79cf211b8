/**
 * Architecture workloads: Whisper at the dims of a released size with random weights, timed on
 * the encoder (per 30 s window), the decoder (ms per step over a forced token sequence, so random
 * weights cannot change the amount of work) and the resulting real-time factor for 30 s of audio
 * with 90 tokens.
 */
import { N_SAMPLES } from "@whisperx-mlx/core";
import { collectGarbage, loadMlx, MlxWhisperBackend, type SelfAttentionCache } from "@whisperx-mlx/mlx-native";
import { randomWhisperModel, type WhisperArchitecture } from "../random-whisper.js";
import { summarize, timeRuns, type SampleStats } from "../stats.js";

/** Tokens per 30 s window assumed by the real-time factor (the roadmap's convention). */
export const TOKENS_PER_WINDOW = 90;
/** The multilingual start-of-transcript prefix: SOT, English, transcribe, no timestamps. */
const SOT_SEQUENCE = [50258, 50259, 50359, 50363];

/** Options of one architecture workload. */
export interface ArchitectureOptions {
  arch: WhisperArchitecture;
  precision: "fp32" | "fp16" | "q4";
  /** Encoder batch sizes to try; the fastest per window is the "best batch". */
  encoderBatches: number[];
  /** Decoder batch sizes. */
  decoderBatches: number[];
  /** Forced decode steps per measurement. */
  steps: number;
  /** Repetitions of each measurement. */
  repeats: number;
  onProgress?: (what: string) => void;
}

/** Results of one architecture workload. */
export interface ArchitectureResult {
  /** The engine timed: MLX, or ONNX Runtime on the graphs `convert --to onnx` writes. */
  engine: "mlx" | "onnx";
  arch: WhisperArchitecture;
  /** MLX: fp32 or 4-bit weights (dequantised at load); ONNX Runtime: fp32, int8 or int4 linear layers. */
  precision: "fp32" | "fp16" | "q4" | "int8" | "int4";
  /** Log-mel of one 30 s window, ms. */
  melMs: SampleStats;
  /** Encoder ms per 30 s window, by batch size. */
  encoderMsPerWindow: Record<string, SampleStats>;
  bestEncoderBatch: number;
  /** Decoder ms per step (one token for every row of the batch), by batch size. */
  decoderMsPerStep: Record<string, SampleStats>;
  /**
   * Real-time factor of 30 s windows with 90 tokens each, by batch size:
   * B × 30 s / (B × mel + B × encoder per window (best batch) + 90 × step(B)), from the medians.
   */
  rtf: Record<string, number>;
  /** The same from the fastest samples (what the regression gate compares: noise only adds time). */
  rtfBest: Record<string, number>;
}

/** Runs the architecture workload (generating the random-weight model on first use). */
export async function runArchitecture(o: ArchitectureOptions): Promise<ArchitectureResult> {
  const mx = loadMlx();
  o.onProgress?.(`${o.arch} ${o.precision}: model`);
  const backend = MlxWhisperBackend.load(randomWhisperModel(o.arch, o.precision));
  const model = backend.model;
  const dims = backend.dims;
  const audio = new Float32Array(N_SAMPLES);
  for (let i = 0; i < audio.length; i++) audio[i] = 0.1 * Math.sin(i * 0.05) * Math.sin(i * 0.0007);
  o.onProgress?.(`${o.arch} ${o.precision}: log-mel`);
  await backend.melSpectrogram(audio, 0);
  const melMs = summarize(await timeRuns(o.repeats, async () => backend.release(await backend.melSpectrogram(audio, 0))));
  mx.random.seed(1);
  const encoderMsPerWindow: Record<string, SampleStats> = {};
  for (const b of o.encoderBatches) {
    o.onProgress?.(`${o.arch} ${o.precision}: encoder batch ${b}`);
    const mel = mx.random.normal([b, 3000, dims.n_mels], mx.float32);
    mx.eval(mel);
    mx.eval(model.encode(mel)); // warm-up (compiles the graph for this shape)
    const runs = await timeRuns(o.repeats, async () => {
      mx.eval(model.encode(mel));
      await collectGarbage();
    });
    encoderMsPerWindow[b] = summarize(runs.map((ms) => ms / b));
  }
  const bestEncoderBatch = o.encoderBatches.reduce((best, b) => (encoderMsPerWindow[b].median < encoderMsPerWindow[best].median ? b : best), o.encoderBatches[0]);
  const one = model.encode(mx.random.normal([1, 3000, dims.n_mels], mx.float32));
  mx.eval(one);
  const decoderMsPerStep: Record<string, SampleStats> = {};
  const tokenAt = (i: number) => 1000 + ((i * 7919) % 40000);
  for (const b of o.decoderBatches) {
    o.onProgress?.(`${o.arch} ${o.precision}: decoder batch ${b}`);
    const cross = model.crossAttentionCache(b === 1 ? one : mx.concatenate(Array.from({ length: b }, () => one), 0));
    const sample: number[] = [];
    for (let r = 0; r <= o.repeats; r++) {
      const cache: SelfAttentionCache[] = [];
      const prompt = promptForTimedSteps(o.steps);
      let hidden = model.decodeHidden(mx.array(Array.from({ length: b }, () => prompt), mx.int32), cross, cache, 0);
      mx.eval(mx.argmax(model.logits(hidden.index(mx.Slice(), -1)), -1));
      let offset = prompt.length;
      const t0 = performance.now();
      for (let i = 0; i < o.steps; i++) {
        hidden = model.decodeHidden(mx.array(Array.from({ length: b }, () => [tokenAt(i)]), mx.int32), cross, cache, offset++);
        const next = mx.argmax(model.logits(hidden.index(mx.Slice(), -1)), -1);
        next.tolist(); // read the ids back, as real decoding does every step
        if ((i + 1) % 16 === 0) await collectGarbage();
      }
      // The first repetition warms up (kernel selection, allocator); it is not kept.
      if (r > 0) sample.push((performance.now() - t0) / o.steps);
      await collectGarbage();
    }
    decoderMsPerStep[b] = summarize(sample);
  }
  const { rtf, rtfBest } = realTimeFactors(melMs, encoderMsPerWindow[bestEncoderBatch], decoderMsPerStep, o.decoderBatches);
  return { engine: "mlx", arch: o.arch, precision: o.precision, melMs, encoderMsPerWindow, bestEncoderBatch, decoderMsPerStep, rtf, rtfBest };
}

/**
 * The prompt that precedes the timed forced steps: the SOT sequence, then filler tokens so that
 * the timed steps sit around the mean position of a 90-token window (a step reads a KV cache as
 * long as its position). With 90 steps that is the SOT sequence alone; with `--quick`'s 32 the
 * timed steps are positions 33–64 rather than 4–35, which would flatter longer decodes.
 */
export function promptForTimedSteps(steps: number): number[] {
  const start = Math.max(SOT_SEQUENCE.length, Math.round(SOT_SEQUENCE.length + (TOKENS_PER_WINDOW - steps) / 2));
  return [...SOT_SEQUENCE, ...Array.from({ length: start - SOT_SEQUENCE.length }, (_, i) => 440 + i)];
}

/**
 * Real-time factors of 30 s windows with 90 tokens at each batch size, from the medians and from
 * the fastest samples: B × 30 s / (B × mel + B × encoder per window + 90 × step(B)).
 */
export function realTimeFactors(mel: SampleStats, encoder: SampleStats, step: Record<string, SampleStats>, batches: number[]): { rtf: Record<string, number>; rtfBest: Record<string, number> } {
  const rtf: Record<string, number> = {};
  const rtfBest: Record<string, number> = {};
  for (const b of batches) {
    rtf[b] = (b * 30) / ((b * mel.median + b * encoder.median + TOKENS_PER_WINDOW * step[b].median) / 1000);
    rtfBest[b] = (b * 30) / ((b * mel.min + b * encoder.min + TOKENS_PER_WINDOW * step[b].min) / 1000);
  }
  return { rtf, rtfBest };
}
