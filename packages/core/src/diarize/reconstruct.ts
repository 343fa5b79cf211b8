/**
 * From clustered chunks back to global speaker turns (pyannote's `reconstruct`, `to_diarization`,
 * `Binarize` and label renaming).
 */
import { SEGMENTATION_FRAMES, aggregateFrames, type ChunkSegmentations } from "./frames.js";
import { numpyArgsort } from "./numpy-argsort.js";

/** Marks a local speaker that is inactive in its chunk (pyannote uses −2). */
export const INACTIVE_SPEAKER = -2;

/** One speaker turn: `speaker` is the cluster index until labels are assigned. */
export interface SpeakerTurn {
  start: number;
  end: number;
  speaker: number;
}

/**
 * Per frame, activates the `count[t]` clusters with the largest summed activity over the chunks,
 * ranked as pyannote ranks them, `np.argsort(-activations)`, with numpy 2's tie order on AVX-512
 * (see numpy-argsort.ts; numpy 1.x or other CPUs break those ties differently, and so does
 * pyannote there).
 */
export function toDiarization(segmentations: ChunkSegmentations, hardClusters: Int32Array, count: Uint8Array): { numFrames: number; numClusters: number; binary: Uint8Array; ambiguous: Uint8Array } {
  const { numChunks, numFrames, numSpeakers, data } = segmentations;
  let numClusters = 0;
  for (const k of hardClusters) numClusters = Math.max(numClusters, k + 1);
  const clusterCount = numClusters;
  const { numGlobalFrames, data: activations } = aggregateFrames(
    numChunks,
    numFrames,
    clusterCount,
    segmentations.chunks,
    SEGMENTATION_FRAMES,
    (c, f, k) => {
      // max over the local speakers mapped to cluster k; NaN when none is.
      let value = Number.NaN;
      for (let s = 0; s < numSpeakers; s++) {
        if (hardClusters[c * numSpeakers + s] !== k) continue;
        const v = data[(c * numFrames + f) * numSpeakers + s];
        value = Number.isNaN(value) ? v : Math.max(value, v);
      }
      return value;
    },
    { average: false },
  );
  let maxCount = 0;
  for (const c of count) maxCount = Math.max(maxCount, c);
  // More simultaneous speakers than clusters: pad with silent clusters, as pyannote does.
  const width = Math.max(clusterCount, maxCount);
  const frames = Math.min(numGlobalFrames, count.length);
  const binary = new Uint8Array(frames * width);
  // Frames where the count-th and the next cluster tie: pyannote's unstable sort may pick either.
  const ambiguous = new Uint8Array(frames);
  const negated = new Float32Array(width);
  for (let t = 0; t < frames; t++) {
    const act = (k: number) => (k < clusterCount ? activations[t * clusterCount + k] : 0);
    for (let k = 0; k < width; k++) negated[k] = -act(k);
    const order = numpyArgsort(negated);
    for (let i = 0; i < count[t]; i++) binary[t * width + order[i]] = 1;
    const c = count[t];
    if (c > 0 && c < width && act(order[c - 1]) === act(order[c])) ambiguous[t] = 1;
  }
  return { numFrames: frames, numClusters: width, binary, ambiguous };
}

/**
 * pyannote's `Binarize(onset=0.5, offset=0.5)` over frame middles: a turn runs from the middle of its
 * first active frame to the middle of the first inactive one (or the last frame). Turns are sorted as
 * pyannote.core iterates them: by start, then end.
 */
export function binarize(binary: Uint8Array, numFrames: number, numClusters: number): SpeakerTurn[] {
  const turns: SpeakerTurn[] = [];
  if (numFrames === 0) return turns;
  const middle = (i: number) => SEGMENTATION_FRAMES.middle(i);
  for (let k = 0; k < numClusters; k++) {
    let start = middle(0);
    let active = binary[k] > 0.5;
    let t = start;
    for (let i = 1; i < numFrames; i++) {
      t = middle(i);
      const y = binary[i * numClusters + k];
      if (active) {
        if (y < 0.5) {
          pushTurn(turns, start, t, k);
          start = t;
          active = false;
        }
      } else if (y > 0.5) {
        start = t;
        active = true;
      }
    }
    if (active) pushTurn(turns, start, t, k);
  }
  return turns.sort((a, b) => a.start - b.start || a.end - b.end || a.speaker - b.speaker);
}

function pushTurn(turns: SpeakerTurn[], start: number, end: number, speaker: number): void {
  // pyannote.core drops segments shorter than its 1 µs precision.
  if (end - start > 1e-6) turns.push({ start, end, speaker });
}

/**
 * pyannote's label order: the clusters that have turns, sorted by their index *as text*
 * (`Annotation.labels()` sorts with `key=str`, so cluster 10 comes before cluster 2), named
 * SPEAKER_00, SPEAKER_01, … in that order.
 */
export function speakerLabels(turns: readonly SpeakerTurn[]): Map<number, string> {
  const present = [...new Set(turns.map((t) => t.speaker))].sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  return new Map(present.map((k, i) => [k, `SPEAKER_${String(i).padStart(2, "0")}`]));
}
