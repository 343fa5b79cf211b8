/**
 * `transcribeStream`: live transcription of an async source of 16 kHz samples on any engine,
 * with the pipeline's decoding options. Each pass is openai-whisper's `transcribe` over the
 * buffer with DTW word times (no aligner per pass); `OnlineTranscriber` decides what commits.
 */
import { SAMPLE_RATE } from "../audio/constants.js";
import type { AsrPipeline } from "../pipeline/asr-pipeline.js";
import { ChunkQueue } from "./chunk-queue.js";
import { OnlineTranscriber, type BufferRecognizer, type OnlinePolicyOptions, type RecognizedSegment } from "./online-transcriber.js";
import type { StreamUpdate } from "./stream-types.js";
import { VoiceActivityGate, type VacOptions } from "./voice-activity-gate.js";

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
  /**
   * The voice-activity controller: passes run on speech only; each utterance starts a fresh
   * buffer (no prompt) and ends with a `final` update when speech stops.
   */
  vac?: VacOptions;
  /** With `vac`: called after each block with the stream seconds the controller has followed. */
  onAudio?: (seconds: number) => void;
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

  if (options.vac && options.mode !== "offline") {
    yield* transcribeVoiced(queue, recognize, options, options.vac, emittedAt, clockMode);
    return;
  }
  if (options.mode === "offline") {
    for (let piece = await queue.take(1); piece; piece = await queue.take(1)) online.insert(piece);
    const committed = await online.processAll();
    yield { committed, tentative: [], audioTime: online.audioTime, emittedAt: emittedAt(), final: true };
    return;
  }
  const minSamples = Math.max(1, Math.round((options.minChunkSize ?? 1) * SAMPLE_RATE));
  for (;;) {
    const piece = clockMode === "audio" ? await queue.take(minSamples, minSamples) : await queue.take(minSamples, MAX_TAKE_SECONDS * SAMPLE_RATE);
    if (!piece) break;
    online.insert(piece);
    const t0 = performance.now();
    const committed = await online.process();
    options.onPass?.({ bufferSeconds: online.bufferSeconds, passSeconds: (performance.now() - t0) / 1000 });
    yield { committed, tentative: online.tentative, audioTime: online.audioTime, emittedAt: emittedAt(), final: false };
  }
  yield { committed: online.finish(), tentative: [], audioTime: online.audioTime, emittedAt: emittedAt(), final: true };
}

/** The stream with the voice-activity controller: one `OnlineTranscriber` per utterance. */
async function* transcribeVoiced(
  queue: ChunkQueue,
  recognize: BufferRecognizer,
  options: StreamOptions,
  vac: VacOptions,
  wallClock: () => number,
  clockMode: "wall" | "audio",
): AsyncGenerator<StreamUpdate> {
  const gate = new VoiceActivityGate(vac);
  const emittedAt = () => (clockMode === "audio" ? gate.samples / SAMPLE_RATE : wallClock());
  const minSamples = Math.max(1, Math.round((options.minChunkSize ?? 1) * SAMPLE_RATE));
  let online: OnlineTranscriber | undefined;
  let fresh = 0;
  const audioTime = () => gate.samples / SAMPLE_RATE;
  const pass = async (): Promise<StreamUpdate> => {
    const o = online as OnlineTranscriber;
    fresh = 0;
    const t0 = performance.now();
    const committed = await o.process();
    options.onPass?.({ bufferSeconds: o.bufferSeconds, passSeconds: (performance.now() - t0) / 1000 });
    return { committed, tentative: o.tentative, audioTime: audioTime(), emittedAt: emittedAt(), final: false };
  };
  const end = async function* (): AsyncGenerator<StreamUpdate> {
    if (!online) return;
    if (fresh) yield await pass();
    yield { committed: online.finish(), tentative: [], audioTime: audioTime(), emittedAt: emittedAt(), final: true };
    online = undefined;
  };
  for (let block = await queue.take(1, minSamples); block; block = await queue.take(1, minSamples)) {
    for (const event of await gate.push(block)) {
      if (event.type === "start") online = new OnlineTranscriber(recognize, options, event.time);
      else if (event.type === "end") yield* end();
      else if (online) {
        online.insert(event.samples);
        fresh += event.samples.length;
        if (fresh >= minSamples) yield await pass();
      }
    }
    options.onAudio?.(audioTime());
  }
  if (online) yield* end();
  else yield { committed: [], tentative: [], audioTime: audioTime(), emittedAt: emittedAt(), final: true };
}
