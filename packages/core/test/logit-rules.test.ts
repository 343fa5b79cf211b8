import { describe, expect, it } from "vitest";
import { buildLogitRules, DEFAULT_DECODING_OPTIONS, PromptTooLongError, suppressTokenList, WhisperTokenizer, compressionRatio } from "../src/index.js";

const tok = WhisperTokenizer.forModel(51865, { language: "en" });
const TS = tok.timestampBegin;
const rules = buildLogitRules(tok, { ...DEFAULT_DECODING_OPTIONS, language: "en" }, 448);

describe("logit rules (openai-whisper decoding.py)", () => {
  it("builds initial tokens and suppress lists", () => {
    expect(rules.initialTokens).toEqual([50258, 50259, 50359]);
    expect(rules.sampleBegin).toBe(3);
    expect(rules.sotIndex).toBe(0);
    expect(rules.alwaysSuppressed).toContain(tok.noTimestamps);
    expect(rules.alwaysSuppressed).toContain(tok.noSpeech);
    expect(rules.suppressedAtBegin).toEqual([220, tok.eot]);
    const nt = buildLogitRules(tok, { ...DEFAULT_DECODING_OPTIONS, withoutTimestamps: true }, 448);
    expect(nt.initialTokens).toEqual([50258, 50259, 50359, 50363]);
    expect(nt.stepMask([]).ranges).toEqual([]);
    expect(suppressTokenList(tok, "")).toEqual([tok.sot, tok.sotLm, tok.sotPrev, tok.noSpeech].sort((a, b) => a - b));
  });
  it("puts a prompt behind <|startofprev|>", () => {
    const r = buildLogitRules(tok, { ...DEFAULT_DECODING_OPTIONS, prompt: [1, 2, 3] }, 448);
    expect(r.initialTokens).toEqual([tok.sotPrev, 1, 2, 3, 50258, 50259, 50359]);
    expect(r.sotIndex).toBe(4);
    expect(r.sampleBegin).toBe(7);
  });
  it("puts hotwords after <|startofprev|>, before the prompt, as faster-whisper does; not with a prefix", () => {
    const hot = tok.encode(" ski resort");
    const r = buildLogitRules(tok, { ...DEFAULT_DECODING_OPTIONS, prompt: [1, 2], hotwords: "ski resort", withoutTimestamps: true }, 448);
    expect(r.initialTokens).toEqual([tok.sotPrev, ...hot, 1, 2, 50258, 50259, 50359, 50363]);
    const onlyHot = buildLogitRules(tok, { ...DEFAULT_DECODING_OPTIONS, hotwords: "ski resort" }, 448);
    expect(onlyHot.initialTokens).toEqual([tok.sotPrev, ...hot, 50258, 50259, 50359]);
    const prefixed = buildLogitRules(tok, { ...DEFAULT_DECODING_OPTIONS, hotwords: "ski resort", prefix: "Like the" }, 448);
    expect(prefixed.initialTokens).toEqual([50258, 50259, 50359, ...tok.encode(" Like the")]);
  });
  it("keeps the whole prefix with the default sample length (Python's [-0:] slice keeps everything)", () => {
    const long = Array.from({ length: 300 }, (_, i) => 1000 + i);
    expect(buildLogitRules(tok, { ...DEFAULT_DECODING_OPTIONS, prefix: long }, 448).initialTokens.slice(3)).toEqual(long);
    expect(buildLogitRules(tok, { ...DEFAULT_DECODING_OPTIONS, prefix: long, sampleLen: 200 }, 448).initialTokens.slice(3)).toEqual(long.slice(-24));
  });
  it("refuses a prompt that leaves no room to decode", () => {
    const hotwords = Array.from({ length: 240 }, () => "word").join(" ");
    const prompt = Array.from({ length: 300 }, (_, i) => 1000 + i);
    expect(() => buildLogitRules(tok, { ...DEFAULT_DECODING_OPTIONS, prompt, hotwords }, 448)).toThrow(PromptTooLongError);
    expect(() => buildLogitRules(tok, { ...DEFAULT_DECODING_OPTIONS, prompt }, 448)).not.toThrow();
  });
  it("adds the numeral tokens to the suppressed set with suppressNumerals", () => {
    const r = buildLogitRules(tok, { ...DEFAULT_DECODING_OPTIONS, suppressNumerals: true }, 448);
    for (const t of tok.numeralSymbolTokens) expect(r.alwaysSuppressed).toContain(t);
    expect(rules.alwaysSuppressed).not.toContain(tok.encode(" 42")[0]);
  });
  it("forces a first timestamp no later than max_initial_timestamp", () => {
    expect(rules.stepMask([]).ranges).toEqual([[0, TS], [TS + 51, Number.MAX_SAFE_INTEGER]]);
  });
  it("pairs timestamps and keeps them non-decreasing", () => {
    // after <|0.48|> text: timestamps below 0.48 are masked
    expect(rules.stepMask([TS + 24, 100]).ranges).toEqual([[TS, TS + 25]]);
    // text then a closing timestamp: no text next, and the next timestamp may equal it
    expect(rules.stepMask([TS + 24, 100, TS + 40]).ranges).toEqual([[0, tok.eot], [TS, TS + 40]]);
    // two timestamps in a row: the next must be text
    expect(rules.stepMask([TS + 24, 100, TS + 40, TS + 40]).ranges).toEqual([[TS, Number.MAX_SAFE_INTEGER], [TS, TS + 41]]);
    expect(rules.stepMask([TS]).ranges).toEqual([[TS, Number.MAX_SAFE_INTEGER], [TS, TS + 1]]);
  });
  it("computes zlib compression ratios like Python", () => {
    expect(compressionRatio("")).toBe(0);
    expect(compressionRatio(" That's what it is. I'd love to go out with you, but it's television.".trim())).toBeCloseTo(0.9714285714285714, 12);
  });
});

describe("compression ratio parity", () => {
  it("equals the compression_ratio of every decode in refs-extra/fallback.json", async () => {
    const { readFileSync } = await import("node:fs");
    const { SYNTH } = await import("./shared.js");
    type Decode = { text: string; compression_ratio: number };
    const fb = JSON.parse(readFileSync(`${SYNTH}/refs-extra/fallback.json`, "utf8")) as { clips: Record<string, Record<string, { windows: { decodes: Decode[] }[] }>> };
    let n = 0;
    for (const clip of Object.values(fb.clips)) {
      for (const run of Object.values(clip)) {
        for (const w of run.windows) {
          for (const d of w.decodes) {
            expect(compressionRatio(d.text)).toBeCloseTo(d.compression_ratio, 12);
            n++;
          }
        }
      }
    }
    expect(n).toBeGreaterThan(100);
  });
});
