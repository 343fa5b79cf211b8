/**
 * The MLX implementation of core's `WhisperBackend`: mel on MLX, encoder, and a decode loop
 * whose logits never leave the device (only the sampled token id and its log-probability are
 * read back each step).
 */
import type * as mlxTypes from "../mlx-binding.js";
import { N_FRAMES, N_SAMPLES, type DecodeChunksOptions, type LogitRules, type MelHandle, type RawDecode, type WhisperBackend, type WhisperDims } from "@whisperx-mlx/core";
import { collectGarbage, loadMlx, type MlxCore } from "../runtime.js";
import { logMelSpectrogram } from "./log-mel.js";
import { loadWhisperWeights, readWhisperConfig, type WhisperModelConfig } from "./load-model.js";
import { WhisperModel, type SelfAttentionCache } from "./model.js";

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

  private constructor(mx: MlxCore, config: WhisperModelConfig, model: WhisperModel, options: MlxWhisperOptions) {
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
    const { weights, sourceDtype } = loadWhisperWeights(mx, dir, config);
    const model = new WhisperModel(mx, config, weights, { compile: options.compile ?? true, roundPositionsToHalf: sourceDtype === "float16" });
    return new MlxWhisperBackend(mx, config, model, options);
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

  private applyRules(logits: MxArray, rules: LogitRules, sampled: number[]): MxArray {
    const mx = this.mx;
    const nVocab = this.dims.n_vocab;
    if (sampled.length === 0) {
      const begin = this.suppressMask(rules.suppressedAtBegin);
      if (begin) logits = mx.add(logits, begin);
    }
    const always = this.suppressMask(rules.alwaysSuppressed);
    if (always) logits = mx.add(logits, always);
    const step = rules.stepMask(sampled);
    for (const [lo, hi] of step.ranges) {
      const end = Math.min(hi, nVocab);
      if (end <= lo) continue;
      const inRange = mx.logicalAnd(mx.greaterEqual(this.iota, lo), mx.less(this.iota, end));
      logits = mx.where(inRange, -Infinity, logits);
    }
    if (step.checkTimestampProbability) {
      const tsBegin = rules.timestampBegin;
      const logprobs = mx.subtract(logits, mx.logsumexp(logits, -1, true));
      const tsLogprob = mx.logsumexp(logprobs.index("...", mx.Slice(tsBegin, null)), -1, true);
      const maxText = mx.max(logprobs.index("...", mx.Slice(0, tsBegin)), -1, true);
      const forceTs = mx.logicalAnd(mx.greater(tsLogprob, maxText), mx.less(this.iota, tsBegin));
      logits = mx.where(forceTs, -Infinity, logits);
    }
    return logits;
  }

  async decodeWindow(mel: MelHandle, seek: number, size: number, rules: LogitRules, options: { temperature: number; sampleLen: number }): Promise<RawDecode> {
    const mx = this.mx;
    const model = this.model;
    const eot = rules.eot;
    const features = model.encode(this.window(mel, seek, size));
    const cross = model.crossAttentionCache(features);
    const cache: SelfAttentionCache[] = [];
    const noSpeechToken = rules.noSpeech;
    let input = mx.array([rules.initialTokens], mx.int32);
    let offset = 0;
    const sampled: number[] = [];
    let sumLogprob = 0;
    let noSpeechProb = Number.NaN;
    const nCtx = this.dims.n_text_ctx;
    for (let i = 0; i < options.sampleLen; i++) {
      const hidden = model.decodeHidden(input, cross, cache, offset);
      offset += input.shape[1];
      let noSpeech: MxArray | undefined;
      if (i === 0) {
        const atSot = model.logits(hidden.index(0, rules.sotIndex));
        noSpeech = mx.softmax(atSot, -1, true).index(noSpeechToken);
      }
      let logits = model.logits(hidden.index(0, -1));
      logits = this.applyRules(logits, rules, sampled);
      const token = options.temperature === 0 ? mx.argmax(logits, -1) : mx.random.categorical(mx.divide(logits, options.temperature), -1);
      const logprob = mx.subtract(mx.take(logits, token), mx.logsumexp(logits, -1));
      if (noSpeech) mx.eval(token, logprob, noSpeech);
      else mx.eval(token, logprob);
      if (noSpeech) noSpeechProb = noSpeech.item() as number;
      const t = token.item() as number;
      sumLogprob += logprob.item() as number;
      if (t === eot) break;
      sampled.push(t);
      if (rules.initialTokens.length + sampled.length > nCtx) break;
      input = mx.array([[t]], mx.int32);
      if ((i + 1) % this.gcEvery === 0) await collectGarbage();
    }
    await collectGarbage();
    return { tokens: sampled, sumLogprob, noSpeechProb };
  }

  async decodeChunks(chunks: Float32Array[], rules: LogitRules, options: DecodeChunksOptions): Promise<RawDecode[]> {
    if (rules.stepMask([]).ranges.length) throw new Error("decodeChunks needs rules without timestamps");
    const out: RawDecode[] = new Array(chunks.length);
    const bs = Math.max(1, options.batchSize);
    // Longest chunks first, so the rows of a batch tend to finish together and little time is
    // spent at a shrunken batch. Each chunk's result is independent of its batch mates.
    const order = chunks.map((_, i) => i).sort((a, b) => chunks[b].length - chunks[a].length || a - b);
    const batches: number[][] = [];
    for (let s = 0; s < order.length; s += bs) batches.push(order.slice(s, s + bs));
    // The next batch's encoder runs on a second stream (its own thread) while this batch decodes.
    let pending = batches.length ? this.encodeAsync(batches[0].map((i) => chunks[i])) : [];
    for (let b = 0; b < batches.length; b++) {
      const feats = pending;
      pending = b + 1 < batches.length ? this.encodeAsync(batches[b + 1].map((i) => chunks[i])) : [];
      const res = await this.decodeBatch(feats, rules, options);
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

  /** One batch: batched greedy decoding with batched KV caches over encoded features. */
  private async decodeBatch(feats: MxArray[], rules: LogitRules, options: { temperature: number; sampleLen: number }): Promise<RawDecode[]> {
    const mx = this.mx;
    const model = this.model;
    const B = feats.length;
    mx.eval(...feats);
    let cross = model.crossAttentionCache(B === 1 ? feats[0] : mx.concatenate(feats, 0));
    await collectGarbage();
    let cache: SelfAttentionCache[] = [];
    const results: RawDecode[] = feats.map(() => ({ tokens: [], sumLogprob: 0, noSpeechProb: Number.NaN }));
    let active = feats.map((_, i) => i); // result index of each live row
    let input = mx.array(active.map(() => rules.initialTokens), mx.int32);
    let offset = 0;
    const nCtx = this.dims.n_text_ctx;
    for (let i = 0; i < options.sampleLen && active.length; i++) {
      const hidden = model.decodeHidden(input, cross, cache, offset);
      offset += input.shape[1];
      let noSpeech: MxArray | undefined;
      if (i === 0) noSpeech = mx.softmax(model.logits(hidden.index(mx.Slice(), rules.sotIndex)), -1, true).index(mx.Slice(), rules.noSpeech);
      const maskBias = this.combinedMask(i === 0 ? [...rules.alwaysSuppressed, ...rules.suppressedAtBegin] : rules.alwaysSuppressed);
      const last = hidden.index(mx.Slice(), -1); // [b, D]
      let tokens: MxArray;
      let logprobs: MxArray;
      if (options.temperature === 0) {
        [tokens, logprobs] = this.greedyHead(last, maskBias);
      } else {
        const logits = mx.add(model.logits(last), maskBias);
        tokens = mx.random.categorical(mx.divide(logits, options.temperature), -1);
        logprobs = mx.subtract(mx.takeAlongAxis(logits, tokens.reshape(-1, 1), 1).reshape([-1]), mx.logsumexp(logits, -1));
      }
      if (noSpeech) mx.eval(tokens, logprobs, noSpeech);
      else mx.eval(tokens, logprobs);
      const tok = tokens.tolist() as number[];
      const lp = logprobs.tolist() as number[];
      const ns = noSpeech ? (noSpeech.tolist() as number[]) : undefined;
      const keep: number[] = [];
      active.forEach((r, row) => {
        const res = results[r];
        if (ns) res.noSpeechProb = ns[row];
        res.sumLogprob += lp[row];
        if (tok[row] !== rules.eot && rules.initialTokens.length + res.tokens.length < nCtx) {
          res.tokens.push(tok[row]);
          keep.push(row);
        } else if (tok[row] !== rules.eot) {
          res.tokens.push(tok[row]);
        }
      });
      if (keep.length < active.length && keep.length > 0) {
        // Finished rows drop out: the caches keep only live rows (a gather along the batch axis).
        const idx = mx.array(keep, mx.int32);
        cache = cache.map((c) => ({ k: mx.take(c.k, idx, 0), v: mx.take(c.v, idx, 0) }));
        cross = { k: cross.k.map((k) => mx.take(k, idx, 0)), v: cross.v.map((v) => mx.take(v, idx, 0)) };
        mx.eval(...cache.flatMap((c) => [c.k, c.v]), ...cross.k, ...cross.v);
      }
      active = keep.map((row) => active[row]);
      input = mx.array(keep.map((row) => [tok[row]]), mx.int32);
      if ((i + 1) % this.gcEvery === 0) await collectGarbage();
    }
    await collectGarbage();
    return results;
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
    const probs = mx.softmax(langLogits, -1, true);
    mx.eval(probs);
    const out = probs.tolist() as number[];
    await collectGarbage();
    return out;
  }
}
