/**
 * core's `DecoderSession` on MLX: batched decoding over encoded audio with the self-attention
 * KV caches per row and the cross-attention keys/values per audio input (a group's rows attend
 * to them together). Logits stay on the device: each step reads back token ids and their
 * log-probabilities (the k best for beam search), and whole logit rows only for sampling.
 */
import type { DecoderSession, StepMask, StepRequest, StepResult } from "@whisperx-mlx/core";
import type * as mlxTypes from "../mlx-binding.js";
import { collectGarbage, type MlxCore } from "../runtime.js";
import type { CrossAttentionCache, SelfAttentionCache, WhisperModel } from "./model.js";

type MxArray = mlxTypes.core.array;

/** What a session needs from its backend: the model, masks and the compiled greedy head. */
export interface MlxDecodingKit {
  mx: MlxCore;
  model: WhisperModel;
  iota: MxArray;
  /** The additive [V] mask suppressing `tokens` (cached by the backend). */
  suppressionMask(tokens: readonly number[]): MxArray;
  /** Compiled: (hidden [rows, D], mask [V]) → [argmax tokens, their log-probabilities]. */
  greedyHead(hidden: MxArray, maskBias: MxArray): MxArray[];
  /** Collect garbage every this many steps. */
  gcEvery: number;
}

/** Decoder rows over one batch of encoded audio. */
export class MlxDecoderSession implements DecoderSession {
  private cache: SelfAttentionCache[] = [];
  private offset = 0;
  private steps = 0;
  rows: number;

  constructor(
    private readonly kit: MlxDecodingKit,
    private cross: CrossAttentionCache,
    audioInputs: number,
    readonly groupSize: number,
  ) {
    this.rows = audioInputs * groupSize;
  }

  /** Per-row timestamp rules on [rows, V] logits (openai-whisper's ApplyTimestampRules, on the device). */
  private applyRowMasks(logits: MxArray, masks: readonly StepMask[], tsBegin: number): MxArray {
    const { mx, iota } = this.kit;
    const V = logits.shape[1];
    const rows = masks.map((m) => {
      let hit: MxArray | undefined;
      for (const [lo, hi] of m.ranges) {
        const end = Math.min(hi, V);
        if (end <= lo) continue;
        const inRange = mx.logicalAnd(mx.greaterEqual(iota, lo), mx.less(iota, end));
        hit = hit ? mx.logicalOr(hit, inRange) : inRange;
      }
      return hit ?? mx.zeros([V], mx.bool);
    });
    let out = mx.where(mx.stack(rows, 0), -Infinity, logits);
    if (masks.some((m) => m.checkTimestampProbability)) {
      // If the timestamps together are more likely than any single text token, sample a timestamp.
      const logprobs = mx.subtract(out, mx.logsumexp(out, -1, true));
      const tsLogprob = mx.logsumexp(logprobs.index(mx.Slice(), mx.Slice(tsBegin, null)), -1, true);
      const maxText = mx.max(logprobs.index(mx.Slice(), mx.Slice(0, tsBegin)), -1, true);
      const check = mx.array(masks.map((m) => [m.checkTimestampProbability]), mx.bool);
      const force = mx.logicalAnd(mx.logicalAnd(mx.greater(tsLogprob, maxText), check), mx.less(iota, tsBegin));
      out = mx.where(force, -Infinity, out);
    }
    return out;
  }

  async step(tokens: readonly (readonly number[])[], request: StepRequest): Promise<StepResult> {
    const { mx, model } = this.kit;
    const hidden = model.decodeHidden(mx.array(tokens.map((t) => [...t]), mx.int32), this.cross, this.cache, this.offset, undefined, this.groupSize);
    this.offset += tokens[0].length;
    const noSpeech = request.noSpeech ? mx.softmax(model.logits(hidden.index(mx.Slice(), request.noSpeech.index)), -1, true).index(mx.Slice(), request.noSpeech.token) : undefined;
    const last = hidden.index(mx.Slice(), -1); // [rows, D]
    const bias = this.kit.suppressionMask(request.suppress);
    let tokensOut: MxArray | undefined;
    let logprobsOut: MxArray | undefined;
    let logitsOut: MxArray | undefined;
    const rules = request.timestampRules;
    if (request.pick.kind === "argmax" && !rules) {
      [tokensOut, logprobsOut] = this.kit.greedyHead(last, bias);
    } else {
      let logits = mx.add(model.logits(last), bias);
      if (rules) logits = this.applyRowMasks(logits, rules.rows, rules.timestampBegin);
      if (request.pick.kind === "argmax") {
        tokensOut = mx.argmax(logits, -1);
        logprobsOut = mx.subtract(mx.takeAlongAxis(logits, tokensOut.reshape(-1, 1), 1).reshape([-1]), mx.logsumexp(logits, -1));
      } else if (request.pick.kind === "topk") {
        const logprobs = mx.subtract(logits, mx.logsumexp(logits, -1, true));
        const k = request.pick.k;
        const top = mx.argpartition(mx.negative(logprobs), k - 1, -1).index(mx.Slice(), mx.Slice(0, k));
        tokensOut = top;
        logprobsOut = mx.takeAlongAxis(logprobs, top, 1);
      } else {
        logitsOut = logits;
      }
    }
    mx.eval(...[tokensOut, logprobsOut, logitsOut, noSpeech].filter((a): a is MxArray => a !== undefined));
    const result = this.read(tokensOut, logprobsOut, logitsOut, request);
    if (noSpeech) result.noSpeechProbs = noSpeech.tolist() as number[];
    if (++this.steps % this.kit.gcEvery === 0) await collectGarbage();
    return result;
  }

  /** Brings the step's answer to JavaScript (top-k rows sorted best first). */
  private read(tokens: MxArray | undefined, logprobs: MxArray | undefined, logits: MxArray | undefined, request: StepRequest): StepResult {
    if (logits) return { tokens: new Int32Array(0), logprobs: new Float32Array(0), logits: Float32Array.from((logits.tolist() as number[][]).flat()) };
    const t = tokens?.tolist() as number[] | number[][];
    const l = logprobs?.tolist() as number[] | number[][];
    if (request.pick.kind !== "topk") return { tokens: Int32Array.from(t as number[]), logprobs: Float32Array.from(l as number[]) };
    const k = request.pick.k;
    const outT = new Int32Array(this.rows * k);
    const outL = new Float32Array(this.rows * k);
    (t as number[][]).forEach((rowTokens, r) => {
      const order = rowTokens.map((_, i) => i).sort((a, b) => (l as number[][])[r][b] - (l as number[][])[r][a] || rowTokens[a] - rowTokens[b]);
      order.forEach((i, c) => {
        outT[r * k + c] = rowTokens[i];
        outL[r * k + c] = (l as number[][])[r][i];
      });
    });
    return { tokens: outT, logprobs: outL };
  }

  keepRows(sources: readonly number[]): void {
    const { mx } = this.kit;
    const G = this.groupSize;
    if (sources.length % G !== 0) throw new Error(`keepRows: ${sources.length} rows is not a whole number of groups of ${G}`);
    const idx = mx.array([...sources], mx.int32);
    this.cache = this.cache.map((c) => ({ k: mx.take(c.k, idx, 0), v: mx.take(c.v, idx, 0) }));
    const audios = Array.from({ length: sources.length / G }, (_, g) => Math.floor(sources[g * G] / G));
    const inputs = this.rows / G;
    if (audios.length !== inputs || audios.some((a, g) => a !== g)) {
      const a = mx.array(audios, mx.int32);
      this.cross = { k: this.cross.k.map((k) => mx.take(k, a, 0)), v: this.cross.v.map((v) => mx.take(v, a, 0)) };
    }
    this.rows = sources.length;
    mx.eval(...this.cache.flatMap((c) => [c.k, c.v]), ...this.cross.k, ...this.cross.v);
  }
}
