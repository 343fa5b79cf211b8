import { describe, expect, it } from "vitest";
import { defaultAlignmentHeads, dtw, medianFilter, mergePunctuations, WhisperTokenizer, type WordTiming } from "../src/index.js";

describe("timing.py pieces", () => {
  it("median-filters with reflect padding", () => {
    expect(Array.from(medianFilter(Float32Array.from([1, 9, 2, 8, 3]), 1, 5, 3))).toEqual([9, 2, 8, 3, 8]);
  });
  it("finds the DTW path", () => {
    // a diagonal of low cost
    const x = Float64Array.from([0, 5, 5, 5, 0, 5, 5, 5, 0]);
    expect(dtw(x, 3, 3)).toEqual([[0, 1, 2], [0, 1, 2]]);
  });
  it("merges punctuation into neighbouring words", () => {
    const a: WordTiming[] = [" (", "Hello", ",", " world", "."].map((word, i) => ({ word, tokens: [i], start: i, end: i + 1, probability: 1 }));
    mergePunctuations(a, "\"'“¿([{-", "\"'.。,，!！?？:：”)]}、");
    expect(a.map((w) => w.word)).toEqual(["", " (Hello,", "", " world.", ""]);
  });
  it("splits tokens into words, and picks default heads", () => {
    const tok = WhisperTokenizer.forModel(51865, { language: "en" });
    const [words] = tok.splitToWordTokens([...tok.encode(" Hello, world."), tok.eot]);
    expect(words).toEqual([" Hello", ",", " world", ".", "<|endoftext|>"]);
    expect(defaultAlignmentHeads(4, 4)).toHaveLength(8);
  });
});
