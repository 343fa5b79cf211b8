/**
 * The engine-facing half of decoding: an engine encodes audio once and exposes its decoder as a
 * `DecoderSession` whose rows (beams or samples of each audio input) advance one token per step.
 * Which token each row takes is decided in core (`runDecoding`: greedy, best-of-N sampling, beam
 * search), so every engine decodes with one policy.
 */
import type { StepMask } from "./logit-rules.js";

/** What a step returns for each row. */
export type StepPick =
  /** The most likely token and its log-probability. */
  | { kind: "argmax" }
  /** The `k` most likely tokens, best first, with their log-probabilities. */
  | { kind: "topk"; k: number }
  /** The filtered logits themselves (for sampling, done in core with a seeded generator). */
  | { kind: "logits" };

/** One decoding step's request. */
export interface StepRequest {
  /** Tokens suppressed in every row at this step (SuppressTokens; plus SuppressBlank at the first step). */
  suppress: readonly number[];
  /** Each row's timestamp rules at this step (ApplyTimestampRules), when decoding with timestamps. */
  timestampRules?: { rows: readonly StepMask[]; timestampBegin: number };
  pick: StepPick;
  /** At the first step: per row, the probability of `token` at position `index` (the no-speech probability at the SOT). */
  noSpeech?: { index: number; token: number };
}

/** One decoding step's answer, row-major. */
export interface StepResult {
  /** rows × k token ids (k = 1 for argmax; empty for logits), best first. */
  tokens: Int32Array;
  /** rows × k log-probabilities of those tokens under the filtered logits. */
  logprobs: Float32Array;
  /** With pick "logits": rows × n_vocab filtered logits. */
  logits?: Float32Array;
  /** With `noSpeech`: one probability per row. */
  noSpeechProbs?: number[];
}

/**
 * A decoder over encoded audio: `groupSize` rows per audio input. Rows of one group share the
 * audio (and, in an engine, its cross-attention keys and values).
 */
export interface DecoderSession {
  readonly groupSize: number;
  /** Live rows: a multiple of `groupSize`. */
  readonly rows: number;
  /**
   * Feeds each live row its tokens (the first call: the initial tokens, the same for every row;
   * then one token per row) and answers `request` for every row at its last position.
   */
  step(tokens: readonly (readonly number[])[], request: StepRequest): Promise<StepResult>;
  /**
   * Reorders rows: new row i continues old row `sources[i]` (its KV cache). Whole groups only:
   * each run of `groupSize` new rows comes from one old group; groups left out are dropped.
   */
  keepRows(sources: readonly number[]): void;
}
