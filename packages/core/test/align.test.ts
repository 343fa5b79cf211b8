import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { backtrack, getTrellis, interpolateNans, mergeRepeats, sentenceSpans, alignDictionary, type Emissions } from "../src/index.js";
import { SHARED } from "./shared.js";

const W2V = `${SHARED}/fixtures/synth-wav2vec2`;

/** Reads a float32 .npy (the reference emissions). */
function readNpy(path: string): Emissions {
  const buf = readFileSync(path);
  const hlen = buf.readUInt16LE(8);
  const header = buf.toString("latin1", 10, 10 + hlen);
  const shape = /\((\d+), (\d+)\)/.exec(header)!;
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset + 10 + hlen, buf.byteOffset + buf.length));
  return { data, frames: Number(shape[1]), vocab: Number(shape[2]) };
}

describe("CTC trellis / backtrack / merge_repeats on PyTorch's emissions", () => {
  const refs = JSON.parse(readFileSync(`${W2V}/refs.json`, "utf8")) as { clips: { id: string; label_text: string; emissions_file?: string; wx_token_spans: [number, number][]; wx_token_scores: number[] }[] };
  for (const c of refs.clips.filter((x) => x.emissions_file)) {
    it(`${c.id}: token spans and scores equal WhisperX's`, () => {
      const em = readNpy(`${W2V}/${c.emissions_file}`);
      const labels = ["-", "|", "E", "T", "A", "O", "N", "I", "H", "S", "R", "D", "L", "U", "M", "W", "C", "F", "G", "Y", "P", "B", "V", "K", "'", "X", "J", "Q", "Z"];
      const { dict, blank } = alignDictionary(labels);
      const tokens = [...c.label_text.toLowerCase()].map((ch) => dict.get(ch)!);
      const path = backtrack(getTrellis(em, tokens, blank), em, tokens, blank)!;
      const spans = mergeRepeats(path, c.label_text);
      expect(spans.map((s) => [s.start, s.end])).toEqual(c.wx_token_spans);
      spans.forEach((s, i) => expect(s.score).toBeCloseTo(c.wx_token_scores[i], 5));
    });
  }
  it("fails cleanly when there are more tokens than frames", () => {
    const em: Emissions = { data: new Float32Array(2 * 3).fill(-1), frames: 2, vocab: 3 };
    expect(backtrack(getTrellis(em, [1, 2, 1, 2], 0), em, [1, 2, 1, 2], 0)).toBeNull();
  });
});

describe("helpers", () => {
  it("interpolates like pandas + ffill/bfill", () => {
    expect(interpolateNans([undefined, 1, undefined, 3, undefined], "linear")).toEqual([1, 1, 2, 3, 3]);
    expect(interpolateNans([0, undefined, undefined, undefined, 4], "nearest")).toEqual([0, 0, 0, 4, 4]);
    expect(interpolateNans([undefined, 2], "ignore")).toEqual([undefined, 2]);
  });
  it("splits sentences as punkt: the first keeps its leading space, the others start at their first word", () => {
    const t = " Hello there. How are you? Fine. ";
    expect(sentenceSpans(t).map(([a, b]) => t.slice(a, b))).toEqual([" Hello there.", "How are you?", "Fine."]);
  });
});
