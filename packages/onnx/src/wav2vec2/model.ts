/**
 * wav2vec2 CTC on ONNX Runtime: the graph `convert --to onnx` writes (waveform → log-softmax
 * emissions), with the same `emissions()` as the MLX model so core's `align()` takes either.
 * A segment runs in one pass, so memory grows with its length (the first conv's output is
 * ~100 MB for 30 s); the pipeline's segments are at most one 30 s chunk. Splitting the conv
 * stack into pieces was measured 20–30 % slower per segment, so it is not done.
 */
import { layerNormWaveform, type Wav2Vec2Config } from "@whisperx-mlx/core";
import { onnxGraphDir, readManifest } from "../graph-cache.js";
import { openSession, ort, runSession, type SessionOptions } from "../session.js";
import { join } from "node:path";

/** A loaded wav2vec2 graph. */
export class Wav2Vec2Onnx {
  private constructor(
    readonly config: Wav2Vec2Config,
    private readonly session: ort.InferenceSession,
  ) {}

  /** Opens an ONNX wav2vec2 directory, or an MLX one whose graph is built once and cached. */
  static async load(dir: string, options: SessionOptions & { onBuild?: (message: string) => void } = {}): Promise<Wav2Vec2Onnx> {
    const graphs = onnxGraphDir(dir, options.onBuild);
    const m = readManifest(graphs, "wav2vec2");
    return new Wav2Vec2Onnx(m.config, await openSession(join(graphs, m.graphs.wav2vec2), { role: "wav2vec2", inputs: ["audio"], outputs: ["emissions"] }, options));
  }

  /** Log-softmax emissions [frames, vocab] of a mono 16 kHz waveform (at least 400 samples). */
  async emissions(waveform: Float32Array): Promise<{ data: Float32Array; frames: number; vocab: number }> {
    if (waveform.length < 400) throw new Error(`wav2vec2 needs at least 400 samples, got ${waveform.length}`);
    const audio = this.config.normalize_waveform ? layerNormWaveform(waveform) : waveform;
    const out = await runSession(this.session, "wav2vec2 graph", { audio: new ort.Tensor("float32", audio, [1, audio.length]) });
    const e = out.emissions;
    return { data: e.data as Float32Array, frames: e.dims[1], vocab: e.dims[2] };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
