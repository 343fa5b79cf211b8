import { describe, expect, it } from "vitest";
import { assignWordSpeakers, type DiarizationTurn, type TranscriptionResult } from "../src/index.js";

const turns: DiarizationTurn[] = [
  { start: 0, end: 2, speaker: "SPEAKER_00" },
  { start: 1.5, end: 4, speaker: "SPEAKER_01" },
  { start: 6, end: 7, speaker: "SPEAKER_00" },
];

function result(): TranscriptionResult {
  const words = [
    { word: "a", start: 0.2, end: 0.6 },
    { word: "b", start: 1.5, end: 2.5 }, // 0.5 with 00, 1.0 with 01
    { word: "tie", start: 1.0, end: 2.0 }, // 0.5 / 0.5: the earlier turn's speaker
    { word: "zero", start: 3, end: 3 }, // zero length: no speaker
    { word: "gap", start: 4.5, end: 5.5 }, // no overlap
    { word: "nostart" },
  ];
  return { language: "en", segments: [{ start: 0, end: 5.5, text: "x", words }, { start: 4.2, end: 5.8, text: "y", words: [] }], word_segments: words };
}

describe("assignWordSpeakers (WhisperX HEAD)", () => {
  it("segments and words by largest summed intersection; ties to the earliest turn; zero-length and unmatched words get none", () => {
    const r = assignWordSpeakers(turns, result());
    expect(r.segments[0].speaker).toBe("SPEAKER_01"); // 2.0 + 0 vs 2.5
    expect(r.segments[1].speaker).toBeUndefined();
    expect(r.segments[0].words?.map((w) => w.speaker)).toEqual(["SPEAKER_00", "SPEAKER_01", "SPEAKER_00", undefined, undefined, undefined]);
    expect(r.word_segments?.[1].speaker).toBe("SPEAKER_01");
    expect("speaker" in (r.segments[0].words?.[3] ?? {})).toBe(false);
    expect(r.speaker_embeddings).toBeUndefined();
  });

  it("fillNearest gives unmatched items the speaker of the turn with the nearest midpoint, and embeddings are attached", () => {
    const r = assignWordSpeakers(turns, result(), { fillNearest: true, speakerEmbeddings: new Map<string, ArrayLike<number>>([["SPEAKER_00", [1, 2]], ["SPEAKER_01", new Float32Array([3, 4])]]) });
    expect(r.segments[1].speaker).toBe("SPEAKER_00"); // midpoint 5.0: 6.5 is 1.5 away, 2.75 is 2.25 away
    expect(r.segments[0].words?.[3].speaker).toBe("SPEAKER_01"); // 3.0 → 2.75
    expect(r.segments[0].words?.[4].speaker).toBe("SPEAKER_00"); // 5.0 → 6.5
    expect(r.speaker_embeddings).toEqual({ SPEAKER_00: [1, 2], SPEAKER_01: [3, 4] });
  });

  it("no turns or no segments: the result is untouched", () => {
    const r = assignWordSpeakers([], result(), { speakerEmbeddings: new Map([["SPEAKER_00", [1]]]) });
    expect(r.segments[0].speaker).toBeUndefined();
    expect(r.speaker_embeddings).toBeUndefined();
  });
});
