/** Frame-level number of simultaneous speakers (pyannote's `speaker_count`). */
import { SEGMENTATION_FRAMES, aggregateFrames, type ChunkSegmentations } from "./frames.js";
import { roundHalfEven } from "../writers/format.js";

/**
 * The number of active local speakers per frame, averaged over the chunks that cover the frame and
 * rounded half to even (`np.rint`), on the global frame grid.
 */
export function speakerCount(segmentations: ChunkSegmentations): Uint8Array {
  const { numChunks, numFrames, numSpeakers, data } = segmentations;
  const { data: average } = aggregateFrames(
    numChunks,
    numFrames,
    1,
    segmentations.chunks,
    SEGMENTATION_FRAMES,
    (c, f) => {
      let active = 0;
      const base = (c * numFrames + f) * numSpeakers;
      for (let s = 0; s < numSpeakers; s++) active += data[base + s];
      return active;
    },
    { average: true },
  );
  const count = new Uint8Array(average.length);
  for (let i = 0; i < average.length; i++) count[i] = roundHalfEven(average[i]);
  return count;
}
