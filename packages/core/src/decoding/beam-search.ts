/**
 * openai-whisper's `BeamSearchDecoder` for one audio input: every beam proposes its
 * `beamSize + 1` most likely next tokens; candidates (keyed by their whole sequence, so beams
 * that are still identical propose each candidate once) are ranked by their cumulative
 * log-probability; the best `beamSize` that do not end the text become the next beams, those
 * that end it and rank above the cut are finished sequences, kept until
 * `round(beamSize · patience)` have been collected.
 */
import { roundHalfEven } from "../writers/format.js";

/** One live beam: its sampled tokens and cumulative log-probability (float32, as PyTorch keeps it). */
export interface Beam {
  tokens: number[];
  sumLogprob: number;
}

/** A finished (or, at the end, unfinished) candidate sequence, without `<|endoftext|>`. */
export interface Candidate {
  tokens: number[];
  sumLogprob: number;
}

const f32 = Math.fround;

/** The beam search state of one audio input. */
export class BeamSearchGroup {
  /** Finished sequences in the order they were collected (a Python dict's insertion order). */
  private readonly finished = new Map<string, Candidate>();
  readonly maxCandidates: number;

  constructor(
    readonly beamSize: number,
    readonly eot: number,
    patience = 1.0,
  ) {
    this.maxCandidates = roundHalfEven(beamSize * patience);
    if (!(this.maxCandidates > 0)) throw new RangeError(`invalid beam size (${beamSize}) or patience (${patience})`);
  }

  /** Enough finished sequences have been collected. */
  get completed(): boolean {
    return this.finished.size >= this.maxCandidates;
  }

  /**
   * One step. `topTokens`/`topLogprobs` hold `k` candidates per beam, best first. Returns the next
   * beams with the index of the beam each continues.
   */
  update(beams: readonly Beam[], topTokens: ArrayLike<number>, topLogprobs: ArrayLike<number>, k: number): { beams: Beam[]; sources: number[] } {
    const scores = new Map<string, { tokens: number[]; score: number; source: number }>();
    beams.forEach((beam, j) => {
      const prefix = beam.tokens.join(",");
      for (let c = 0; c < k; c++) {
        const token = topTokens[j * k + c];
        const key = `${prefix},${token}`;
        const previous = scores.get(key);
        const entry = { tokens: [...beam.tokens, token], score: f32(beam.sumLogprob + topLogprobs[j * k + c]), source: j };
        // A repeated sequence keeps its first position, with the later value (dict semantics).
        if (previous) Object.assign(previous, { score: entry.score, source: j });
        else scores.set(key, entry);
      }
    });
    const ranked = [...scores.values()].sort((a, b) => b.score - a.score); // stable: ties keep insertion order
    const next: Beam[] = [];
    const sources: number[] = [];
    const newlyFinished: Candidate[] = [];
    for (const c of ranked) {
      if (c.tokens[c.tokens.length - 1] === this.eot) {
        newlyFinished.push({ tokens: c.tokens.slice(0, -1), sumLogprob: c.score });
      } else {
        next.push({ tokens: c.tokens, sumLogprob: c.score });
        sources.push(c.source);
        if (next.length === this.beamSize) break;
      }
    }
    for (const c of newlyFinished) {
      if (this.finished.size >= this.maxCandidates) break;
      this.finished.set(c.tokens.join(","), c);
    }
    return { beams: next, sources };
  }

  /** The candidates to rank: the finished ones, topped up with the best live beams when fewer than `beamSize` finished. */
  finalize(beams: readonly Beam[]): Candidate[] {
    const out = new Map(this.finished);
    if (out.size < this.beamSize) {
      // np.argsort(...)[::-1]: best first, and among equals the later index first.
      const order = beams.map((_, j) => j).sort((a, b) => beams[b].sumLogprob - beams[a].sumLogprob || b - a);
      for (const j of order) {
        out.set(beams[j].tokens.join(","), { tokens: beams[j].tokens, sumLogprob: beams[j].sumLogprob });
        if (out.size >= this.beamSize) break;
      }
    }
    return [...out.values()];
  }
}
