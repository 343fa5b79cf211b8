/**
 * Memory over a long stream (issue 17): an hour of audio through `transcribeStream` in a fresh
 * process. The buffer must stay within the 30 s cap plus one chunk, and the process's RSS after
 * a full GC must not grow from the first sample (5 minutes in) to the end by more than 50 MB.
 */
import { fileURLToPath } from "node:url";
import { runMeasuredChild, userEnvironment } from "./measured-child.js";

/** What the child measures. */
export interface StreamMemoryChildResult {
  peakRssMib: number;
  maxBufferSeconds: number;
  passes: number;
  words: number;
  /** RSS after a full GC, every `sampleEveryMinutes` of stream audio. */
  rss: { minute: number; rssMib: number }[];
}

/** What one long-stream run measured. */
export interface StreamMemoryResult extends StreamMemoryChildResult {
  engine: "mlx" | "onnx";
  minutes: number;
  minChunkSize: number;
  seconds: number;
  /** RSS after GC at the end minus at the first sample, MiB. */
  rssGrowthMib: number;
}

/** The run's shape: minutes of audio, seconds of new audio per pass, RSS sampling interval. */
export function streamMemoryPlan(minutes: number): { minutes: number; minChunkSize: number; sampleEveryMinutes: number } {
  // 5 s per pass: 720 passes for an hour, each over a buffer of up to 30 s.
  return { minutes, minChunkSize: 5, sampleEveryMinutes: 5 };
}

/** Streams `minutes` of the fixture clips in a child process and returns its buffer and RSS figures. */
export async function runStreamMemory(whisper: string, engine: "mlx" | "onnx", audioDir: string, minutes = 60): Promise<StreamMemoryResult> {
  const child = fileURLToPath(new URL("./stream-memory-child.js", import.meta.url));
  const { result, seconds, peakRssMib } = await runMeasuredChild<StreamMemoryChildResult>(child, [whisper, engine, audioDir, String(minutes)], `stream memory run (${engine})`, userEnvironment(engine));
  const first = result.rss[0]?.rssMib ?? Number.NaN;
  const last = result.rss.at(-1)?.rssMib ?? Number.NaN;
  return { ...result, peakRssMib, engine, minutes, minChunkSize: streamMemoryPlan(minutes).minChunkSize, seconds, rssGrowthMib: last - first };
}
