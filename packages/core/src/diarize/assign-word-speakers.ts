/**
 * WhisperX's `assign_word_speakers` (HEAD): each segment, and each word on its own, gets the
 * speaker whose turns overlap it for the longest total time.
 */
import type { TranscriptionResult, Word, Segment } from "../types.js";
import type { DiarizationTurn } from "./speaker-diarization.js";

/** Options of {@link assignWordSpeakers}. */
export interface AssignWordSpeakersOptions {
  /** Attach these (label → vector) to the result as `speaker_embeddings`. */
  speakerEmbeddings?: Map<string, ArrayLike<number>>;
  /** Items no turn overlaps take the speaker of the turn whose midpoint is nearest theirs (library only; the CLI never sets it). */
  fillNearest?: boolean;
}

/** The speaker for [start, end]: largest summed intersection; on ties the speaker whose overlapping turn starts first. */
function speakerFor(turns: readonly DiarizationTurn[], start: number, end: number, fillNearest: boolean): string | undefined {
  const totals = new Map<string, number>();
  for (const t of turns) {
    if (!(t.start < end && t.end > start)) continue;
    const intersection = Math.min(t.end, end) - Math.max(t.start, start);
    if (intersection > 0) totals.set(t.speaker, (totals.get(t.speaker) ?? 0) + intersection);
  }
  let best: string | undefined;
  let bestTotal = -Infinity;
  for (const [speaker, total] of totals) {
    if (total > bestTotal) {
      best = speaker;
      bestTotal = total;
    }
  }
  if (best !== undefined || !fillNearest || turns.length === 0) return best;
  const middle = (start + end) / 2;
  let nearest = turns[0];
  for (const t of turns) if (Math.abs((t.start + t.end) / 2 - middle) < Math.abs((nearest.start + nearest.end) / 2 - middle)) nearest = t;
  return nearest.speaker;
}

function assignWord(turns: readonly DiarizationTurn[], word: Word, fillNearest: boolean): void {
  if (word.start === undefined) return;
  const speaker = speakerFor(turns, word.start, word.end ?? word.start, fillNearest);
  if (speaker !== undefined) word.speaker = speaker;
}

function assignSegment(turns: readonly DiarizationTurn[], segment: Segment, fillNearest: boolean): void {
  const speaker = speakerFor(turns, segment.start, segment.end, fillNearest);
  if (speaker !== undefined) segment.speaker = speaker;
  for (const word of segment.words ?? []) assignWord(turns, word, fillNearest);
}

/** Sets `speaker` on the segments, words and `word_segments` of `result` (in place) and returns it. */
export function assignWordSpeakers(diarization: readonly DiarizationTurn[], result: TranscriptionResult, options: AssignWordSpeakersOptions = {}): TranscriptionResult {
  if (result.segments.length === 0 || diarization.length === 0) return result;
  const turns = [...diarization].sort((a, b) => a.start - b.start);
  const fillNearest = options.fillNearest ?? false;
  for (const segment of result.segments) assignSegment(turns, segment, fillNearest);
  // WhisperX's word_segments are the segments' own word objects; ours may be copies, so give them the same answer.
  for (const word of result.word_segments ?? []) assignWord(turns, word, fillNearest);
  if (options.speakerEmbeddings) result.speaker_embeddings = Object.fromEntries([...options.speakerEmbeddings].map(([label, v]) => [label, Array.from(v)]));
  return result;
}
