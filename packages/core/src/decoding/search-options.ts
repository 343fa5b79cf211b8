/**
 * The search settings shared by both paths (WhisperX's `beam_size`, `best_of`, `patience`,
 * `length_penalty`, plus a seed), turned into one decode call's strategy at a temperature the
 * way openai-whisper's `transcribe` does: beams only at temperature 0, best-of only above it.
 */
import type { DecodeStrategy } from "./run-decoding.js";
import { seededRandom, type UniformRandom } from "./sampling.js";

/** How candidates are searched. */
export interface SearchOptions {
  /** Beams at temperature 0 (1: greedy). */
  beamSize?: number;
  /** Beam search patience (finished candidates wanted = round(beamSize · patience)). */
  patience?: number | null;
  /** Google NMT alpha for ranking candidates (unset: length normalisation). */
  lengthPenalty?: number | null;
  /** Samples per decode at temperature > 0, the best kept. */
  bestOf?: number;
  /** Uniform draws for sampling; default a stream seeded with 0. */
  random?: UniformRandom;
}

/** One decode's strategy at `temperature` (sampleLen is the caller's). */
export function searchStrategy(o: SearchOptions, temperature: number): Omit<DecodeStrategy, "sampleLen"> {
  return temperature > 0
    ? { temperature, bestOf: o.bestOf, lengthPenalty: o.lengthPenalty, random: o.random ?? seededRandom(0) }
    : { temperature, beamSize: o.beamSize, patience: o.patience, lengthPenalty: o.lengthPenalty };
}
