/**
 * Silero VAD on ONNX Runtime, batched: the graph (`sileroGraph`) is built in memory from the
 * converted weights when the model loads and runs a block of windows per call, carrying the LSTM
 * state between blocks, so a file costs a handful of calls instead of one per 32 ms window.
 * Probabilities equal silero-vad's window-by-window model within float rounding.
 */
import { join } from "node:path";
import { readSafetensors, sileroGraph, type SileroGraphConfig } from "@whisperx-mlx/convert";
import type { AudioSamples, SpeechProbabilityModel } from "@whisperx-mlx/core";
import { readModelConfig } from "../model-config.js";
import { openSession, ort, runSession, type SessionOptions } from "../session.js";

interface SileroConfig extends SileroGraphConfig {
  model_type: "silero-vad";
  sample_rate: number;
}

/** Windows per call: 4096 × 32 ms ≈ 131 s of audio, 10.5 MB of frames. */
const BLOCK_WINDOWS = 4096;

export class SileroVadBatchedOnnx implements SpeechProbabilityModel {
  private constructor(
    readonly config: SileroConfig,
    private readonly session: ort.InferenceSession,
  ) {}

  /** Loads a directory written by `pnpm convert silero-vad` (16 kHz). */
  static async load(dir: string, options: SessionOptions = {}): Promise<SileroVadBatchedOnnx> {
    const config = readModelConfig<SileroConfig>(dir, "silero-vad");
    const graph = sileroGraph(config, readSafetensors(join(dir, "weights.safetensors")));
    const session = await openSession(graph.toBytes(), { role: "silero-vad", inputs: ["frames", "h0", "c0"], outputs: ["probs", "hn", "cn"] }, { ...options, name: `${dir} (Silero VAD graph)` });
    return new SileroVadBatchedOnnx(config, session);
  }

  /** Speech probability of every window (silero-vad's `speech_probs`: the last window zero-padded). */
  async speechProbabilities(audio: AudioSamples): Promise<Float32Array> {
    const win = this.config.window_size_samples;
    const ctx = this.config.context_size_samples;
    const H = this.config.hidden_size;
    const n = Math.ceil(audio.length / win);
    const probs = new Float32Array(n);
    let h: ort.Tensor = new ort.Tensor("float32", new Float32Array(H), [1, 1, H]);
    let c: ort.Tensor = new ort.Tensor("float32", new Float32Array(H), [1, 1, H]);
    // The samples before a block's first window: its first frame's context.
    let context = new Float32Array(ctx);
    for (let first = 0; first < n; first += BLOCK_WINDOWS) {
      const count = Math.min(BLOCK_WINDOWS, n - first);
      // The block's samples (zero-padded after the end of the audio), then each frame as context ‖ window.
      const samples = new Float32Array(ctx + count * win);
      samples.set(context);
      samples.set(audio.subarray(first * win, Math.min(audio.length, (first + count) * win)), ctx);
      // Each frame: context ‖ window ‖ the reflection silero's STFT pads it with on the right.
      const width = 2 * ctx + win;
      const frames = new Float32Array(count * width);
      for (let i = 0; i < count; i++) {
        const at = i * width;
        frames.set(samples.subarray(i * win, i * win + ctx + win), at);
        for (let j = 0; j < ctx; j++) frames[at + ctx + win + j] = frames[at + ctx + win - 2 - j];
      }
      context = samples.slice(count * win, count * win + ctx);
      const out = await runSession(this.session, "Silero VAD graph", { frames: new ort.Tensor("float32", frames, [count, width]), h0: h, c0: c });
      probs.set(out.probs.data as Float32Array, first);
      h = out.hn;
      c = out.cn;
    }
    return probs;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
