import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { normalizeWords, wordErrorRate, wordErrors, realTimeFactor, peakRssMb } from "../src/index.js";
import { SYNTH } from "./shared.js";

interface Clip { id: string; split: string; ground_truth: string; transcribe: { text: string }; wer: { errors: number; ref_words: number } }
const refs = JSON.parse(readFileSync(`${SYNTH}/refs.json`, "utf8")) as { clips: Clip[]; wer: Record<string, { errors: number; ref_words: number; wer: number }> };

describe("WER", () => {
  it("normalises as the references do", () => {
    expect(normalizeWords("That's what it is. 'Quoted' words-here")).toEqual(["that's", "what", "it", "is", "quoted", "words", "here"]);
  });
  it("counts word edits", () => {
    expect(wordErrors(["a", "b", "c"], ["a", "x", "c", "d"])).toBe(2);
    expect(wordErrors([], ["a"])).toBe(1);
  });
  it("reproduces the per-clip errors and per-split WER of refs.json", () => {
    for (const c of refs.clips) {
      const r = wordErrorRate([[c.ground_truth, c.transcribe.text]]);
      expect([r.errors, r.refWords], c.id).toEqual([c.wer.errors, c.wer.ref_words]);
    }
    for (const [split, w] of Object.entries(refs.wer)) {
      const r = wordErrorRate(refs.clips.filter((c) => c.split === split).map((c) => [c.ground_truth, c.transcribe.text]));
      expect(r.errors).toBe(w.errors);
      expect(r.wer).toBeCloseTo(w.wer, 4);
    }
  });
  it("measures real-time factor and RSS", async () => {
    expect(realTimeFactor(60, 2)).toBe(30);
    expect(await peakRssMb()).toBeGreaterThan(10);
  });
});
