/** Progress reports of the long stages (VAD, transcription, alignment, downloads, conversion). */

/** Which stage a progress report is about. */
export type ProgressStage = "vad" | "transcribe" | "align" | "diarize" | "download" | "convert";

/** One progress report: `done` of `total` units (batches, segments, bytes…) of `stage`. */
export interface Progress {
  stage: ProgressStage;
  done: number;
  total: number;
  /** 100·done/total, as WhisperX's `progress_callback` receives it. */
  percent: number;
}

/** Receives progress reports. */
export type ProgressCallback = (progress: Progress) => void;

/** A report with its percentage filled in (0 units of 0 count as done). */
export function progressOf(stage: ProgressStage, done: number, total: number): Progress {
  return { stage, done, total, percent: total > 0 ? (100 * done) / total : 100 };
}
