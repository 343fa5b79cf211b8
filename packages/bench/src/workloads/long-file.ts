/**
 * The long-file memory workload: a 2-hour 16 kHz WAV (longform_000 looped, written block by
 * block) through the whole pipeline (VAD, batched ASR at WhisperX's defaults, alignment) in a
 * fresh Node process, as the CLI runs it, with that process's peak RSS (`VmHWM`, polled).
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadAudio } from "@whisperx-mlx/core";
import { runMeasuredChild, userEnvironment } from "./measured-child.js";
import { toPcm16, wavHeader } from "../wav-file.js";
import type { PipelineModels } from "./pipeline.js";

/** What one long-file run measured. */
export interface LongFileResult {
  engine: "mlx" | "onnx";
  audioSeconds: number;
  /** Peak resident memory of the process, MiB. */
  peakRssMib: number;
  seconds: number;
  segments: number;
  words: number;
}

/** Writes `seconds` of `source` looped as a 16-bit mono 16 kHz WAV, without holding it in memory. */
export async function writeLoopedWav(source: string, seconds: number, dest: string): Promise<void> {
  const audio = await loadAudio(source);
  const total = seconds * 16000;
  const header = wavHeader(total);
  const pcm = toPcm16(audio);
  const fd = openSync(dest, "w");
  try {
    writeSync(fd, header);
    for (let left = total * 2; left > 0; left -= pcm.length) writeSync(fd, pcm, 0, Math.min(left, pcm.length));
  } finally {
    closeSync(fd);
  }
}

/** Runs the pipeline over `file` in a child process and returns its peak RSS and output size. */
export async function runLongFile(models: PipelineModels, engine: "mlx" | "onnx", file: string, audioSeconds: number): Promise<LongFileResult> {
  const child = fileURLToPath(new URL("./long-file-child.js", import.meta.url));
  const { result, seconds, peakRssMib } = await runMeasuredChild<{ peakRssMib: number; segments: number; words: number }>(child, [models.whisper, models.align, engine, file], `long-file run (${engine})`, userEnvironment(engine));
  return { engine, audioSeconds, peakRssMib, seconds, segments: result.segments, words: result.words };
}
