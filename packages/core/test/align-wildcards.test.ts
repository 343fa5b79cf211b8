/**
 * WhisperX's own tests/test_word_timestamp_interpolation.py (at 2cfd7b7), replayed: align() with
 * a model whose emissions are a fixed synthetic matrix (known characters peak at evenly spaced
 * frames, everything else is a wildcard), and interpolate_nans.
 */
import { describe, expect, it } from "vitest";
import { align, interpolateNans, type AlignModel, type InterpolateMethod } from "../src/index.js";

const DICTIONARY: Record<string, number> = {
  "<pad>": 0, a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, k: 10,
  l: 11, m: 12, n: 13, o: 14, p: 15, r: 16, s: 17, t: 18, u: 19, w: 20, "|": 21,
};
const VOCAB = Object.entries(DICTIONARY).sort((x, y) => x[1] - y[1]).map(([c]) => c);

/** `_make_emission`: logits −5, blank −1; each known character's frames get 2 and blank −3. */
function makeEmission(frames: number, text: string): Float32Array {
  const V = VOCAB.length;
  const e = new Float32Array(frames * V).fill(-5);
  for (let t = 0; t < frames; t++) e[t * V] = -1;
  const chars = [...text];
  const known = chars.map((c, i) => [i, c] as const).filter(([, c]) => c.toLowerCase() in DICTIONARY);
  if (known.length) {
    const per = Math.floor(frames / (chars.length + 1));
    for (const [i, c] of known) {
      const center = (i + 1) * per;
      for (let t = Math.max(0, center - (per >> 1)); t < Math.min(frames, center + (per >> 1)); t++) {
        e[t * V + DICTIONARY[c.toLowerCase()]] = 2;
        e[t * V] = -3;
      }
    }
  }
  return e;
}

/** A model returning log_softmax of the fixed emission, whatever the audio (MagicMock's role). */
function mockModel(logits: Float32Array, frames: number): AlignModel {
  const V = VOCAB.length;
  const data = new Float32Array(logits.length);
  for (let t = 0; t < frames; t++) {
    const row = logits.subarray(t * V, (t + 1) * V);
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
    for (let v = 0; v < V; v++) data[t * V + v] = row[v] - lse;
  }
  return { vocab: VOCAB, language: "en", emissions: async () => ({ data, frames, vocab: V }) };
}

async function runAlign(text: string, { duration = 5, frames = 100, method = "nearest" as InterpolateMethod } = {}) {
  const audio = new Float32Array(duration * 16000).map(() => Math.random() - 0.5);
  return align([{ text, start: 0, end: duration }], mockModel(makeEmission(frames, text), frames), audio, { interpolateMethod: method });
}

describe("WhisperX TestAlignWithWildcards", () => {
  it("test_known_chars_get_timestamps", async () => {
    for (const w of (await runAlign("the cat sat")).word_segments) {
      expect(w.start, w.word).toBeTypeOf("number");
      expect(w.end, w.word).toBeTypeOf("number");
      expect(w.score, w.word).toBeTypeOf("number");
    }
  });

  it("test_unknown_word_gets_timestamps: '43' gets start, end and score", async () => {
    const words = Object.fromEntries((await runAlign("cost 43 dollars")).word_segments.map((w) => [w.word, w]));
    expect(words["43"]).toMatchObject({ start: expect.any(Number), end: expect.any(Number), score: expect.any(Number) });
  });

  it("test_mixed_word_gets_timestamps", async () => {
    const words = Object.fromEntries((await runAlign("has 43k users")).word_segments.map((w) => [w.word, w]));
    expect(words["43k"]).toMatchObject({ start: expect.any(Number), end: expect.any(Number) });
  });

  it("test_unknown_word_does_not_corrupt_neighbors", async () => {
    const words = Object.fromEntries((await runAlign("cost 43 dollars")).word_segments.map((w) => [w.word, w]));
    for (const known of ["cost", "dollars"]) expect(words[known]).toMatchObject({ start: expect.any(Number), end: expect.any(Number), score: expect.any(Number) });
  });

  it("test_all_unknown_segment_gets_timestamps", async () => {
    const r = await runAlign("123 456");
    expect(r.word_segments.length).toBeGreaterThan(0);
    for (const w of r.word_segments) expect(w).toMatchObject({ start: expect.any(Number), end: expect.any(Number) });
  });

  it("test_timestamps_are_ordered", async () => {
    const starts = (await runAlign("the 99 cats")).word_segments.map((w) => w.start).filter((s): s is number => s !== undefined);
    for (let i = 1; i < starts.length; i++) expect(starts[i]).toBeGreaterThanOrEqual(starts[i - 1]);
  });

  it("test_issue_1372_digits_comma_no_timestamps: '4,9' gets start, end and score", async () => {
    const words = Object.fromEntries((await runAlign("halt mit 4,9 nicht ins parlament", { frames: 200 })).word_segments.map((w) => [w.word, w]));
    expect(words["4,9"]).toMatchObject({ start: expect.any(Number), end: expect.any(Number), score: expect.any(Number) });
  });

  it("test_ignore_does_not_crash", async () => {
    const words = Object.fromEntries((await runAlign("the 99 cats", { method: "ignore" })).word_segments.map((w) => [w.word, w]));
    expect(Object.keys(words)).toHaveLength(3);
    for (const known of ["the", "cats"]) expect(words[known]).toMatchObject({ start: expect.any(Number), end: expect.any(Number) });
  });

  it("test_ignore_segments_have_valid_timestamps", async () => {
    for (const s of (await runAlign("the 99 cats", { method: "ignore" })).segments) {
      expect(Number.isFinite(s.start)).toBe(true);
      expect(Number.isFinite(s.end)).toBe(true);
    }
  });
});

describe("WhisperX TestInterpolateNans", () => {
  it("test_ignore_preserves_nans", () => {
    const x = [1, undefined, 3, undefined, 5];
    expect(interpolateNans(x, "ignore").filter((v) => v === undefined)).toHaveLength(2);
  });

  it("test_nearest_fills_nans", () => {
    expect(interpolateNans([1, undefined, 3, undefined, 5], "nearest").every((v) => v !== undefined)).toBe(true);
  });

  it("test_ignore_word_assignment_integration: a word without times stays so under ignore, and is filled under nearest", () => {
    const starts = [0.1, undefined, 0.6];
    const ends = [0.3, undefined, 0.9];
    expect(interpolateNans(starts, "ignore")[1]).toBeUndefined();
    expect(interpolateNans(ends, "ignore")[1]).toBeUndefined();
    expect(interpolateNans(starts, "nearest")[1]).toBe(0.1);
    expect(interpolateNans(ends, "nearest")[1]).toBe(0.3);
  });
});
