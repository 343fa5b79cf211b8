/**
 * WhisperX's own `align()` table (fixtures/align/reference.json: abbreviations, punctuation,
 * digits, several sentences and segments) with each engine's wav2vec2 emissions (here because
 * the CLI package sees both engines).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { align, loadAudio, type AlignModel, type Segment } from "@whisperx-mlx/core";
import { Wav2Vec2Mlx } from "@whisperx-mlx/mlx-native";
import { Wav2Vec2Onnx } from "@whisperx-mlx/onnx";
import { SHARED } from "./shared.js";

const W2V = `${SHARED}/fixtures/synth-wav2vec2`;
// synth-wav2vec2's torchaudio checkpoint converted by `pnpm convert wav2vec2 --dtype float32`.
const MODEL = new URL("../../../fixtures/models/synth-wav2vec2-mlx", import.meta.url).pathname;
interface TableCase {
  clip: string;
  language: string;
  options: { return_char_alignments?: boolean; interpolate_method?: "nearest" | "linear" | "ignore" };
  segments: Segment[];
  result: { segments: { text: string }[]; word_segments: { word: string; start?: number; end?: number }[] };
}
const table = JSON.parse(readFileSync(new URL("../../../fixtures/align/reference.json", import.meta.url), "utf8")) as { cases: TableCase[] };
const aligners: Record<string, () => Promise<AlignModel>> = {
  mlx: async () => {
    const m = Wav2Vec2Mlx.load(MODEL);
    return { vocab: m.config.vocab, emissions: (a) => m.emissions(a) };
  },
  onnx: async () => {
    const m = await Wav2Vec2Onnx.load(MODEL);
    return { vocab: m.config.vocab, emissions: (a) => m.emissions(a) };
  },
};

describe("WhisperX's alignment table on each engine", () => {
  it.each(Object.keys(aligners))("%s: same sentences, ≥ 97 % of words at WhisperX's exact times, all within 20 ms", async (engine) => {
    const aligner = await aligners[engine]();
    let words = 0;
    let exact = 0;
    let close = 0;
    for (const c of table.cases) {
      const audio = await loadAudio(`${W2V}/audio/${c.clip}.wav`);
      const r = await align(c.segments, aligner, audio, { language: c.language, returnCharAlignments: c.options.return_char_alignments, interpolateMethod: c.options.interpolate_method });
      expect(r.segments.map((s) => s.text), c.clip).toEqual(c.result.segments.map((s) => s.text));
      expect(r.word_segments.map((w) => w.word), c.clip).toEqual(c.result.word_segments.map((w) => w.word));
      r.word_segments.forEach((w, i) => {
        const ref = c.result.word_segments[i];
        const d = Math.max(Math.abs((w.start ?? NaN) - (ref.start ?? NaN)), Math.abs((w.end ?? NaN) - (ref.end ?? NaN)));
        words++;
        if (d === 0) exact++;
        if (d <= 0.02 + 1e-9) close++;
      });
    }
    console.log(`${engine} alignment of the WhisperX table: ${exact}/${words} words at WhisperX's exact times, ${close} within 20 ms`);
    expect(close).toBe(words);
    expect(exact / words).toBeGreaterThanOrEqual(0.97);
  });
});
