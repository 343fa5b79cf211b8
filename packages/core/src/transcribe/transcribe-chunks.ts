/**
 * WhisperX's batched ASR stage: each VAD chunk is cut from the audio
 * (`audio[int(start·sr):int(end·sr)]`), decoded greedily without timestamps, and becomes one
 * segment {text, start, end, avg_logprob} with times rounded to milliseconds.
 */
import { audioRange, type AudioSamples } from "../audio/audio-samples.js";
import { N_SAMPLES, SAMPLE_RATE } from "../audio/constants.js";
import { buildLogitRules } from "../decoding/logit-rules.js";
import { DEFAULT_DECODING_OPTIONS } from "../decoding/options.js";
import { WhisperTokenizer } from "../tokenizer/whisper-tokenizer.js";
import type { Segment, TranscriptionResult } from "../types.js";
import type { VadChunk } from "../vad/merge-chunks.js";
import type { WhisperBackend } from "./backend.js";
import { detectLanguage } from "./language.js";
import { searchStrategy, type SearchOptions } from "../decoding/search-options.js";
import { pythonRound3 } from "../util/python-numerics.js";

/** Options of `transcribeChunks`. */
export interface ChunkTranscribeOptions extends SearchOptions {
  language?: string;
  task?: "transcribe" | "translate";
  /** Temperature of the one decode (WhisperX: 0; it never falls back on this path). */
  temperature?: number;
  batchSize?: number;
  suppressTokens?: string | number[];
  suppressBlank?: boolean;
  suppressNumerals?: boolean;
  initialPrompt?: string;
  prefix?: string;
  hotwords?: string;
  /** Called after each batch with the chunks decoded so far and their total. */
  onProgress?: (done: number, total: number) => void;
}

/** Python's `round(x, 3)`, as WhisperX rounds chunk times. */
export const roundMs = pythonRound3;

/** Transcribes VAD chunks of one file in batches. */
export async function transcribeChunks(backend: WhisperBackend, audio: AudioSamples, chunks: readonly VadChunk[], options: ChunkTranscribeOptions = {}): Promise<TranscriptionResult> {
  const detection = options.language === undefined && chunks.length ? await detectLanguage(backend, audio) : undefined;
  const language = options.language ?? detection?.language ?? "en";
  if (chunks.length === 0) return { segments: [], language };
  const tokenizer = WhisperTokenizer.forModel(backend.dims.n_vocab, { language, task: options.task ?? "transcribe" });
  const rules = buildLogitRules(
    tokenizer,
    {
      ...DEFAULT_DECODING_OPTIONS,
      language,
      task: options.task ?? "transcribe",
      withoutTimestamps: true,
      suppressTokens: options.suppressTokens ?? "-1",
      suppressBlank: options.suppressBlank ?? true,
      suppressNumerals: options.suppressNumerals,
      prompt: options.initialPrompt,
      prefix: options.prefix,
      hotwords: options.hotwords,
    },
    backend.dims.n_text_ctx,
    backend.dims.n_audio_ctx,
  );
  const pieces = chunks.map((c) => {
    const start = Math.trunc(c.start * SAMPLE_RATE);
    // Views: a decoded file's samples are converted batch by batch, in the backend.
    return audioRange(audio, start, Math.min(Math.trunc(c.end * SAMPLE_RATE), start + N_SAMPLES));
  });
  const temperature = options.temperature ?? 0;
  const raw = await backend.decodeChunks(pieces, rules, { ...searchStrategy(options, temperature), sampleLen: Math.floor(backend.dims.n_text_ctx / 2), batchSize: options.batchSize ?? 8, onProgress: options.onProgress });
  const segments: Segment[] = raw.map((r, i) => ({
    text: tokenizer.decode(r.tokens),
    start: roundMs(chunks[i].start),
    end: roundMs(chunks[i].end),
    avg_logprob: r.sumLogprob / (r.tokens.length + 1),
    tokens: r.tokens,
  }));
  return { segments, language, ...(detection ? { language_probs: detection.probabilities } : {}) };
}
