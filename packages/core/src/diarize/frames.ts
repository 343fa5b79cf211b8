/**
 * pyannote.core's `SlidingWindow` arithmetic, to the float: chunk and frame positions must land on
 * exactly pyannote's frame indices or the aggregated counts shift by one frame.
 */

import { roundHalfEven } from "../writers/format.js";

/** A regular grid of windows: window i covers [start + i·step, start + i·step + duration]. */
export class SlidingWindow {
  constructor(
    readonly start: number,
    readonly duration: number,
    readonly step: number,
  ) {}

  /** Index of the window whose centre is closest to `t` (pyannote's `closest_frame`). */
  closestFrame(t: number): number {
    return roundHalfEven((t - this.start - 0.5 * this.duration) / this.step);
  }

  /** Middle of window i, computed as pyannote's `Segment.middle`. */
  middle(i: number): number {
    const start = this.start + i * this.step;
    return 0.5 * (start + (start + this.duration));
  }
}

/** The receptive field of PyanNet's output frames (segmentation-3.0): 991 samples, 270-sample step, at 16 kHz. */
export const SEGMENTATION_FRAMES = new SlidingWindow(0, 991 / 16000, 270 / 16000);

/** Hard (0/1) local-speaker activity per chunk: `data[(c·numFrames + f)·numSpeakers + s]`. */
export interface ChunkSegmentations {
  numChunks: number;
  numFrames: number;
  numSpeakers: number;
  data: Uint8Array;
  /** Start, duration and step of the chunks in seconds (pyannote: 0, 10, 1). */
  chunks: SlidingWindow;
}

/**
 * pyannote's `Inference.aggregate` without Hamming or warm-up: every chunk's frames are added onto the
 * global frame grid at `closest_frame(chunk.start + duration/2)`; `average` divides by the number of
 * chunks that cover each frame. Values are float32, as in pyannote.
 */
export function aggregateFrames(
  numChunks: number,
  numFrames: number,
  numClasses: number,
  chunks: SlidingWindow,
  frames: SlidingWindow,
  value: (chunk: number, frame: number, cls: number) => number,
  options: { average: boolean },
): { numGlobalFrames: number; data: Float32Array } {
  const grid = new SlidingWindow(chunks.start, frames.duration, frames.step);
  const numGlobalFrames = grid.closestFrame(chunks.start + chunks.duration + (numChunks - 1) * chunks.step + 0.5 * grid.duration) + 1;
  const sum = new Float32Array(numGlobalFrames * numClasses);
  const covered = new Float32Array(numGlobalFrames * numClasses);
  for (let c = 0; c < numChunks; c++) {
    const startFrame = grid.closestFrame(chunks.start + c * chunks.step + 0.5 * grid.duration);
    for (let f = 0; f < numFrames; f++) {
      const g = startFrame + f;
      if (g >= numGlobalFrames) break;
      for (let k = 0; k < numClasses; k++) {
        const v = value(c, f, k);
        if (Number.isNaN(v)) continue;
        sum[g * numClasses + k] = Math.fround(sum[g * numClasses + k] + v);
        covered[g * numClasses + k] += 1;
      }
    }
  }
  if (options.average) {
    for (let i = 0; i < sum.length; i++) sum[i] = covered[i] > 0 ? Math.fround(sum[i] / covered[i]) : 0;
  }
  // Frames no chunk covers are "missing" (0 in both of the pipeline's uses).
  return { numGlobalFrames, data: sum };
}
