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
  return (await transcribeChunkSets(backend, [{ audio, chunks }], options))[0];
}

/** One file's audio and its VAD chunks. */
export interface ChunkSet {
  audio: AudioSamples;
  chunks: readonly VadChunk[];
}

/**
 * Transcribes the chunks of several files as one stream of batches, so many short files fill
 * whole batches (WhisperX batches within a file only). Each file's language is its own (given,
 * or detected on its first 30 s); chunks of files with the same language decode together. The
 * results are per file, in order, each as `transcribeChunks` would give it alone.
 */
export async function transcribeChunkSets(backend: WhisperBackend, sets: readonly ChunkSet[], options: ChunkTranscribeOptions = {}): Promise<TranscriptionResult[]> {
  const results: TranscriptionResult[] = [];
  const byLanguage = new Map<string, number[]>();
  for (const [i, set] of sets.entries()) {
    const detection = options.language === undefined && set.chunks.length ? await detectLanguage(backend, set.audio) : undefined;
    const language = options.language ?? detection?.language ?? "en";
    results.push({ segments: [], language, ...(detection ? { language_probs: detection.probabilities } : {}) });
    if (set.chunks.length) byLanguage.set(language, [...(byLanguage.get(language) ?? []), i]);
  }
  const total = sets.reduce((n, s) => n + s.chunks.length, 0);
  let before = 0;
  for (const [language, members] of byLanguage) {
    const decoded = await decodeSets(backend, language, members.map((i) => sets[i]), { ...options, onProgress: options.onProgress && ((done) => options.onProgress?.(before + done, total)) });
    members.forEach((i, k) => (results[i] = { ...results[i], segments: decoded[k] }));
    before += members.reduce((n, i) => n + sets[i].chunks.length, 0);
  }
  return results;
}

/** The batched decode of every chunk of `sets` in one language: segments per set. */
async function decodeSets(backend: WhisperBackend, language: string, sets: readonly ChunkSet[], options: ChunkTranscribeOptions): Promise<Segment[][]> {
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
  const pieces = sets.flatMap(({ audio, chunks }) =>
    chunks.map((c) => {
      const start = Math.trunc(c.start * SAMPLE_RATE);
      // Views: a decoded file's samples are converted batch by batch, in the backend.
      return audioRange(audio, start, Math.min(Math.trunc(c.end * SAMPLE_RATE), start + N_SAMPLES));
    }),
  );
  const temperature = options.temperature ?? 0;
  const raw = await backend.decodeChunks(pieces, rules, { ...searchStrategy(options, temperature), sampleLen: Math.floor(backend.dims.n_text_ctx / 2), batchSize: options.batchSize ?? 8, onProgress: options.onProgress });
  let next = 0;
  return sets.map(({ chunks }) =>
    chunks.map((c): Segment => {
      const r = raw[next++];
      return { text: tokenizer.decode(r.tokens), start: roundMs(c.start), end: roundMs(c.end), avg_logprob: r.sumLogprob / (r.tokens.length + 1), tokens: r.tokens };
    }),
  );
}
