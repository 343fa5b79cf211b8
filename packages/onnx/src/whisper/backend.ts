/**
 * The ONNX Runtime implementation of core's `WhisperBackend`. Greedy steps under a fixed
 * suppress set take the graph's own argmax; timestamp rules and sampling bring the logits back to
 * JavaScript, where core's `applyLogitRules` filters them.
 */
import type { WeightFormat } from "@whisperx-mlx/convert";
import { decodingGroupSize, type AudioSamples, N_FRAMES, N_SAMPLES, runDecoding, softmaxAt, type DecodeChunksOptions, type DecodeStrategy, type LogitRules, type MelHandle, type RawDecode, type WhisperBackend, type WhisperDims } from "@whisperx-mlx/core";
import { ort, type SessionOptions } from "../session.js";
import { onnxGraphDir } from "../graph-cache.js";
import { OnnxDecoderSession } from "./decoder-session.js";
import { OnnxWhisperModel, type CrossCache } from "./model.js";

/** A log-mel held in host memory: [n_mels, frames], row-major. */
class HostMel implements MelHandle {
  constructor(
    public data: Float32Array | undefined,
    readonly frames: number,
  ) {}
}

/** Whisper on ONNX Runtime. */
export class OnnxWhisperBackend implements WhisperBackend {
  readonly dims: WhisperDims;
  readonly alignmentHeads?: [number, number][];

  private constructor(readonly model: OnnxWhisperModel) {
    this.dims = model.dims;
    this.alignmentHeads = model.alignmentHeads;
  }

  /**
   * Loads an ONNX model directory (with `onnx.json`), or an MLX model directory whose graphs are
   * built on first use (float32, or int8 linear layers with `weights: "int8"`) and cached by the
   * weights' hash (`onBuild` hears about that build).
   */
  static async load(dir: string, options: SessionOptions & { onBuild?: (message: string) => void; weights?: WeightFormat } = {}): Promise<OnnxWhisperBackend> {
    return new OnnxWhisperBackend(await OnnxWhisperModel.load(onnxGraphDir(dir, options.onBuild, options.weights), options));
  }

  async melSpectrogram(audio: Float32Array, padding: number): Promise<MelHandle> {
    let x = audio;
    if (padding > 0) {
      x = new Float32Array(audio.length + padding);
      x.set(audio);
    }
    const mel = await this.model.logMel([x]);
    return new HostMel(mel.data, mel.frames);
  }

  release(mel: MelHandle): void {
    (mel as HostMel).data = undefined;
  }

  /** Mel frames [seek, seek + size) zero-padded to 3000 frames: [n_mels, 3000]. */
  private window(mel: MelHandle, seek: number, size: number): Float32Array {
    const m = mel as HostMel;
    if (!m.data) throw new Error("mel was released");
    const nMels = this.dims.n_mels;
    const out = new Float32Array(nMels * N_FRAMES);
    const n = Math.min(size, m.frames - seek, N_FRAMES);
    for (let c = 0; c < nMels; c++) out.set(m.data.subarray(c * m.frames + seek, c * m.frames + seek + n), c * N_FRAMES);
    return out;
  }

  async decodeWindow(mel: MelHandle, seek: number, size: number, rules: LogitRules, strategy: DecodeStrategy): Promise<RawDecode> {
    const [r] = await this.decode(await this.model.encode(this.window(mel, seek, size), 1), rules, strategy);
    return r;
  }

  /** Decodes the audio inputs of `cross` as `strategy` says. */
  private decode(cross: CrossCache, rules: LogitRules, strategy: DecodeStrategy): Promise<RawDecode[]> {
    const session = new OnnxDecoderSession(this.model, cross, decodingGroupSize(strategy), (tokens) => this.suppressBias([...tokens]));
    return runDecoding(session, rules, strategy, cross.batch, this.dims.n_text_ctx);
  }

  async decodeChunks(chunks: readonly AudioSamples[], rules: LogitRules, options: DecodeChunksOptions): Promise<RawDecode[]> {
    if (rules.timestamps) throw new Error("decodeChunks needs rules without timestamps");
    const out: RawDecode[] = new Array(chunks.length);
    const bs = Math.max(1, options.batchSize);
    // Longest first, so the rows of a batch tend to finish together (results are per chunk).
    const order = chunks.map((_, i) => i).sort((a, b) => chunks[b].length - chunks[a].length || a - b);
    for (let s = 0; s < order.length; s += bs) {
      const ids = order.slice(s, s + bs);
      const padded = ids.map((i) => {
        const p = new Float32Array(N_SAMPLES);
        p.set(chunks[i].subarray(0, N_SAMPLES));
        return p;
      });
      // Each chunk padded to 30 s gets the log-mel of its own padded signal, as WhisperX computes it.
      const mel = await this.model.logMel(padded);
      const res = await this.decode(await this.model.encode(mel.data.subarray(0, ids.length * this.dims.n_mels * N_FRAMES), ids.length), rules, options);
      ids.forEach((id, j) => (out[id] = res[j]));
      options.onProgress?.(Math.min(chunks.length, s + bs), chunks.length);
    }
    return out;
  }

  private readonly biases = new Map<string, ort.Tensor>();

  /** The additive mask [1, V] with −∞ at `tokens`, cached by content. */
  private suppressBias(tokens: number[]): ort.Tensor {
    const key = [...new Set(tokens)].sort((a, b) => a - b).join(",");
    let t = this.biases.get(key);
    if (!t) {
      const data = new Float32Array(this.dims.n_vocab);
      for (const tok of tokens) data[tok] = -Infinity;
      t = new ort.Tensor("float32", data, [1, this.dims.n_vocab]);
      if (this.biases.size > 64) this.biases.clear();
      this.biases.set(key, t);
    }
    return t;
  }

  async alignmentWeights(mel: MelHandle, seek: number, size: number, tokens: number[], heads: [number, number][], textStart: number, textEnd: number): Promise<{ weights: Float32Array; tokenCount: number; frames: number; textTokenProbs: number[] }> {
    const cross = await this.model.encode(this.window(mel, seek, size), 1);
    const { logits, scores } = await this.model.crossScores(tokens, cross);
    const T = tokens.length;
    const S = this.dims.n_audio_ctx;
    const V = this.dims.n_vocab;
    const frames = Math.floor(size / 2);
    // heads × tokens × frames: softmax over the frames of the window's content (timing.py).
    const weights = new Float32Array(heads.length * T * frames);
    heads.forEach(([layer, head], i) => {
      const qk = scores[layer];
      for (let t = 0; t < T; t++) {
        const at = (f: number) => qk[(head * S + f) * T + t];
        let m = -Infinity;
        for (let f = 0; f < frames; f++) m = Math.max(m, at(f));
        let sum = 0;
        for (let f = 0; f < frames; f++) sum += Math.exp(at(f) - m);
        const row = (i * T + t) * frames;
        for (let f = 0; f < frames; f++) weights[row + f] = Math.exp(at(f) - m) / sum;
      }
    });
    // Probabilities of the text tokens over the text vocabulary only (logits[:, :eot]).
    const eot = V >= 51865 ? 50257 : 50256;
    const textTokenProbs: number[] = [];
    for (let r = textStart; r < textEnd; r++) textTokenProbs.push(softmaxAt(logits.subarray((r - 1) * V, (r - 1) * V + eot), tokens[r]));
    return { weights, tokenCount: T, frames, textTokenProbs };
  }

  async detectLanguage(mel: MelHandle, seek: number, languageTokens: number[], sot: number): Promise<number[]> {
    const cross = await this.model.encode(this.window(mel, seek, Math.min(N_FRAMES, mel.frames - seek)), 1);
    const { logits } = await this.model.step([[sot]], 0, this.model.emptyCache(1), cross, undefined, { logits: true });
    return languageTokens.map((t) => logits[t]);
  }
}
