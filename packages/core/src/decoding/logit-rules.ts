/**
 * openai-whisper's logit filters as pure logic. Each step yields the token ranges to suppress;
 * a backend applies them to its logits on-device and then, when `checkTimestampProbability` is
 * set, applies the last rule ("if the total probability of timestamps beats every text token,
 * sample a timestamp"), which needs the masked logits themselves.
 */
import type { WhisperTokenizer } from "../tokenizer/whisper-tokenizer.js";
import type { DecodingOptions } from "./options.js";

/** A half-open range of token ids [start, end) to set to -inf. */
export type TokenRange = readonly [number, number];

/** What to mask at one step. */
export interface StepMask {
  ranges: TokenRange[];
  /** Apply the timestamp-probability rule after masking `ranges`. */
  checkTimestampProbability: boolean;
}

/** The decoding setup shared by every step of one `decode` call. */
export interface LogitRules {
  /** Initial tokens: optional prompt, SOT sequence, optional prefix. */
  initialTokens: number[];
  /** Index where sampling begins (`initialTokens.length`). */
  sampleBegin: number;
  /** Index of `<|startoftranscript|>` in `initialTokens` (for no-speech probability). */
  sotIndex: number;
  /** Tokens suppressed at every step (SuppressTokens + `<|notimestamps|>` when timestamped). */
  alwaysSuppressed: number[];
  /** Tokens suppressed at the first sampled position only (SuppressBlank). */
  suppressedAtBegin: number[];
  /** `<|endoftext|>`, which ends sampling. */
  eot: number;
  /** `<|nospeech|>`, whose probability at the SOT position is reported. */
  noSpeech: number;
  /** The first timestamp token, `<|0.00|>`. */
  timestampBegin: number;
  /** Decoding with timestamp tokens (ApplyTimestampRules is on). */
  timestamps: boolean;
  /** The per-step dynamic mask, from the tokens sampled so far. */
  stepMask(sampled: readonly number[]): StepMask;
}

/** The suppress list of openai-whisper's `_get_suppress_tokens`. */
export function suppressTokenList(tokenizer: WhisperTokenizer, suppress: string | number[] | undefined): number[] {
  let list: number[] = typeof suppress === "string" ? (suppress.trim() === "" ? [] : suppress.split(",").map((t) => Number.parseInt(t, 10))) : [...(suppress ?? [])];
  if (list.includes(-1)) {
    list = list.filter((t) => t >= 0);
    list.push(...tokenizer.nonSpeechTokens);
  }
  list.push(tokenizer.sot, tokenizer.sotPrev, tokenizer.sotLm, tokenizer.noSpeech);
  return [...new Set(list)].sort((a, b) => a - b);
}

/** A prompt that leaves no room to decode; the message is one line. */
export class PromptTooLongError extends Error {
  override name = "PromptTooLongError";
}

/** Builds the rules of one decode call (openai-whisper `DecodingTask.__init__`). */
export function buildLogitRules(tokenizer: WhisperTokenizer, options: DecodingOptions, nTextCtx: number, nAudioCtx = 1500): LogitRules {
  const sampleLen = options.sampleLen ?? Math.floor(nTextCtx / 2);
  const half = Math.floor(nTextCtx / 2);
  let initial = options.withoutTimestamps ? tokenizer.sotSequenceIncludingNoTimestamps : tokenizer.sotSequence;
  const hasPrefix = options.prefix !== undefined && options.prefix.length > 0;
  if (options.prefix && hasPrefix) {
    let prefixTokens = typeof options.prefix === "string" ? tokenizer.encode(" " + options.prefix.trim()) : options.prefix;
    // Python's prefix_tokens[-max_prefix_len:]: with the default sample_len, max_prefix_len is 0 and the slice keeps everything.
    const maxPrefixLen = half - sampleLen;
    if (maxPrefixLen > 0) prefixTokens = prefixTokens.slice(-maxPrefixLen);
    initial = [...initial, ...prefixTokens];
  }
  const promptTokens = options.prompt && options.prompt.length ? (typeof options.prompt === "string" ? tokenizer.encode(" " + options.prompt.trim()) : options.prompt) : [];
  // faster-whisper's get_prompt: hotwords (at most n_ctx/2 - 1 of them, the first) after <|startofprev|>, before the previous text; not with a prefix.
  let hotwordTokens = options.hotwords && !hasPrefix ? tokenizer.encode(" " + options.hotwords.trim()) : [];
  if (hotwordTokens.length >= half) hotwordTokens = hotwordTokens.slice(0, half - 1);
  if (promptTokens.length || hotwordTokens.length) initial = [tokenizer.sotPrev, ...hotwordTokens, ...promptTokens.slice(-(half - 1)), ...initial];
  if (initial.length >= nTextCtx) throw new PromptTooLongError(`the prompt (${initial.length} tokens with hotwords, prefix and start tokens) leaves no room in the model's ${nTextCtx}-token context`);
  const sampleBegin = initial.length;
  const always: number[] = options.suppressTokens !== undefined && options.suppressTokens !== "" ? suppressTokenList(tokenizer, options.suppressTokens) : [];
  if (options.suppressNumerals) always.push(...tokenizer.numeralSymbolTokens);
  const tsBegin = tokenizer.timestampBegin;
  const eot = tokenizer.eot;
  const precision = 30 / nAudioCtx;
  const maxInitialIndex = options.maxInitialTimestamp ? Math.round(options.maxInitialTimestamp / precision) : null;
  if (!options.withoutTimestamps) always.push(tokenizer.noTimestamps);

  const stepMask = (sampled: readonly number[]): StepMask => {
    if (options.withoutTimestamps) return { ranges: [], checkTimestampProbability: false };
    const ranges: TokenRange[] = [];
    const n = sampled.length;
    const lastWasTs = n >= 1 && sampled[n - 1] >= tsBegin;
    const penultimateWasTs = n < 2 || sampled[n - 2] >= tsBegin;
    if (lastWasTs) {
      if (penultimateWasTs) ranges.push([tsBegin, Number.MAX_SAFE_INTEGER]);
      else ranges.push([0, eot]);
    }
    let lastTs = -1;
    for (let i = n - 1; i >= 0; i--) {
      if (sampled[i] >= tsBegin) {
        lastTs = sampled[i];
        break;
      }
    }
    if (lastTs >= 0) {
      // Timestamps must not decrease, and a segment must have a nonzero length.
      const limit = lastWasTs && !penultimateWasTs ? lastTs : lastTs + 1;
      if (limit > tsBegin) ranges.push([tsBegin, limit]);
    }
    if (n === 0) {
      ranges.push([0, tsBegin]);
      if (maxInitialIndex !== null) ranges.push([tsBegin + maxInitialIndex + 1, Number.MAX_SAFE_INTEGER]);
    }
    return { ranges, checkTimestampProbability: true };
  };

  return {
    initialTokens: initial,
    sampleBegin,
    sotIndex: initial.indexOf(tokenizer.sot),
    alwaysSuppressed: [...new Set(always)].sort((a, b) => a - b),
    suppressedAtBegin: options.suppressBlank ? [...tokenizer.encode(" "), eot] : [],
    eot,
    noSpeech: tokenizer.noSpeech,
    timestampBegin: tsBegin,
    timestamps: !options.withoutTimestamps,
    stepMask,
  };
}
