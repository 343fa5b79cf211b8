/**
 * WhisperX's `asr_options` and `vad_options` in camelCase, with WhisperX's defaults
 * (`asr.py` `load_model`, `__main__.py`).
 */
import { DEFAULT_TEMPERATURES } from "../transcribe/temperatures.js";

/** Decoding options of the ASR stage. */
export interface AsrOptions {
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
  temperatures: [...DEFAULT_TEMPERATURES],
  compressionRatioThreshold: 2.4,
  logProbThreshold: -1.0,
  noSpeechThreshold: 0.6,
  conditionOnPreviousText: false,
  suppressTokens: [-1],
  suppressBlank: true,
  wordTimestamps: false,
};

/** How audio is cut before ASR: Silero VAD into ≤ chunkSize chunks (WhisperX), or openai-whisper's sequential 30 s windows. */
export type VadMethod = "silero" | "none";

/** WhisperX's `vad_options`, plus where Silero runs. */
export interface VadOptions {
  /** Speech threshold (Silero's `threshold`). */
  vadOnset: number;
  /** WhisperX's offset threshold; its Silero path does not use it, nor do we. */
  vadOffset: number;
  /** Longest chunk in seconds (merge_chunks, and Silero's `max_speech_duration_s`). */
  chunkSize: number;
}

/** WhisperX's `default_vad_options`. */
export const DEFAULT_VAD_OPTIONS: VadOptions = { vadOnset: 0.5, vadOffset: 0.363, chunkSize: 30 };
