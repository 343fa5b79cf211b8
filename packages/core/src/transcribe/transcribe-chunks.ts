/**
 * WhisperX's batched ASR stage: each VAD chunk is cut from the audio
 * (`audio[int(start·sr):int(end·sr)]`), decoded greedily without timestamps, and becomes one
 * segment {text, start, end, avg_logprob} with times rounded to milliseconds.
 */
import { N_SAMPLES, SAMPLE_RATE } from "../audio/constants.js";
import { buildLogitRules } from "../decoding/logit-rules.js";
import { DEFAULT_DECODING_OPTIONS } from "../decoding/options.js";
import { WhisperTokenizer } from "../tokenizer/whisper-tokenizer.js";
import type { Segment, TranscriptionResult } from "../types.js";
import type { VadChunk } from "../vad/merge-chunks.js";
import type { WhisperBackend } from "./backend.js";

/** Options of `transcribeChunks`. */
export interface ChunkTranscribeOptions {
  language?: string;
  task?: "transcribe" | "translate";
  batchSize?: number;
  suppressTokens?: string | number[];
  suppressBlank?: boolean;
  initialPrompt?: string;
  /** Called after each batch with the chunks decoded so far and their total. */
  onProgress?: (done: number, total: number) => void;
}

/** Python's `round(x, 3)` for the sample-derived times used here (no exact decimal ties occur). */
export function roundMs(x: number): number {
  return Number(x.toFixed(3));
}

/** The language of the first 30 s (WhisperX `detect_language`). */
export async function detectLanguage(backend: WhisperBackend, audio: Float32Array): Promise<string> {
  const probe = WhisperTokenizer.forModel(backend.dims.n_vocab);
  if (backend.dims.n_vocab < 51865) return "en";
  const head = audio.subarray(0, N_SAMPLES);
  const mel = await backend.melSpectrogram(head, N_SAMPLES - head.length);
  try {
    const codes = probe.languageCodes;
    const probs = await backend.detectLanguage(mel, 0, codes.map((c) => probe.languageToken(c) as number), probe.sot);
    return codes[probs.indexOf(Math.max(...probs))];
  } finally {
    backend.release(mel);
  }
}

/** Transcribes VAD chunks of one file in batches. */
export async function transcribeChunks(backend: WhisperBackend, audio: Float32Array, chunks: readonly VadChunk[], options: ChunkTranscribeOptions = {}): Promise<TranscriptionResult> {
  const language = options.language ?? (chunks.length ? await detectLanguage(backend, audio) : "en");
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
      prompt: options.initialPrompt,
    },
    backend.dims.n_text_ctx,
    backend.dims.n_audio_ctx,
  );
  const pieces = chunks.map((c) => audio.subarray(Math.trunc(c.start * SAMPLE_RATE), Math.trunc(c.end * SAMPLE_RATE)).subarray(0, N_SAMPLES));
  const raw = await backend.decodeChunks(pieces, rules, { temperature: 0, sampleLen: Math.floor(backend.dims.n_text_ctx / 2), batchSize: options.batchSize ?? 8, onProgress: options.onProgress });
  const segments: Segment[] = raw.map((r, i) => ({
    text: tokenizer.decode(r.tokens),
    start: roundMs(chunks[i].start),
    end: roundMs(chunks[i].end),
    avg_logprob: r.sumLogprob / (r.tokens.length + 1),
    tokens: r.tokens,
  }));
  return { segments, language };
}
