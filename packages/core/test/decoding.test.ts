/**
 * The decoding policy (openai-whisper's GreedyDecoder, BeamSearchDecoder and
 * MaximumLikelihoodRanker) over a small table language model whose probabilities are written out
 * below, so every expected outcome can be checked by hand. The real models' parity with
 * openai-whisper's beam search is tested against its outputs in the engine and pipeline tests.
 */
import { describe, expect, it } from "vitest";
import { BeamSearchGroup, rankCandidates, runDecoding, seededRandom, topKTokens, type DecoderSession, type LogitRules, type StepRequest, type StepResult } from "../src/index.js";

const EOT = 4;
const V = 6;

/** Next-token probabilities of audio input `audio` after `prefix` (sampled tokens). Token 5 never occurs. */
type Table = (audio: number, prefix: readonly number[]) => Record<number, number>;

/** A DecoderSession over a table: each row remembers its audio input and its tokens. */
class TableSession implements DecoderSession {
  private history: { audio: number; tokens: number[] }[];
  steps: number[] = [];
  constructor(
    private readonly table: Table,
    audios: number,
    readonly groupSize: number,
  ) {
    this.history = Array.from({ length: audios * groupSize }, (_, r) => ({ audio: Math.floor(r / groupSize), tokens: [] }));
  }
  get rows(): number {
    return this.history.length;
  }
  async step(tokens: readonly (readonly number[])[], request: StepRequest): Promise<StepResult> {
    this.steps.push(this.rows);
    // The first call carries the initial tokens; later calls one sampled token per row.
    if (tokens[0].length === 1 && this.steps.length > 1) this.history.forEach((h, r) => h.tokens.push(tokens[r][0]));
    const logits = new Float32Array(this.rows * V);
    this.history.forEach((h, r) => {
      const p = this.table(h.audio, h.tokens);
      for (let t = 0; t < V; t++) logits[r * V + t] = request.suppress.includes(t) || !(t in p) ? -Infinity : Math.log(p[t]);
    });
    const pick = request.pick;
    if (pick.kind === "logits") return { tokens: new Int32Array(0), logprobs: new Float32Array(0), logits };
    const k = pick.kind === "topk" ? pick.k : 1;
    const out = { tokens: new Int32Array(this.rows * k), logprobs: new Float32Array(this.rows * k) };
    for (let r = 0; r < this.rows; r++) {
      const top = topKTokens(logits.subarray(r * V, (r + 1) * V), k);
      out.tokens.set(top.tokens, r * k);
      out.logprobs.set(top.logprobs, r * k);
    }
    return out;
  }
  keepRows(sources: readonly number[]): void {
    this.history = sources.map((s) => ({ audio: this.history[s].audio, tokens: [...this.history[s].tokens] }));
  }
}

const rules: LogitRules = {
  initialTokens: [9, 9],
  sampleBegin: 2,
  sotIndex: 0,
  alwaysSuppressed: [],
  suppressedAtBegin: [],
  eot: EOT,
  noSpeech: 5,
  timestampBegin: V,
  timestamps: false,
  stepMask: () => ({ ranges: [], checkTimestampProbability: false }),
};

/**
 * Audio 0: the greedy path ends at once ("0"), but "1 2" is likelier per token.
 * Audio 1: one path, "3 3".
 */
const table: Table = (audio, prefix): Record<number, number> => {
  const key = prefix.join(" ");
  if (audio === 1) return key === "" ? { 3: 0.9, 0: 0.1 } : key === "3" ? { 3: 0.8, [EOT]: 0.2 } : { [EOT]: 1 };
  switch (key) {
    case "":
      return { 0: 0.5, 1: 0.3, 2: 0.15, [EOT]: 0.05 };
    case "0":
      return { [EOT]: 0.6, 1: 0.3, 3: 0.1 };
    case "1":
      return { 2: 0.9, [EOT]: 0.1 };
    case "1 2":
      return { [EOT]: 0.99, 0: 0.01 };
    case "0 1":
      return { [EOT]: 0.5, 2: 0.5 };
    default:
      return { [EOT]: 1 };
  }
};

async function decode(audios: number, strategy: Parameters<typeof runDecoding>[2], t: Table = table) {
  const session = new TableSession(t, audios, strategy.temperature > 0 ? (strategy.bestOf ?? 1) : (strategy.beamSize ?? 1));
  return { results: await runDecoding(session, rules, strategy, audios, 448), session };
}

describe("decoding policy", () => {
  it("greedy takes the most likely token and ends at <|endoftext|>, its log-probability included", async () => {
    const { results } = await decode(1, { temperature: 0, sampleLen: 10 });
    expect(results[0].tokens).toEqual([0]);
    expect(results[0].sumLogprob).toBeCloseTo(Math.log(0.5) + Math.log(0.6), 6);
  });

  it("beam search finds the sequence greedy misses, and ranks by log-probability per token", async () => {
    const { results } = await decode(1, { temperature: 0, sampleLen: 10, beamSize: 2 });
    // Finished: "0" (log .3, length 1 → −1.20) then "1 2" (log .2673, length 2 → −0.66): the latter wins.
    expect(results[0].tokens).toEqual([1, 2]);
    expect(results[0].sumLogprob).toBeCloseTo(Math.log(0.3 * 0.9 * 0.99), 5);
  });

  it("a length penalty (Google NMT alpha) changes the choice", async () => {
    const candidates = [
      { tokens: [0], sumLogprob: Math.log(0.3) },
      { tokens: [1, 2, 3, 4, 5, 6], sumLogprob: -3.6 },
    ];
    // Plain normalisation: −1.20 vs −0.60 → the long one; alpha 0: raw sums −1.20 vs −3.6 → the short one.
    expect(rankCandidates(candidates, null)).toBe(1);
    expect(rankCandidates(candidates, 0)).toBe(0);
  });

  it("patience waits for more finished candidates; with fewer than the beams, live beams are added at the end", () => {
    const group = new BeamSearchGroup(2, EOT, 0.5); // round(1.0) = 1 finished sequence is enough
    expect(group.maxCandidates).toBe(1);
    const step = group.update([{ tokens: [7], sumLogprob: 0 }, { tokens: [8], sumLogprob: -1 }], [EOT, 1, 2, 3, 2, 1], Float32Array.from([-0.1, -0.5, -2, -0.2, -3, -4]), 3);
    expect(group.completed).toBe(true);
    // [7 EOT] −0.1 finishes; [7 1] −0.5 and [8 3] −1.2 go on.
    expect(step.beams.map((b) => b.tokens)).toEqual([[7, 1], [8, 3]]);
    expect(step.sources).toEqual([0, 1]);
    // Fewer than beamSize finished: the best live beam tops the candidates up.
    expect(group.finalize(step.beams).map((c) => c.tokens)).toEqual([[7], [7, 1]]);
    expect(() => new BeamSearchGroup(1, EOT, 0.4)).toThrow(/invalid beam size/);
  });

  it("identical beams propose each candidate once at the first step", async () => {
    const { session } = await decode(1, { temperature: 0, sampleLen: 1, beamSize: 3 });
    expect(session.steps).toEqual([3]);
    const group = new BeamSearchGroup(3, EOT);
    const same = { tokens: [] as number[], sumLogprob: 0 };
    const { beams } = group.update([same, same, same], [0, 1, 2, 0, 1, 2, 0, 1, 2].map((t) => t), Float32Array.from([-1, -2, -3, -1, -2, -3, -1, -2, -3]), 3);
    expect(beams.map((b) => b.tokens)).toEqual([[0], [1], [2]]);
  });

  it("each audio input decodes as if alone: results do not depend on its batch mates", async () => {
    for (const strategy of [{ temperature: 0, sampleLen: 10 }, { temperature: 0, sampleLen: 10, beamSize: 2 }]) {
      const together = (await decode(2, strategy)).results;
      const alone0 = (await decode(1, strategy)).results[0];
      const alone1 = (await decode(1, strategy, (_, p) => table(1, p))).results[0];
      expect(together).toEqual([alone0, alone1]);
    }
    // The finished input leaves the batch: audio 0 (greedy) ends after 2 steps, audio 1 after 3.
    expect((await decode(2, { temperature: 0, sampleLen: 10 })).session.steps).toEqual([2, 2, 1]);
  });

  it("stops at sampleLen and at the context length, keeping what was decoded", async () => {
    const { results } = await decode(1, { temperature: 0, sampleLen: 1 }, () => ({ 1: 0.9, [EOT]: 0.1 }));
    expect(results[0].tokens).toEqual([1]);
    const session = new TableSession(() => ({ 1: 0.9, [EOT]: 0.1 }), 1, 1);
    expect((await runDecoding(session, rules, { temperature: 0, sampleLen: 100 }, 1, 5))[0].tokens).toEqual([1, 1, 1, 1]);
  });

  it("samples reproducibly from a seed; best-of keeps the best-scored sample", async () => {
    const strategy = (seed: number) => ({ temperature: 1, sampleLen: 10, bestOf: 5, random: seededRandom(seed) });
    const a = (await decode(1, strategy(7))).results[0];
    const b = (await decode(1, strategy(7))).results[0];
    expect(a).toEqual(b);
    const seen = new Set<string>();
    for (let seed = 0; seed < 20; seed++) seen.add((await decode(1, { temperature: 1, sampleLen: 10, random: seededRandom(seed) })).results[0].tokens.join(" "));
    expect(seen.size).toBeGreaterThan(2);
    // "1 2" is the best-ranked sequence (−0.66 per token) and a sample is it with p = 0.27; with five
    // samples the ranker should find it in about 1 − 0.73⁵ ≈ 79 % of runs.
    let single = 0;
    let five = 0;
    for (let seed = 0; seed < 40; seed++) {
      if ((await decode(1, { temperature: 1, sampleLen: 10, random: seededRandom(seed) })).results[0].tokens.join(" ") === "1 2") single++;
      if ((await decode(1, strategy(seed))).results[0].tokens.join(" ") === "1 2") five++;
    }
    expect(single).toBeLessThan(20);
    expect(five).toBeGreaterThan(24);
  });

  it("keeps the k best tokens of a row in order, lower ids first among equals", () => {
    const t = topKTokens(Float32Array.from([1, 3, 3, -Infinity, 2, 0]), 4);
    expect(t.tokens).toEqual([1, 2, 4, 0]);
    const z = Math.log(Math.exp(1) + 2 * Math.exp(3) + Math.exp(2) + 1);
    t.logprobs.forEach((lp, i) => expect(lp).toBeCloseTo([3, 3, 2, 1][i] - z, 6));
  });
});
