/**
 * align() against WhisperX's own align() (fixtures/align/reference.json, made by
 * fixtures/tools/whisperx_align_reference.py from alignment.py at 2cfd7b7 and the synthetic
 * torchaudio aligner): transcripts with punctuation, abbreviations, digits, several sentences and
 * segments per clip, ja, an unalignable and an out-of-range segment. The emission model replays
 * the emissions PyTorch computed, so everything after the model must match exactly.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { align, loadAudio, pythonJson, type AlignModel, type AlignOptions, type Segment } from "../src/index.js";
import { SHARED } from "./shared.js";

interface Case {
  clip: string;
  language: string;
  options: { return_char_alignments?: boolean; interpolate_method?: "nearest" | "linear" | "ignore" };
  segments: Segment[];
  emissions: { frames: number; vocab: number; f32: string }[];
  result: unknown;
}
const reference = JSON.parse(readFileSync(new URL("../../../fixtures/align/reference.json", import.meta.url), "utf8")) as { cases: Case[] };
const LABELS = ["-", "|", "E", "T", "A", "O", "N", "I", "H", "S", "R", "D", "L", "U", "M", "W", "C", "F", "G", "Y", "P", "B", "V", "K", "'", "X", "J", "Q", "Z"];

/** Replays PyTorch's emissions in the order align() asks for them. */
function replayModel(c: Case): AlignModel {
  let next = 0;
  return {
    vocab: LABELS,
    emissions: async () => {
      const e = c.emissions[next++];
      const bytes = Buffer.from(e.f32, "base64");
      return { data: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)), frames: e.frames, vocab: e.vocab };
    },
  };
}

describe("align() equals WhisperX's align() on the synthetic aligner's clips", () => {
  for (const [i, c] of reference.cases.entries()) {
    it(`${i}: ${c.clip} (${c.language}${c.options.return_char_alignments ? ", chars" : ""}${c.options.interpolate_method ? `, ${c.options.interpolate_method}` : ""}): ${JSON.stringify(c.segments[0].text.slice(0, 40))}`, async () => {
      const audio = await loadAudio(`${SHARED}/fixtures/synth-wav2vec2/audio/${c.clip}.wav`);
      const options: AlignOptions = { language: c.language, returnCharAlignments: c.options.return_char_alignments, interpolateMethod: c.options.interpolate_method };
      const result = await align(c.segments, replayModel(c), audio, options);
      expect(result).toEqual(c.result);
      // Same keys in the same order as WhisperX's JSON.
      expect(pythonJson(result)).toBe(pythonJson(c.result));
    });
  }
});
