/**
 * openai-whisper's `transcribe`: the seek loop over 30 s windows, timestamp tokens → segments,
 * temperature fallback decisions and the last-segment/seek rules, driven over any backend.
 */
import { HOP_LENGTH, N_FRAMES, N_SAMPLES, SAMPLE_RATE } from "../audio/constants.js";
import { compressionRatio } from "../decoding/compression.js";
import { buildLogitRules } from "../decoding/logit-rules.js";
import type { DecodingOptions, DecodingResult } from "../decoding/options.js";
import { WhisperTokenizer } from "../tokenizer/whisper-tokenizer.js";
import type { Segment, TranscriptionResult } from "../types.js";
import type { MelHandle, WhisperBackend } from "./backend.js";
import { addWordTimestamps } from "./timing.js";
import { detectLanguageOfMel, type LanguageDetection } from "./language.js";
import { roundHalfEven } from "../writers/format.js";
import { searchStrategy, type SearchOptions } from "../decoding/search-options.js";
import { seededRandom } from "../decoding/sampling.js";

/** Options of `transcribe` (openai-whisper names in camelCase). */
export interface TranscribeOptions extends SearchOptions {
  language?: string;
  task?: "transcribe" | "translate";
  /** One temperature, or the fallback sequence. */
  temperature?: number | number[];
  compressionRatioThreshold?: number | null;
  logprobThreshold?: number | null;
  noSpeechThreshold?: number | null;
  conditionOnPreviousText?: boolean;
  initialPrompt?: string;
  /** Text every window's decoding starts with (openai-whisper's `prefix`). */
  prefix?: string;
  /** faster-whisper's `hotwords`: context after `<|startofprev|>`, before the previous text. */
  hotwords?: string;
  suppressTokens?: string | number[];
  suppressBlank?: boolean;
  suppressNumerals?: boolean;
  maxInitialTimestamp?: number | null;
  /** Word timestamps from cross-attention DTW (openai-whisper `word_timestamps=True`). */
  wordTimestamps?: boolean;
  /** Alignment heads as [layer, head]; default: every head of the last half of the layers. */
  alignmentHeads?: [number, number][];
  /** Called after each window with the seconds done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Thresholds of openai-whisper's fallback (null: that test is off). */
export interface FallbackThresholds {
  compression: number | null;
  logprob: number | null;
  noSpeech: number | null;
}

/**
 * openai-whisper's `decode_with_fallback` test: too repetitive (compression ratio) or too unlikely
 * (average log-probability) needs a retry at the next temperature, unless the window is silence
 * (no-speech probability above its threshold while the log-probability is low).
 */
export function fallbackNeeded(r: Pick<DecodingResult, "compressionRatio" | "avgLogprob" | "noSpeechProb">, t: FallbackThresholds): boolean {
  let needed = false;
  if (t.compression !== null && r.compressionRatio > t.compression) needed = true;
  if (t.logprob !== null && r.avgLogprob < t.logprob) needed = true;
  if (t.noSpeech !== null && r.noSpeechProb > t.noSpeech && t.logprob !== null && r.avgLogprob < t.logprob) needed = false;
  return needed;
}

/** Decodes one window, retrying at higher temperatures when the result looks degenerate. */
async function decodeWithFallback(
  backend: WhisperBackend,
  tokenizer: WhisperTokenizer,
  mel: MelHandle,
  seek: number,
  size: number,
  base: DecodingOptions,
  temperatures: number[],
  thresholds: FallbackThresholds,
  search: SearchOptions,
): Promise<DecodingResult> {
  let result: DecodingResult | undefined;
  for (const t of temperatures) {
    const options = { ...base, temperature: t };
    const rules = buildLogitRules(tokenizer, options, backend.dims.n_text_ctx, backend.dims.n_audio_ctx);
    const sampleLen = options.sampleLen ?? Math.floor(backend.dims.n_text_ctx / 2);
    // Beams at temperature 0, best-of samples above it (openai-whisper's decode_with_fallback).
    const raw = await backend.decodeWindow(mel, seek, size, rules, { ...searchStrategy(search, t), sampleLen });
    const text = tokenizer.decode(raw.tokens).trim();
    result = {
      language: options.language ?? "en",
      tokens: raw.tokens,
      text,
      avgLogprob: raw.sumLogprob / (raw.tokens.length + 1),
      noSpeechProb: raw.noSpeechProb,
      temperature: t,
      compressionRatio: compressionRatio(text),
    };
    const needsFallback = fallbackNeeded(result, thresholds);
    if (!needsFallback) break;
  }
  return result as DecodingResult;
}

/** Transcribes 16 kHz mono audio with openai-whisper's sequential algorithm. */
export async function transcribe(backend: WhisperBackend, audio: Float32Array, options: TranscribeOptions = {}): Promise<TranscriptionResult> {
  const dims = backend.dims;
  const temperatures = Array.isArray(options.temperature) ? options.temperature : [options.temperature ?? 0];
  const thresholds = {
    compression: options.compressionRatioThreshold === undefined ? 2.4 : options.compressionRatioThreshold,
    logprob: options.logprobThreshold === undefined ? -1.0 : options.logprobThreshold,
    noSpeech: options.noSpeechThreshold === undefined ? 0.6 : options.noSpeechThreshold,
  };
  const conditionOnPrevious = options.conditionOnPreviousText ?? true;
  const searchOptions: SearchOptions = { beamSize: options.beamSize, patience: options.patience, lengthPenalty: options.lengthPenalty, bestOf: options.bestOf, random: options.random ?? seededRandom(0) };
  const mel = await backend.melSpectrogram(audio, N_SAMPLES);
  try {
    const contentFrames = mel.frames - N_FRAMES;
    const task = options.task ?? "transcribe";
    const detection = options.language === undefined ? await detectLanguageOfMel(backend, mel, 0) : undefined;
    const language = options.language ?? (detection as LanguageDetection).language;
    const tokenizer = WhisperTokenizer.forModel(dims.n_vocab, { language, task });
    const inputStride = N_FRAMES / dims.n_audio_ctx;
    const timePrecision = (inputStride * HOP_LENGTH) / SAMPLE_RATE;
    const allTokens: number[] = [];
    const allSegments: Segment[] = [];
    let promptResetSince = 0;
    const initialPromptTokens = options.initialPrompt ? tokenizer.encode(" " + options.initialPrompt.trim()) : [];
    allTokens.push(...initialPromptTokens);
    const base: DecodingOptions = {
      task,
      language,
      temperature: 0,
      suppressTokens: options.suppressTokens ?? "-1",
      suppressBlank: options.suppressBlank ?? true,
      suppressNumerals: options.suppressNumerals,
      prefix: options.prefix,
      hotwords: options.hotwords,
      withoutTimestamps: false,
      maxInitialTimestamp: options.maxInitialTimestamp === undefined ? 1.0 : options.maxInitialTimestamp,
    };

    let seek = 0;
    let lastSpeechTimestamp = 0;
    while (seek < contentFrames) {
      const timeOffset = (seek * HOP_LENGTH) / SAMPLE_RATE;
      const segmentSize = Math.min(N_FRAMES, contentFrames - seek);
      const segmentDuration = (segmentSize * HOP_LENGTH) / SAMPLE_RATE;
      const result = await decodeWithFallback(backend, tokenizer, mel, seek, segmentSize, { ...base, prompt: allTokens.slice(promptResetSince) }, temperatures, thresholds, searchOptions);
      const tokens = result.tokens;

      if (thresholds.noSpeech !== null) {
        let skip = result.noSpeechProb > thresholds.noSpeech;
        if (thresholds.logprob !== null && result.avgLogprob > thresholds.logprob) skip = false;
        if (skip) {
          seek += segmentSize;
          continue;
        }
      }

      const previousSeek = seek;
      const current: Segment[] = [];
      const newSegment = (start: number, end: number, segTokens: number[]): Segment => ({
        seek,
        start,
        end,
        text: tokenizer.decode(segTokens.filter((t) => t < tokenizer.eot)),
        tokens: segTokens,
        temperature: result.temperature,
        avg_logprob: result.avgLogprob,
        compression_ratio: result.compressionRatio,
        no_speech_prob: result.noSpeechProb,
      });
      const isTs = tokens.map((t) => t >= tokenizer.timestampBegin);
      const singleTimestampEnding = isTs.length >= 2 && !isTs[isTs.length - 2] && isTs[isTs.length - 1];
      const consecutive: number[] = [];
      for (let i = 0; i + 1 < isTs.length; i++) if (isTs[i] && isTs[i + 1]) consecutive.push(i + 1);

      if (consecutive.length > 0) {
        const slices = [...consecutive];
        if (singleTimestampEnding) slices.push(tokens.length);
        let lastSlice = 0;
        for (const cur of slices) {
          const sliced = tokens.slice(lastSlice, cur);
          const startPos = sliced[0] - tokenizer.timestampBegin;
          const endPos = sliced[sliced.length - 1] - tokenizer.timestampBegin;
          current.push(newSegment(timeOffset + startPos * timePrecision, timeOffset + endPos * timePrecision, sliced));
          lastSlice = cur;
        }
        if (singleTimestampEnding) seek += segmentSize;
        else seek += (tokens[lastSlice - 1] - tokenizer.timestampBegin) * inputStride;
      } else {
        let duration = segmentDuration;
        const timestamps = tokens.filter((t) => t >= tokenizer.timestampBegin);
        if (timestamps.length > 0 && timestamps[timestamps.length - 1] !== tokenizer.timestampBegin) {
          duration = (timestamps[timestamps.length - 1] - tokenizer.timestampBegin) * timePrecision;
        }
        current.push(newSegment(timeOffset, timeOffset + duration, tokens));
        seek += segmentSize;
      }

      if (options.wordTimestamps) {
        lastSpeechTimestamp = await addWordTimestamps(backend, tokenizer, current, mel, previousSeek, segmentSize, lastSpeechTimestamp, { heads: options.alignmentHeads ?? backend.alignmentHeads });
        // openai-whisper's get_end: the last word's end, else the last segment's end
        const getEnd = () => current.flatMap((s) => s.words ?? []).map((w) => w.end as number).pop() ?? current[current.length - 1]?.end;
        if (!singleTimestampEnding) {
          const lastWordEnd = getEnd();
          if (lastWordEnd !== undefined && lastWordEnd > timeOffset) seek = roundHalfEven(lastWordEnd * 100);
        }
        lastSpeechTimestamp = getEnd() ?? lastSpeechTimestamp;
      }

      // An instantaneous or empty segment is kept, but emptied (as openai-whisper does).
      for (const s of current) {
        if (s.start === s.end || s.text.trim() === "") {
          s.text = "";
          s.tokens = [];
          if (s.words) s.words = [];
        }
      }
      for (const s of current) allSegments.push({ id: allSegments.length, ...s });
      for (const s of current) allTokens.push(...(s.tokens ?? []));
      if (!conditionOnPrevious || result.temperature > 0.5) promptResetSince = allTokens.length;
      options.onProgress?.(Math.min(seek, contentFrames) * HOP_LENGTH / SAMPLE_RATE, contentFrames * HOP_LENGTH / SAMPLE_RATE);
    }
    return {
      text: tokenizer.decode(allTokens.slice(initialPromptTokens.length)),
      segments: allSegments,
      language,
      ...(detection ? { language_probs: detection.probabilities } : {}),
    };
  } finally {
    backend.release(mel);
  }
}
