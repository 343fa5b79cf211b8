/** Options of one `decode` call (openai-whisper `DecodingOptions`; the search itself is a `DecodeStrategy`). */
export interface DecodingOptions {
  task: "transcribe" | "translate";
  language?: string;
  /** 0 → greedy. */
  temperature: number;
  /** Maximum number of tokens to sample (default n_text_ctx / 2). */
  sampleLen?: number;
  /** Text or tokens of the previous context (`<|startofprev|>` …). */
  prompt?: number[] | string;
  /** Text or tokens to prefix the current context with. */
  prefix?: number[] | string;
  /** Words to bias recognition towards, given as context after `<|startofprev|>` (faster-whisper's `hotwords`; ignored with a prefix, as there). */
  hotwords?: string;
  /** Also suppress every token whose text has a digit or `%$£` (WhisperX's `suppress_numerals`). */
  suppressNumerals?: boolean;
  /** "-1" (non-speech symbols), a comma list, or token ids. */
  suppressTokens?: string | number[];
  suppressBlank: boolean;
  withoutTimestamps: boolean;
  /** Seconds; the first timestamp may not be later. */
  maxInitialTimestamp?: number | null;
}

/** openai-whisper's defaults for `DecodingOptions`. */
export const DEFAULT_DECODING_OPTIONS: DecodingOptions = {
  task: "transcribe",
  temperature: 0,
  suppressTokens: "-1",
  suppressBlank: true,
  withoutTimestamps: false,
  maxInitialTimestamp: 1.0,
};

/** The outcome of decoding one 30 s window. */
export interface DecodingResult {
  language: string;
  /** Sampled tokens, without the initial tokens and without `<|endoftext|>`. */
  tokens: number[];
  text: string;
  avgLogprob: number;
  noSpeechProb: number;
  temperature: number;
  compressionRatio: number;
}
