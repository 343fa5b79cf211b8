import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { WhisperTokenizer } from "../src/index.js";
import { SYNTH } from "./shared.js";

interface RefSegment { text: string; tokens: number[] }
const refs = JSON.parse(readFileSync(`${SYNTH}/refs.json`, "utf8")) as { clips: { id: string; transcribe: { text: string; segments: RefSegment[] } }[] };

describe("WhisperTokenizer", () => {
  const tok = WhisperTokenizer.forModel(51865, { language: "en" });
  it("numbers special tokens as openai-whisper does", () => {
    expect([tok.eot, tok.sot, tok.translate, tok.transcribe, tok.sotLm, tok.sotPrev, tok.noSpeech, tok.noTimestamps, tok.timestampBegin]).toEqual([50257, 50258, 50358, 50359, 50360, 50361, 50362, 50363, 50364]);
    expect(tok.sotSequence).toEqual([50258, 50259, 50359]);
    expect(tok.languageCodes.length).toBe(99);
    expect(WhisperTokenizer.forModel(51866).languageCodes.length).toBe(100);
    expect(WhisperTokenizer.forModel(51864).eot).toBe(50256);
  });
  it("encodes the reference prompt", () => {
    expect(tok.encode(" Fortune cookies say:")).toEqual([38508, 13670, 584, 25]);
  });
  it("decodes every reference segment's tokens to its text", () => {
    let n = 0;
    for (const clip of refs.clips) {
      for (const s of clip.transcribe.segments) {
        expect(tok.decode(s.tokens.filter((t) => t < tok.eot))).toBe(s.text);
        n++;
      }
    }
    expect(n).toBeGreaterThan(60);
  });
  it("round-trips the reference texts", () => {
    for (const clip of refs.clips) {
      for (const s of clip.transcribe.segments) {
        if (s.text.includes("\ufffd")) continue;
        expect(tok.decode(tok.encode(s.text))).toBe(s.text);
      }
    }
  });
  it("lists non-speech tokens", () => {
    const ns = tok.nonSpeechTokens;
    expect(ns).toContain(tok.encode(" -")[0]);
    expect(ns).toContain(tok.encode("(")[0]);
    expect(ns).not.toContain(tok.encode(" the")[0]);
  });
});
