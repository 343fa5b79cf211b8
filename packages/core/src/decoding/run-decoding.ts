/**
 * openai-whisper's `DecodingTask` main loop over any engine's `DecoderSession`: greedy decoding,
 * best-of-N sampling at a temperature, or beam search with patience, then the
 * `MaximumLikelihoodRanker`'s choice per audio input. Each audio input is decoded as if it were
 * alone (a group finishes on its own, whatever its batch mates do), so results do not depend on
 * the batch size.
 */
import type { RawDecode } from "../transcribe/backend.js";
import { BeamSearchGroup, type Candidate } from "./beam-search.js";
import type { DecoderSession, StepPick, StepRequest } from "./decoder-session.js";
import type { LogitRules } from "./logit-rules.js";
import { logSoftmaxAt, sampleToken, seededRandom, type UniformRandom } from "./sampling.js";
import { rankCandidates } from "./sequence-ranker.js";

/** How tokens are chosen (openai-whisper's `DecodingOptions` sampling fields). */
export interface DecodeStrategy {
  /** 0: greedy or beam search; above 0: sampling. */
  temperature: number;
  /** The most tokens to sample. */
  sampleLen: number;
  /** Beams at temperature 0 (1 or unset: greedy). */
  beamSize?: number;
  /** Beam search keeps going until round(beamSize · patience) sequences have finished. */
  patience?: number | null;
  /** Independent samples at temperature > 0, the best kept. */
  bestOf?: number;
  /** Google NMT's alpha for ranking candidates; unset: plain length normalisation. */
  lengthPenalty?: number | null;
  /** Uniform draws for sampling (default: a stream seeded with 0). */
  random?: UniformRandom;
}

/** Rows per audio input: beams, samples, or one. */
export function decodingGroupSize(s: DecodeStrategy): number {
  if (s.temperature > 0) return Math.max(1, s.bestOf ?? 1);
  return Math.max(1, s.beamSize ?? 1);
}

interface Row {
  tokens: number[];
  sum: number;
  done: boolean;
}

interface Group {
  audio: number;
  rows: Row[];
  beam?: BeamSearchGroup;
}

/** Decodes the `nAudio` inputs of `session` under `rules`; one result per input, in order. */
export async function runDecoding(session: DecoderSession, rules: LogitRules, strategy: DecodeStrategy, nAudio: number, nCtx: number): Promise<RawDecode[]> {
  const G = decodingGroupSize(strategy);
  if (session.groupSize !== G || session.rows !== nAudio * G) throw new Error(`decoder session has ${session.rows} rows in groups of ${session.groupSize}; expected ${nAudio} × ${G}`);
  const mode = strategy.temperature > 0 ? "sample" : G > 1 ? "beam" : "greedy";
  const random = strategy.random ?? seededRandom(0);
  const results: RawDecode[] = Array.from({ length: nAudio }, () => ({ tokens: [], sumLogprob: 0, noSpeechProb: Number.NaN }));
  let groups: Group[] = Array.from({ length: nAudio }, (_, audio) => ({
    audio,
    rows: Array.from({ length: G }, () => ({ tokens: [], sum: 0, done: false })),
    beam: mode === "beam" ? new BeamSearchGroup(G, rules.eot, strategy.patience ?? 1.0) : undefined,
  }));
  const pick: StepPick = mode === "beam" ? { kind: "topk", k: G + 1 } : mode === "sample" ? { kind: "logits" } : { kind: "argmax" };
  const finish = (g: Group, candidates: Candidate[]) => {
    const best = candidates[rankCandidates(candidates, strategy.lengthPenalty)];
    results[g.audio].tokens = best.tokens;
    results[g.audio].sumLogprob = best.sumLogprob;
  };
  let input: number[][] = Array.from({ length: nAudio * G }, () => rules.initialTokens);
  for (let step = 0; step < strategy.sampleLen && groups.length; step++) {
    const rows = groups.flatMap((g) => g.rows);
    const request: StepRequest = {
      suppress: step === 0 ? [...rules.alwaysSuppressed, ...rules.suppressedAtBegin] : rules.alwaysSuppressed,
      timestampRules: rules.timestamps ? { rows: rows.map((r) => rules.stepMask(r.tokens)), timestampBegin: rules.timestampBegin } : undefined,
      pick,
      noSpeech: step === 0 ? { index: rules.sotIndex, token: rules.noSpeech } : undefined,
    };
    const out = await session.step(input, request);
    if (out.noSpeechProbs) groups.forEach((g, gi) => (results[g.audio].noSpeechProb = (out.noSpeechProbs as number[])[gi * G]));
    // openai-whisper stops once the sequence (initial tokens included) is longer than the context.
    const lastStep = rules.initialTokens.length + step + 1 > nCtx || step + 1 === strategy.sampleLen;
    const vocab = out.logits ? out.logits.length / rows.length : 0;
    const kept: Group[] = [];
    const sources: number[] = [];
    const next: number[][] = [];
    groups.forEach((g, gi) => {
      const base = gi * G;
      if (g.beam) {
        const k = G + 1;
        const beams = g.rows.map((r) => ({ tokens: r.tokens, sumLogprob: r.sum }));
        const updated = g.beam.update(beams, out.tokens.subarray(base * k, (base + G) * k), out.logprobs.subarray(base * k, (base + G) * k), k);
        if (g.beam.completed || lastStep) {
          finish(g, g.beam.finalize(updated.beams));
          return;
        }
        g.rows = updated.beams.map((b) => ({ tokens: b.tokens, sum: b.sumLogprob, done: false }));
        sources.push(...updated.sources.map((s) => base + s));
        next.push(...updated.beams.map((b) => [b.tokens[b.tokens.length - 1]]));
        kept.push(g);
        return;
      }
      g.rows.forEach((r, j) => {
        if (r.done) return;
        const row = base + j;
        let token: number;
        let logprob: number;
        if (out.logits) {
          token = sampleToken(out.logits, row * vocab, vocab, strategy.temperature, random);
          logprob = logSoftmaxAt(out.logits, row * vocab, vocab, token);
        } else {
          token = out.tokens[row];
          logprob = out.logprobs[row];
        }
        r.sum += logprob;
        if (token === rules.eot) r.done = true;
        else r.tokens.push(token);
      });
      if (lastStep || g.rows.every((r) => r.done)) {
        finish(g, g.rows.map((r) => ({ tokens: r.tokens, sumLogprob: r.sum })));
        return;
      }
      // Finished samples are fed <|endoftext|> until their whole group is done, as openai-whisper does.
      g.rows.forEach((r, j) => {
        sources.push(base + j);
        next.push([r.done ? rules.eot : r.tokens[r.tokens.length - 1]]);
      });
      kept.push(g);
    });
    if (mode === "beam" || kept.length < groups.length) session.keepRows(sources);
    groups = kept;
    input = next;
  }
  return results;
}
