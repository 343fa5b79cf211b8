/**
 * The sentence splitter against NLTK's own Punkt code (fixtures/punkt/reference.json, made by
 * fixtures/tools/punkt_reference.py with the same language packs): NLTK's test sentences, the
 * punkt docstring example, and transcript-like text with abbreviations in nine languages.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PUNKT_LANGUAGES, sentenceSpans } from "../src/index.js";

interface Case {
  language: string;
  text: string;
  spans: [number, number][];
  sentences: string[];
}
const reference = JSON.parse(readFileSync(new URL("../../../fixtures/punkt/reference.json", import.meta.url), "utf8")) as { nltk: string; cases: Case[] };

describe(`Punkt sentence spans equal NLTK ${reference.nltk}'s span_tokenize`, () => {
  for (const c of reference.cases) {
    it(`${c.language}: ${JSON.stringify(c.text.slice(0, 60))}`, () => {
      expect(sentenceSpans(c.text, c.language)).toEqual(c.spans);
    });
  }

  it("keeps abbreviations, initials and decimals inside sentences (the cases WhisperX users hit)", () => {
    const split = (t: string, lang = "en") => sentenceSpans(t, lang).map(([a, b]) => t.slice(a, b));
    expect(split(" Mr. Smith went to Washington. He said hi.")).toEqual([" Mr. Smith went to Washington.", "He said hi."]);
    expect(split(" I met Dr. Jones at 3 p.m. yesterday. It was fine.")).toEqual([" I met Dr. Jones at 3 p.m. yesterday.", "It was fine."]);
    expect(split(" The U.S. economy grew 2.4 percent. Analysts were surprised.")).toEqual([" The U.S. economy grew 2.4 percent.", "Analysts were surprised."]);
    // Languages without a punkt model fall back to English punkt, which never splits on "。".
    expect(split("今日は晴れです。明日は雨です。", "ja")).toEqual(["今日は晴れです。明日は雨です。"]);
  });

  it("covers every language of WhisperX's PUNKT_LANGUAGES", () => {
    for (const code of Object.keys(PUNKT_LANGUAGES)) expect(sentenceSpans(" A b. C d.", code).length, code).toBeGreaterThan(0);
  });
});
