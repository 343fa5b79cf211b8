import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatTimestamp, pythonFloat, pythonJson, renderResult, writeResult, type TranscriptionResult } from "../src/index.js";

const result: TranscriptionResult = {
  language: "en",
  segments: [
    { start: 0.48, end: 1.26, text: " That's what it is.", avg_logprob: -0.16 },
    { start: 3661.0005, end: 3662.5, text: " A --> B\tC", speaker: "SPEAKER_01" },
  ],
};

describe("writers", () => {
  it("formats timestamps with Python rounding", () => {
    expect(formatTimestamp(0.48)).toBe("00:00.480");
    expect(formatTimestamp(3661.0005, true, ",")).toBe("01:01:01,000");
    expect(formatTimestamp(1.0025)).toBe("00:01.002");
    expect(formatTimestamp(59.9999)).toBe("01:00.000");
  });
  it("renders srt, vtt, txt, tsv, aud and json as WhisperX", () => {
    expect(renderResult(result, "srt")).toBe("1\n00:00:00,480 --> 00:00:01,260\nThat's what it is.\n\n2\n01:01:01,000 --> 01:01:02,500\n[SPEAKER_01]: A -> B\tC\n\n");
    expect(renderResult(result, "vtt")).toBe("WEBVTT\n\n00:00.480 --> 00:01.260\nThat's what it is.\n\n01:01:01.000 --> 01:01:02.500\n[SPEAKER_01]: A -> B\tC\n\n");
    expect(renderResult(result, "txt")).toBe("That's what it is.\n[SPEAKER_01]: A --> B\tC\n");
    expect(renderResult(result, "tsv")).toBe("start\tend\ttext\n480\t1260\tThat's what it is.\n3661000\t3662500\tA --> B C\n");
    expect(renderResult(result, "aud")).toBe("0.48\t1.26\tThat's what it is.\n3661.0005\t3662.5\t[[SPEAKER_01]]A --> B C\n");
    expect(JSON.parse(renderResult(result, "json"))).toEqual(result);
  });
  it("builds word cues with line limits and highlighting", () => {
    const words: TranscriptionResult = {
      language: "en",
      segments: [{ start: 0, end: 2, text: " one two three", words: [{ word: " one", start: 0, end: 0.5 }, { word: " two", start: 0.6, end: 1 }, { word: " three", start: 5, end: 5.5 }] }],
    };
    expect(renderResult(words, "srt")).toBe("1\n00:00:00,000 --> 00:00:05,500\none  two  three\n\n");
    expect(renderResult(words, "srt", { maxLineWidth: 8, maxLineCount: 1 })).toBe("1\n00:00:00,000 --> 00:00:01,000\none  two\n\n2\n00:00:05,000 --> 00:00:05,500\nthree\n\n");
    expect(renderResult(words, "vtt", { highlightWords: true }).split("\n\n")[1]).toBe("00:00.000 --> 00:00.500\n<u>one</u>  two  three");
  });
  it("writes <basename>.<ext> atomically and leaves no temp files", () => {
    const dir = mkdtempSync(join(tmpdir(), "writers-"));
    writeFileSync(join(dir, "clip.txt"), "old");
    const paths = writeResult(result, "/some/where/clip.wav", dir, "all");
    expect(paths.map((p) => p.slice(dir.length + 1)).sort()).toEqual(["clip.json", "clip.srt", "clip.tsv", "clip.txt", "clip.vtt"]);
    expect(readdirSync(dir).sort()).toEqual(["clip.json", "clip.srt", "clip.tsv", "clip.txt", "clip.vtt"]);
    expect(readFileSync(join(dir, "clip.txt"), "utf8")).toContain("That's what it is.");
  });
});

describe("Python number and JSON formatting (json.dump as WhisperX writes results)", () => {
  it("pythonFloat is repr(float)", () => {
    const cases: [number, string][] = [[1, "1.0"], [0.1, "0.1"], [1e-5, "1e-05"], [0.0001, "0.0001"], [1e16, "1e+16"], [1.5e16, "1.5e+16"], [123456789012345.6, "123456789012345.6"], [-0, "-0.0"], [2.5e-7, "2.5e-07"], [1e22, "1e+22"]];
    for (const [x, s] of cases) expect(pythonFloat(x), String(x)).toBe(s);
  });

  it("pythonJson is json.dumps(ensure_ascii=False): separators, floats, NaN, int keys", () => {
    const value = { segments: [{ start: 0.5, end: 2, text: ' a"b\n', words: [{ word: "x", start: 1, score: Number.NaN }], tokens: [1, 2] }], language: "en", id: 3 };
    expect(pythonJson(value)).toBe('{"segments": [{"start": 0.5, "end": 2.0, "text": " a\\"b\\n", "words": [{"word": "x", "start": 1.0, "score": NaN}], "tokens": [1, 2]}], "language": "en", "id": 3}');
    expect(pythonJson({ text: "é日", chars: null, words: [] })).toBe('{"text": "é日", "chars": null, "words": []}');
  });
});
