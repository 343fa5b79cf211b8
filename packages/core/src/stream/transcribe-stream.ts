/**
 * `transcribeStream`: live transcription of an async source of 16 kHz samples on any engine,
 * with the pipeline's decoding options. Each pass is openai-whisper's `transcribe` over the
 * buffer with DTW word times (no aligner per pass); `OnlineTranscriber` decides what commits.
 */
import { SAMPLE_RATE } from "../audio/constants.js";
import type { AsrPipeline } from "../pipeline/asr-pipeline.js";
import { ChunkQueue } from "./chunk-queue.js";
import { OnlineTranscriber, type OnlinePolicyOptions, type RecognizedSegment } from "./online-transcriber.js";
import type { StreamUpdate } from "./stream-types.js";

/** What a stream needs of a loaded model (an `AsrPipeline`, or a wrapper that queues its calls). */
export type StreamModel = Pick<AsrPipeline, "decodeWindows">;

/** Options of `transcribeStream`. */
export interface StreamOptions extends OnlinePolicyOptions {
  /** The loaded model; its decoding options (beam size, temperatures, …) apply to every pass. */
  model: StreamModel;
  /** Language of the stream (default: the pipeline's, else detected on the first pass and kept). */
  language?: string;
  /** Seconds of new audio a pass waits for (default 1). */
  minChunkSize?: number;
  /**
   * `wall`: a live source; each pass takes what arrived (at least `minChunkSize`), and
   * `emittedAt` is wall seconds since `startedAt`. `audio` (computationally unaware): passes
   * every `minChunkSize` of audio, and `emittedAt` is the audio consumed. Default `wall`.
   */
  clock?: "wall" | "audio";
  /** performance.now() of the stream's time zero (default: when the first samples arrive). */
  startedAt?: number;
  /** `offline`: one pass over the whole source, everything committed (for testing). Default `online`. */
  mode?: "online" | "offline";
  /** Called after each pass with the buffer length in seconds (for bounds checks and metrics). */
  onPass?: (stats: { bufferSeconds: number; passSeconds: number }) => void;
}

/** Most new audio one live pass takes, so a source faster than real time cannot swamp a pass. */
const MAX_TAKE_SECONDS = 10;

/** Transcribes `source` as it arrives; yields one update per pass and a `final` one at its end. */
export async function* transcribeStream(source: AsyncIterable<Float32Array>, options: StreamOptions): AsyncGenerator<StreamUpdate> {
  const { model } = options;
  let language = options.language;
  const recognize = async (audio: Float32Array, prompt: string | undefined): Promise<RecognizedSegment[]> => {
    const r = await model.decodeWindows(audio, { initialPrompt: prompt, wordTimestamps: true, ...(language !== undefined ? { language } : {}) });
    language ??= r.language;
    return r.segments.map((s) => ({ end: s.end, noSpeechProb: s.no_speech_prob, words: (s.words ?? []).map((w) => ({ word: w.word, start: w.start ?? s.start, end: w.end ?? s.end })) }));
  };
  const online = new OnlineTranscriber(recognize, options);
  const clockMode = options.clock ?? "wall";
  const queue = new ChunkQueue(source, clockMode === "wall" && options.mode !== "offline");
  const emittedAt = () => {
    if (clockMode === "audio") return online.audioTime;
    const zero = options.startedAt ?? queue.firstArrival ?? performance.now();
    return (performance.now() - zero) / 1000;
  };

  if (options.mode === "offline") {
    for (let piece = await queue.take(1); piece; piece = await queue.take(1)) online.insert(piece);
    const committed = await online.processAll();
    yield { committed, tentative: [], audioTime: online.audioTime, emittedAt: emittedAt(), final: true };
    return;
  }
  const minSamples = Math.max(1, Math.round((options.minChunkSize ?? 1) * SAMPLE_RATE));
  for (;;) {
    const piece = clockMode === "audio" ? await queue.take(minSamples, minSamples) : await queue.take(minSamples, MAX_TAKE_SECONDS * SAMPLE_RATE, true);
    if (!piece) break;
    online.insert(piece);
    const t0 = performance.now();
    const committed = await online.process();
    options.onPass?.({ bufferSeconds: online.bufferSeconds, passSeconds: (performance.now() - t0) / 1000 });
    yield { committed, tentative: online.tentative, audioTime: online.audioTime, emittedAt: emittedAt(), final: false };
  }
  yield { committed: online.finish(), tentative: [], audioTime: online.audioTime, emittedAt: emittedAt(), final: true };
}
