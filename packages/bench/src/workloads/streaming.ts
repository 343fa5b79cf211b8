/**
 * Streaming against offline on the same audio, at real-time pace on the default engine: WER of
 * the committed text and of the offline transcript (openai-whisper's sequential path with DTW
 * word times, the same decoding options), and each committed word's latency: its emission time
 * minus the end of the same word in the offline transcript, computed by ÚFAL's latency tool
 * (`asr-latency.ts`) with the offline words as its gold.
 */
import { loadAudio, transcribeStream, type AsrPipeline, type StreamWord } from "@whisperx-mlx/core";
import { wordLatencies } from "../asr-latency.js";
import { wordErrorRate } from "../wer.js";

/** One clip of the streaming workload. */
export interface StreamingClip {
  id: string;
  file: string;
  groundTruth: string;
}

/** What the streaming workload measured. */
export interface StreamingResult {
  engine: "mlx" | "onnx";
  clock: "realtime" | "unaware";
  clips: number;
  audioSeconds: number;
  /** WER against the ground truth of the committed text, and of the offline transcript. */
  werStream: number;
  werOffline: number;
  /** Word latency over matched words, seconds: mean, p50, p95. */
  latency: { mean: number; p50: number; p95: number; words: number };
  /** Longest buffer any pass saw, seconds. */
  maxBufferSeconds: number;
  /** Worst lag behind the input: audio received minus audio processed when a pass ended, seconds. */
  maxLagSeconds: number;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : Number.NaN;
}

/** Feeds `audio` in 100 ms blocks at its own pace (or at once, for the unaware clock). */
async function* feed(audio: Float32Array, paced: boolean, startedAt: number, received: { seconds: number }): AsyncGenerator<Float32Array> {
  for (let i = 0; i < audio.length; i += 1600) {
    if (paced) {
      const due = startedAt + ((i + 1600) / 16000) * 1000 - performance.now();
      if (due > 0) await new Promise((r) => setTimeout(r, due));
    }
    received.seconds = Math.min(audio.length, i + 1600) / 16000;
    yield audio.subarray(i, i + 1600);
  }
}

export async function runStreaming(pipeline: AsrPipeline, clips: StreamingClip[], clock: "realtime" | "unaware"): Promise<StreamingResult> {
  const latencies: number[] = [];
  const streamPairs: [string, string][] = [];
  const offlinePairs: [string, string][] = [];
  let audioSeconds = 0;
  let maxBuffer = 0;
  let maxLag = 0;
  // Every offline transcript first: fallback passes draw from the model's seeded sampling stream,
  // so an offline decode made after a stream's passes would depend on how many they drew.
  const offlines = [];
  for (const clip of clips) offlines.push(await pipeline.decodeWindows(await loadAudio(clip.file), { wordTimestamps: true }));
  for (const [k, clip] of clips.entries()) {
    const audio = await loadAudio(clip.file);
    audioSeconds += audio.length / 16000;
    const offline = offlines[k];
    const offlineWords: StreamWord[] = offline.segments.flatMap((s) => (s.words ?? []).map((w) => ({ word: w.word, start: w.start ?? s.start, end: w.end ?? s.end })));
    const committed: (StreamWord & { emittedAt: number })[] = [];
    const startedAt = performance.now();
    const received = { seconds: 0 };
    for await (const u of transcribeStream(feed(audio, clock === "realtime", startedAt, received), {
      model: pipeline,
      clock: clock === "realtime" ? "wall" : "audio",
      startedAt,
      onPass: (s) => (maxBuffer = Math.max(maxBuffer, s.bufferSeconds)),
    })) {
      if (clock === "realtime") maxLag = Math.max(maxLag, received.seconds - u.audioTime);
      for (const w of u.committed) committed.push({ ...w, emittedAt: u.emittedAt });
    }
    const gold = offlineWords.map((w) => ({ word: w.word.trim(), time: w.end }));
    latencies.push(...wordLatencies(gold, committed.map((w) => ({ word: w.word.trim(), time: w.emittedAt }))));
    streamPairs.push([clip.groundTruth, committed.map((w) => w.word).join("")]);
    offlinePairs.push([clip.groundTruth, offline.segments.map((s) => s.text).join("")]);
  }
  const mean = latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length);
  return {
    engine: pipeline.engine,
    clock,
    clips: clips.length,
    audioSeconds,
    werStream: wordErrorRate(streamPairs).wer,
    werOffline: wordErrorRate(offlinePairs).wer,
    latency: { mean, p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), words: latencies.length },
    maxBufferSeconds: maxBuffer,
    maxLagSeconds: maxLag,
  };
}
