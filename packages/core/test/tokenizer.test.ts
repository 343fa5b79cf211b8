import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Tiktoken } from "js-tiktoken/lite";
import { tiktokenPath, WhisperTokenizer } from "../src/index.js";
import { LANGUAGE_NAMES, toLanguageCode } from "../src/index.js";
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
    // The stored lists (non-speech-tokens.ts) are what the BPE gives, for both vocabularies.
    expect(ns).toEqual(tok.computeNonSpeechTokens());
    const gpt2 = WhisperTokenizer.forModel(51864);
    expect(gpt2.nonSpeechTokens).toEqual(gpt2.computeNonSpeechTokens());
    expect(WhisperTokenizer.forModel(51866).nonSpeechTokens).toEqual(ns);
  });
  it("encodes every single ASCII character as the BPE does (the no-encoder path)", () => {
    const lines = readFileSync(tiktokenPath("multilingual"), "utf8").split("\n").filter((l) => l && !l.startsWith("= "));
    const bpe = new Tiktoken({ pat_str: "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+", special_tokens: {}, bpe_ranks: lines.map((l) => `! ${l.split(" ")[1]} ${l.split(" ")[0]}`).join("\n") });
    for (let c = 0; c < 128; c++) expect(tok.encode(String.fromCharCode(c)), `char ${c}`).toEqual(bpe.encode(String.fromCharCode(c), [], []));
  });
  it("decodes invalid UTF-8 as U+FFFD and special tokens as their text, as tiktoken does", () => {
    const [smiley] = [tok.encode("😀")];
    expect(smiley.length).toBeGreaterThan(1);
    expect(tok.decode(smiley.slice(0, 1))).toBe("\ufffd");
    expect(tok.decodeWithTimestamps([tok.sot, ...tok.encode(" hi"), tok.timestampBegin + 50])).toBe("<|startoftranscript|> hi<|1.00|>");
    expect(tok.decode([...smiley.slice(0, 1), tok.eot, ...tok.encode("a")])).toBe("\ufffd<|endoftext|>a");
  });
  it("gives English-only models the start sequence <|startoftranscript|> alone, as openai-whisper does", () => {
    const en = WhisperTokenizer.forModel(51864, { language: "en" });
    expect(en.sotSequence).toEqual([50257]);
    expect(en.sotSequenceIncludingNoTimestamps).toEqual([50257, 50362]);
    expect(en.language).toBeUndefined();
    expect(en.multilingual).toBe(false);
    expect(WhisperTokenizer.forModel(51865, { language: "de", task: "translate" }).sotSequence).toEqual([50258, 50261, 50358]);
    expect(WhisperTokenizer.forModel(51866, { language: "yue" }).sotSequence).toEqual([50258, 50358, 50360]);
  });
  it("finds WhisperX's numeral and symbol tokens (digits, %, $, £)", () => {
    const numerals = new Set(tok.numeralSymbolTokens);
    // "£" alone is two byte tokens that decode to U+FFFD, in Python as here; " £" is one token.
    for (const text of ["1984", " 42", "%", " $", " £", "7th"]) expect(numerals.has(tok.encode(text)[0]), text).toBe(true);
    for (const text of [" one", " the", "!", " dollars"]) expect(numerals.has(tok.encode(text)[0]), text).toBe(false);
    // 434 in the multilingual vocabulary, counted independently from multilingual.tiktoken with Python.
    expect(numerals.size).toBe(434);
  });
  it("takes language names as openai-whisper does", () => {
    expect(toLanguageCode("English")).toBe("en");
    expect(toLanguageCode("de")).toBe("de");
    expect(toLanguageCode("Mandarin")).toBe("zh");
    expect(toLanguageCode("haitian creole")).toBe("ht");
    expect(toLanguageCode("klingon")).toBeUndefined();
    expect(Object.keys(LANGUAGE_NAMES)).toHaveLength(100);
  });
});
