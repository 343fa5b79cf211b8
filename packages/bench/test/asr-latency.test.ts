import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { averageLatency, parseCandidateWords, parseGoldWords } from "../src/asr-latency.js";

// The tiny demo of ÚFAL's asr_latency (README and demo-data/, MIT): the tool prints 1.966727272727273.
const TINY_GOLD = [
  "0.753\t1.113\tHello,",
  "1.2429999999999999\t1.443\tthis",
  "1.443\t1.593\tis",
  "1.593\t1.833\tJiawei",
  "1.833\t2.193\tZhou",
  "2.193\t2.443\tfrom",
  "2.443\t2.7430000000000003\tHarvard",
  "2.7430000000000003\t3.423\tUniversity.",
  "3.914\t3.9939999999999998\tI",
  "3.9939999999999998\t4.134\tam",
].join("\n") + "\n";
const TINY_CANDIDATE = [
  "2600.0000 764 2600  Hello, this is",
  "4440.0000 2600 4440  Jiawei Zhou from Harvard",
  "6280.0000 4440 6280  University. I am very glad to present our",
].join("\n") + "\n";

interface Case { gold: string; candidate: string; averageLatency: number }
const reference = JSON.parse(readFileSync(new URL("../../../fixtures/streaming/asr_latency_reference.json", import.meta.url), "utf8")) as { cases: Case[] };

describe("ÚFAL's streaming latency (continuous Levenshtein alignment)", () => {
  it("gives the tool's demo figure", () => {
    expect(averageLatency(parseGoldWords(TINY_GOLD), parseCandidateWords(TINY_CANDIDATE))).toBe(1.966727272727273);
  });
  it("equals latency.py on generated cases with deletions, substitutions, insertions and words split across emissions", () => {
    expect(reference.cases.length).toBe(60);
    expect(reference.cases.some((c) => /\n\d+\.\d+ \d+ \d+ [^ ]/.test(c.candidate))).toBe(true);
    for (const [i, c] of reference.cases.entries()) expect(averageLatency(parseGoldWords(c.gold), parseCandidateWords(c.candidate)), `case ${i}`).toBe(c.averageLatency);
  });
  it("joins a word continued on the next line, timed by the later emission", () => {
    expect(parseCandidateWords("1000.0 0 0  Harv\n2500.0 0 0 ard is\n")).toEqual([
      { word: "Harvard", time: 2.5 },
      { word: "is", time: 2.5 },
    ]);
  });
  it("refuses malformed lines in one line", () => {
    expect(() => parseGoldWords("0.1 0.2 word\n")).toThrow(/gold line 1/);
    expect(() => parseCandidateWords("1000\n")).toThrow(/candidate line/);
  });
});
