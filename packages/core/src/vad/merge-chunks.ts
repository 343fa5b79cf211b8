/**
 * WhisperX's `Vad.merge_chunks` (vads/vad.py at 2cfd7b7): greedily merges speech segments into
 * chunks, starting a new chunk when adding a segment would make the chunk longer than
 * `chunkSize` seconds (and the chunk is not empty). Gaps inside a chunk are kept.
 */

/** A merged chunk in seconds, with the speech segments it holds. */
export interface VadChunk {
  start: number;
  end: number;
  segments: [number, number][];
}

/** Merges speech segments (seconds) into chunks of at most `chunkSize` seconds. */
export function mergeChunks(segments: readonly { start: number; end: number }[], chunkSize = 30): VadChunk[] {
  if (chunkSize <= 0) throw new Error("chunkSize must be positive");
  if (segments.length === 0) return [];
  const merged: VadChunk[] = [];
  let currStart = segments[0].start;
  let currEnd = 0;
  let segs: [number, number][] = [];
  for (const seg of segments) {
    if (seg.end - currStart > chunkSize && currEnd - currStart > 0) {
      merged.push({ start: currStart, end: currEnd, segments: segs });
      currStart = seg.start;
      segs = [];
    }
    currEnd = seg.end;
    segs.push([seg.start, seg.end]);
  }
  merged.push({ start: currStart, end: currEnd, segments: segs });
  return merged;
}

/** Speech timestamps (samples) → WhisperX chunks, as WhisperX's Silero path does. */
export function speechToChunks(speech: readonly { start: number; end: number }[], sampleRate: number, chunkSize = 30): VadChunk[] {
  return mergeChunks(
    speech.map((s) => ({ start: s.start / sampleRate, end: s.end / sampleRate })),
    chunkSize,
  );
}
