/**
 * WhisperX's `asr_options` and `vad_options` in camelCase, with WhisperX's defaults
 * (`asr.py` `load_model`, `__main__.py`).
 */
import { DEFAULT_TEMPERATURES } from "../transcribe/temperatures.js";

/** Decoding options of the ASR stage. */
export interface AsrOptions {
  /** Beams of beam search at temperature 0 (1: greedy). */
  beamSize: number;
  /** Samples per decode at temperature > 0, the best kept. */
  bestOf: number;
  /** Beam search stops once round(beamSize · patience) candidates have finished. */
  patience: number;
  /**
   * Alpha of Google NMT's length penalty ((5 + length) / 6) ** alpha, as openai-whisper ranks
   * candidates; null: plain length normalisation (sum / length), which is what WhisperX's default
   * `length_penalty=1.0` (CTranslate2's length ** alpha) amounts to.
   */
  lengthPenalty: number | null;
  /**
   * Temperatures of openai-whisper's fallback loop. Only the sequential path (`vadMethod:
   * "none"`) falls back; WhisperX's batched path decodes once, at the first temperature.
   */
  temperatures: number[];
  /** Fallback when the gzip compression ratio of a window's text is higher (sequential path). */
  compressionRatioThreshold: number | null;
  /** Fallback when a window's average log-probability is lower (sequential path). */
  logProbThreshold: number | null;
  /** A window is silent when its no-speech probability is higher and its logprob low (sequential path). */
  noSpeechThreshold: number | null;
  /** Prompt each window with the previous windows' text (sequential path; WhisperX forces false). */
  conditionOnPreviousText: boolean;
  /** Text given to the first window (and, on the batched path, every chunk) as `<|startofprev|>` context. */
  initialPrompt?: string;
  /** Words to bias recognition towards, as context after `<|startofprev|>` (faster-whisper's `hotwords`). */
  hotwords?: string;
  /** Text every window's (or chunk's) transcript starts with. */
  prefix?: string;
  /** Also suppress every token with a digit or `%$£` (so numbers come out as words, which align). */
  suppressNumerals: boolean;
  /** Seed of the random stream sampling uses (temperature > 0); undefined: a fresh one per run. */
  seed?: number;
  /** Token ids to suppress; -1 stands for the model's non-speech symbols. */
  suppressTokens: number[];
  /** Suppress a blank or `<|endoftext|>` as the first sampled token. */
  suppressBlank: boolean;
  /** Word times from cross-attention DTW (openai-whisper `word_timestamps`; sequential path only). */
  wordTimestamps: boolean;
  /** Alignment heads for DTW as [layer, head] (default: every head of the last half of the layers). */
  alignmentHeads?: [number, number][];
}

/** WhisperX's defaults for the options implemented here. */
export const DEFAULT_ASR_OPTIONS: AsrOptions = {
  beamSize: 5,
  bestOf: 5,
  patience: 1,
  lengthPenalty: null,
  temperatures: [...DEFAULT_TEMPERATURES],
  compressionRatioThreshold: 2.4,
  logProbThreshold: -1.0,
  noSpeechThreshold: 0.6,
  conditionOnPreviousText: false,
  suppressTokens: [-1],
  suppressBlank: true,
  suppressNumerals: false,
  wordTimestamps: false,
};

/** An option value or combination that cannot work; the message is one line naming the option. */
export class InvalidOptionError extends Error {
  override name = "InvalidOptionError";
}

/**
 * Refuses what cannot work (openai-whisper's `_verify_options`, and options given explicitly
 * that the schedule would never use): `given` are the options the caller set, `options` the
 * resolved ones.
 */
export function checkAsrOptions(options: AsrOptions, given: Partial<AsrOptions>, vadMethod: VadMethod): void {
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new InvalidOptionError(`${name} must be a positive integer, got ${v}`);
  };
  positiveInt("beam_size", options.beamSize);
  positiveInt("best_of", options.bestOf);
  if (!(options.patience > 0) || Math.round(options.beamSize * options.patience) < 1) throw new InvalidOptionError(`patience must make round(beam_size · patience) ≥ 1, got ${options.patience}`);
  if (options.lengthPenalty !== null && !(options.lengthPenalty >= 0 && options.lengthPenalty <= 1)) throw new InvalidOptionError(`length_penalty (alpha) must be between 0 and 1, got ${options.lengthPenalty}`);
  if (options.temperatures.length === 0 || options.temperatures.some((t) => !(t >= 0))) throw new InvalidOptionError(`temperatures must be ≥ 0, got [${options.temperatures.join(", ")}]`);
  // On the batched path only the first temperature is used (WhisperX never falls back there).
  const used = vadMethod === "none" ? options.temperatures : options.temperatures.slice(0, 1);
  if (given.beamSize !== undefined && given.beamSize > 1 && !used.includes(0)) throw new InvalidOptionError(`beam_size ${given.beamSize} needs temperature 0 (beam search does not sample); use best_of for temperature > 0`);
  if (given.bestOf !== undefined && given.bestOf > 1 && !used.some((t) => t > 0)) throw new InvalidOptionError(`best_of ${given.bestOf} needs a temperature above 0 (it chooses among samples)`);
  if (given.patience !== undefined && options.beamSize === 1) throw new InvalidOptionError("patience needs beam_size above 1");
  if (vadMethod !== "none") {
    if (given.temperatures !== undefined && given.temperatures.length > 1) throw new InvalidOptionError("temperature fallback needs the sequential path (vad_method none): WhisperX's batched decoder never falls back");
    for (const [key, name] of [["compressionRatioThreshold", "compression_ratio_threshold"], ["logProbThreshold", "logprob_threshold"], ["noSpeechThreshold", "no_speech_threshold"]] as const) {
      if (given[key] !== undefined) throw new InvalidOptionError(`${name} needs the sequential path (vad_method none): WhisperX's batched decoder never falls back or skips silence`);
    }
    if (options.conditionOnPreviousText) throw new InvalidOptionError("condition_on_previous_text needs the sequential path (vad_method none): batched chunks are decoded independently, as in WhisperX");
    if (options.wordTimestamps) throw new InvalidOptionError("word_timestamps (cross-attention DTW) needs the sequential path (vad_method none)");
  }
}

/** How audio is cut before ASR: Silero VAD into ≤ chunkSize chunks (WhisperX), or openai-whisper's sequential 30 s windows. */
export type VadMethod = "silero" | "none";

/** WhisperX's `vad_options`, plus where Silero runs. */
export interface VadOptions {
  /** Speech threshold (Silero's `threshold`). */
  vadOnset: number;
  /**
   * WhisperX's offset threshold, which its Silero path ignores: null keeps that behaviour
   * (Silero's speech-end threshold is onset − 0.15); a number becomes Silero's `neg_threshold`.
   */
  vadOffset: number | null;
  /** Longest chunk in seconds (merge_chunks, and Silero's `max_speech_duration_s`). */
  chunkSize: number;
}

/** WhisperX's `default_vad_options` (its 0.363 offset only matters to its pyannote VAD). */
export const DEFAULT_VAD_OPTIONS: VadOptions = { vadOnset: 0.5, vadOffset: null, chunkSize: 30 };
