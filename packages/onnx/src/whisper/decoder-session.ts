/**
 * core's `DecoderSession` on ONNX Runtime. Steps whose rules are one suppress set for every row
 * take the graph's own ArgMax or TopK under an additive bias, so no vocabulary-wide pass runs in
 * JavaScript; timestamp rules and sampling bring the logits back, filtered here by core's rules.
 */
import { applyStepMask, greedyToken, softmaxAt, topKTokens, type DecoderSession, type StepRequest, type StepResult } from "@whisperx-mlx/core";
import { ort } from "../session.js";
import { OnnxWhisperModel, type CrossCache, type KvCache } from "./model.js";

/** Decoder rows over one batch of encoded audio. */
export class OnnxDecoderSession implements DecoderSession {
  private cache: KvCache;
  private offset = 0;
  rows: number;

  constructor(
    private readonly model: OnnxWhisperModel,
    private cross: CrossCache,
    readonly groupSize: number,
    /** The additive [1, V] mask suppressing a token set (cached by the backend). */
    private readonly suppressionBias: (tokens: readonly number[]) => ort.Tensor,
  ) {
    this.rows = cross.batch * groupSize;
    this.cache = model.emptyCache(this.rows);
  }

  async step(tokens: readonly (readonly number[])[], request: StepRequest): Promise<StepResult> {
    const V = this.model.dims.n_vocab;
    const T = tokens[0].length;
    const inGraph = request.timestampRules === undefined && request.pick.kind !== "logits";
    const topK = request.pick.kind === "topk" ? request.pick.k : undefined;
    const step = await this.model.step(tokens, this.offset, this.cache, this.cross, inGraph ? this.suppressionBias(request.suppress) : undefined, { logits: !inGraph || request.noSpeech !== undefined, topK: inGraph ? topK : undefined });
    this.offset += T;
    this.cache = step.cache;
    const rowLogits = (r: number, position: number) => step.logits.subarray((r * T + position) * V, (r * T + position + 1) * V);
    const result: StepResult = { tokens: new Int32Array(0), logprobs: new Float32Array(0) };
    if (request.noSpeech) {
      const { index, token } = request.noSpeech;
      result.noSpeechProbs = Array.from({ length: this.rows }, (_, r) => softmaxAt(rowLogits(r, index), token));
    }
    if (inGraph) {
      if (topK !== undefined) {
        result.tokens = Int32Array.from(step.topTokens as BigInt64Array, Number);
        result.logprobs = step.topLogprobs as Float32Array;
      } else {
        result.tokens = Int32Array.from(step.token);
        result.logprobs = step.logprob;
      }
      return result;
    }
    // Filter each row's last-position logits here: the suppress set, then its timestamp rules.
    const filtered = new Float32Array(this.rows * V);
    for (let r = 0; r < this.rows; r++) {
      const row = filtered.subarray(r * V, (r + 1) * V);
      row.set(rowLogits(r, T - 1));
      for (const t of request.suppress) row[t] = -Infinity;
      if (request.timestampRules) applyStepMask(row, request.timestampRules.rows[r], request.timestampRules.timestampBegin);
    }
    if (request.pick.kind === "logits") {
      result.logits = filtered;
      return result;
    }
    const k = request.pick.kind === "topk" ? request.pick.k : 1;
    result.tokens = new Int32Array(this.rows * k);
    result.logprobs = new Float32Array(this.rows * k);
    for (let r = 0; r < this.rows; r++) {
      const row = filtered.subarray(r * V, (r + 1) * V);
      if (k === 1) {
        const g = greedyToken(row);
        result.tokens[r] = g.token;
        result.logprobs[r] = g.logprob;
      } else {
        const top = topKTokens(row, k);
        result.tokens.set(top.tokens, r * k);
        result.logprobs.set(top.logprobs, r * k);
      }
    }
    return result;
  }

  keepRows(sources: readonly number[]): void {
    const G = this.groupSize;
    if (sources.length % G !== 0) throw new Error(`keepRows: ${sources.length} rows is not a whole number of groups of ${G}`);
    const pick = (t: ort.Tensor[], rows: readonly number[]) => t.map((x) => OnnxWhisperModel.selectRows(x, rows));
    this.cache = { k: pick(this.cache.k, sources), v: pick(this.cache.v, sources) };
    const audios = Array.from({ length: sources.length / G }, (_, g) => Math.floor(sources[g * G] / G));
    if (audios.length !== this.cross.batch || audios.some((a, g) => a !== g)) {
      // Audios only drop out (in order) as their rows finish: move the survivors down within the
      // same buffers rather than copy them (at batch 8 the cross caches are 98 MB, and each copy
      // left the old ones for the GC). This session owns its caches; nothing else reads them.
      const ascending = audios.every((a, g) => g === 0 || a > audios[g - 1]);
      const compact = (t: ort.Tensor[]) =>
        t.map((x) => {
          const per = x.data.length / this.cross.batch;
          const data = x.data as Float32Array;
          audios.forEach((a, g) => a !== g && data.copyWithin(g * per, a * per, (a + 1) * per));
          return new ort.Tensor("float32", data.subarray(0, audios.length * per), [audios.length, ...x.dims.slice(1)]);
        });
      this.cross = ascending ? { k: compact(this.cross.k), v: compact(this.cross.v), batch: audios.length } : { k: pick(this.cross.k, audios), v: pick(this.cross.v, audios), batch: audios.length };
    }
    this.rows = sources.length;
  }
}
