/**
 * The MLX implementation of core's `WhisperBackend`: mel on MLX, encoder, and a decode loop
 * whose logits never leave the device (only the sampled token id and its log-probability are
 * read back each step).
 */
import type * as mlxTypes from "../mlx-binding.js";
import { decodingGroupSize, N_FRAMES, N_SAMPLES, runDecoding, type DecodeChunksOptions, type DecodeStrategy, type LogitRules, type MelHandle, type RawDecode, type WhisperBackend, type WhisperDims } from "@whisperx-mlx/core";
import { collectGarbage, loadMlx, type MlxCore } from "../runtime.js";
import { logMelSpectrogram } from "./log-mel.js";
import { keepQuantizedWeights } from "../quantized-weights.js";
import { loadWhisperWeights, readWhisperConfig, type WhisperModelConfig } from "./load-model.js";
import { MlxDecoderSession, type MlxDecodingKit } from "./decoder-session.js";
import { WhisperModel, type CrossAttentionCache } from "./model.js";

type MxArray = mlxTypes.core.array;

/** A mel held on MLX. */
class MlxMel implements MelHandle {
  constructor(
    public array: MxArray | undefined,
    readonly frames: number,
  ) {}
}

/** Options of `MlxWhisperBackend.load`. */
export interface MlxWhisperOptions {
  /** Compile the encoder graph (needs g++ at run time on Linux). Default true. */
  compile?: boolean;
  /** Collect garbage every this many decode steps. Default 16. */
  gcEvery?: number;
  /** Compute with a quantized model's 4/8-bit weights instead of dequantizing them (default: `keepQuantizedWeights()`). */
  keepQuantized?: boolean;
}

/** Whisper on MLX. */
export class MlxWhisperBackend implements WhisperBackend {
  readonly dims: WhisperDims;
  readonly config: WhisperModelConfig;
  readonly model: WhisperModel;
  private readonly mx: MlxCore;
  private readonly iota: MxArray;
  private readonly gcEvery: number;
  private readonly staticMasks = new Map<string, MxArray>();
  /**
   * Greedy head of a decode step: logits over the vocabulary, an additive mask, argmax and the
   * chosen token's log-probability. Compiled, because these vocabulary-wide element-wise passes
   * dominate a batched step on the CPU (19 → 10 ms at batch 8, same results).
   */
  private readonly greedyHead: (hidden: MxArray, maskBias: MxArray) => MxArray[];

  private constructor(
    mx: MlxCore,
    config: WhisperModelConfig,
    model: WhisperModel,
    options: MlxWhisperOptions,
    readonly alignmentHeads?: [number, number][],
  ) {
    this.mx = mx;
    this.config = config;
    this.dims = config;
    this.model = model;
    this.gcEvery = options.gcEvery ?? 16;
    this.iota = mx.arange(config.n_vocab);
    const head = (hidden: MxArray, maskBias: MxArray): MxArray[] => {
      const logits = mx.add(model.logits(hidden), maskBias);
      const tokens = mx.argmax(logits, -1);
      const logprobs = mx.subtract(mx.takeAlongAxis(logits, tokens.reshape(-1, 1), 1).reshape([-1]), mx.logsumexp(logits, -1));
      return [tokens, logprobs];
    };
    this.greedyHead = options.compile === false ? head : mx.compile(head);
  }

  /** Loads an MLX model directory. */
  static load(dir: string, options: MlxWhisperOptions = {}): MlxWhisperBackend {
    const mx = loadMlx();
    const config = readWhisperConfig(dir);
    const keep = config.quantization !== undefined && (options.keepQuantized ?? keepQuantizedWeights());
    const { weights, sourceDtype, alignmentHeads } = loadWhisperWeights(mx, dir, config, keep);
    const model = new WhisperModel(mx, config, weights, { compile: options.compile ?? true, roundPositionsToHalf: sourceDtype === "float16", quantization: keep ? config.quantization : undefined });
    return new MlxWhisperBackend(mx, config, model, options, alignmentHeads);
  }

  async melSpectrogram(audio: Float32Array, padding: number): Promise<MelHandle> {
    const mel = logMelSpectrogram(this.mx, audio, this.dims.n_mels, padding);
    this.mx.eval(mel);
    return new MlxMel(mel, mel.shape[0]);
  }

  release(mel: MelHandle): void {
    (mel as MlxMel).array = undefined;
  }

  private window(mel: MelHandle, seek: number, size: number): MxArray {
    const mx = this.mx;
    const arr = (mel as MlxMel).array;
    if (!arr) throw new Error("mel was released");
    let w = arr.index(mx.Slice(seek, seek + size));
    if (size < N_FRAMES) w = mx.pad(w, [[0, N_FRAMES - size], [0, 0]]);
    return w.reshape(1, N_FRAMES, this.dims.n_mels);
  }

  /** An additive mask with -inf at `tokens`, cached by content. */
  private suppressMask(tokens: number[]): MxArray | undefined {
    if (tokens.length === 0) return undefined;
    const key = tokens.join(",");
    let m = this.staticMasks.get(key);
    if (!m) {
      const mx = this.mx;
      const hit = mx.sum(mx.equal(this.iota.reshape(-1, 1), mx.array(tokens, mx.int32).reshape(1, -1)), 1);
      m = mx.where(mx.greater(hit, 0), -Infinity, 0).astype(mx.float32);
      mx.eval(m);
      if (this.staticMasks.size > 64) this.staticMasks.clear();
      this.staticMasks.set(key, m);
    }
    return m;
  }

  /** The additive mask of a token set, or zeros (so the compiled head always gets a mask). */
  private combinedMask(tokens: number[]): MxArray {
    const m = this.suppressMask([...new Set(tokens)].sort((a, b) => a - b));
    if (m) return m;
    let zero = this.staticMasks.get("");
    if (!zero) {
      zero = this.mx.zeros([this.dims.n_vocab], this.mx.float32);
      this.staticMasks.set("", zero);
    }
    return zero;
  }

  /** What a decoder session needs from this backend. */
  private get kit(): MlxDecodingKit {
    return (this.decodingKit ??= {
      mx: this.mx,
      model: this.model,
      iota: this.iota,
      suppressionMask: (tokens) => this.combinedMask([...tokens]),
      greedyHead: this.greedyHead,
      gcEvery: this.gcEvery,
    });
  }

  private decodingKit?: MlxDecodingKit;

  /** Decodes `inputs` audio inputs whose cross-attention caches are `cross`, as `strategy` says. */
  private async decode(cross: CrossAttentionCache, inputs: number, rules: LogitRules, strategy: DecodeStrategy): Promise<RawDecode[]> {
    const session = new MlxDecoderSession(this.kit, cross, inputs, decodingGroupSize(strategy));
    const out = await runDecoding(session, rules, strategy, inputs, this.dims.n_text_ctx);
    await collectGarbage();
    return out;
  }

  async decodeWindow(mel: MelHandle, seek: number, size: number, rules: LogitRules, strategy: DecodeStrategy): Promise<RawDecode> {
    const cross = this.model.crossAttentionCache(this.model.encode(this.window(mel, seek, size)));
    const [r] = await this.decode(cross, 1, rules, strategy);
    return r;
  }

  async decodeChunks(chunks: Float32Array[], rules: LogitRules, options: DecodeChunksOptions): Promise<RawDecode[]> {
    if (rules.timestamps) throw new Error("decodeChunks needs rules without timestamps");
    const out: RawDecode[] = new Array(chunks.length);
    const bs = Math.max(1, options.batchSize);
    // Longest chunks first, so the rows of a batch tend to finish together and little time is
    // spent at a shrunken batch. Each chunk's result is independent of its batch mates.
    const order = chunks.map((_, i) => i).sort((a, b) => chunks[b].length - chunks[a].length || a - b);
    const batches: number[][] = [];
    for (let s = 0; s < order.length; s += bs) batches.push(order.slice(s, s + bs));
    // The next batch's encoder runs on a second stream (its own thread) while this batch decodes.
    let pending = batches.length ? this.encodeAsync(batches[0].map((i) => chunks[i].subarray(0, chunks[i].length))) : [];
    for (let b = 0; b < batches.length; b++) {
      const feats = pending;
      pending = b + 1 < batches.length ? this.encodeAsync(batches[b + 1].map((i) => chunks[i].subarray(0, chunks[i].length))) : [];
      this.mx.eval(...feats);
      const res = await this.decode(this.model.crossAttentionCache(feats.length === 1 ? feats[0] : this.mx.concatenate(feats, 0)), feats.length, rules, options);
      batches[b].forEach((id, j) => (out[id] = res[j]));
      options.onProgress?.(Math.min(chunks.length, (b + 1) * bs), chunks.length);
    }
    return out;
  }

  private encodeStream?: mlxTypes.core.Stream;

  /**
   * Starts encoding chunks (one window at a time: batching the encoder measured slower on 2 CPU
   * cores) on a second MLX stream, without waiting; returns the lazy features.
   */
  private encodeAsync(chunks: Float32Array[]): MxArray[] {
    const mx = this.mx;
    if (!this.encodeStream) this.encodeStream = mx.newStream(mx.cpu);
    const scope = mx.stream(this.encodeStream);
    try {
      const feats = chunks.map((c) => this.model.encode(logMelSpectrogram(mx, c, this.dims.n_mels, N_SAMPLES - c.length).reshape(1, N_FRAMES, this.dims.n_mels)));
      mx.asyncEval(...feats);
      return feats;
    } finally {
      scope[Symbol.dispose]();
    }
  }

  async alignmentWeights(mel: MelHandle, seek: number, size: number, tokens: number[], heads: [number, number][], textStart: number, textEnd: number): Promise<{ weights: Float32Array; tokenCount: number; frames: number; textTokenProbs: number[] }> {
    const mx = this.mx;
    const model = this.model;
    const features = model.encode(this.window(mel, seek, size));
    const cross = model.crossAttentionCache(features);
    const logits: MxArray[] = [];
    const hidden = model.decodeHidden(mx.array([tokens], mx.int32), cross, [], 0, logits);
    const frames = Math.floor(size / 2);
    // heads × tokens × frames, softmax over the frames of the window's content
    const stacked = mx.stack(heads.map(([l, h]) => logits[l].index(0, h, mx.Slice(), mx.Slice(0, frames))), 0);
    const weights = mx.softmax(stacked, -1, true);
    // probabilities of the text tokens, over the text vocabulary only (logits[:, :eot])
    const eot = this.dims.n_vocab >= 51865 ? 50257 : 50256;
    const textLogits = model.logits(hidden.index(0, mx.Slice(textStart - 1, textEnd - 1))).index(mx.Slice(), mx.Slice(0, eot));
    const probs = mx.softmax(textLogits, -1, true);
    const picked = mx.takeAlongAxis(probs, mx.array(tokens.slice(textStart, textEnd), mx.int32).reshape(-1, 1), 1).reshape([-1]);
    mx.eval(weights, picked);
    const out = { weights: Float32Array.from((weights.tolist() as number[][][]).flat(2)), tokenCount: tokens.length, frames, textTokenProbs: picked.tolist() as number[] };
    await collectGarbage();
    return out;
  }

  async detectLanguage(mel: MelHandle, seek: number, languageTokens: number[], sot: number): Promise<number[]> {
    const mx = this.mx;
    const features = this.model.encode(this.window(mel, seek, Math.min(N_FRAMES, mel.frames - seek)));
    const cross = this.model.crossAttentionCache(features);
    const hidden = this.model.decodeHidden(mx.array([[sot]], mx.int32), cross, [], 0);
    const logits = this.model.logits(hidden.index(0, -1));
    const langLogits = mx.take(logits, mx.array(languageTokens, mx.int32));
    mx.eval(langLogits);
    const out = langLogits.tolist() as number[];
    await collectGarbage();
    return out;
  }
}
