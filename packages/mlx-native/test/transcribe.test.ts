/** Sequential transcription through the MLX backend against openai-whisper's transcripts. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadAudio, transcribe } from "@whisperx-mlx/core";
import { MlxWhisperBackend } from "../src/index.js";
import { SYNTH } from "./shared.js";

const MODEL = new URL("../../../fixtures/models/synth-whisper-256-mlx", import.meta.url).pathname;
interface Ref { id: string; transcribe: { text: string; segments: { start: number; end: number; text: string; tokens: number[]; avg_logprob: number }[] } }
const refs = JSON.parse(readFileSync(`${SYNTH}/refs.json`, "utf8")) as { clips: Ref[] };

describe("transcribe on MLX (bundled fp16 model, upcast to fp32)", () => {
  const backend = MlxWhisperBackend.load(MODEL);
  for (const id of ["eval_004", "eval_012", "trainlike_013"]) {
    it(`${id}: identical tokens, text and segment times`, async () => {
      const ref = refs.clips.find((c) => c.id === id)!.transcribe;
      const r = await transcribe(backend, await loadAudio(`${SYNTH}/audio/${id}.wav`), { language: "en", temperature: 0, conditionOnPreviousText: false });
      expect(r.text).toBe(ref.text);
      expect(r.segments.map((s) => s.tokens)).toEqual(ref.segments.map((s) => s.tokens));
      r.segments.forEach((s, i) => {
        expect(s.start).toBeCloseTo(ref.segments[i].start, 6);
        expect(s.end).toBeCloseTo(ref.segments[i].end, 6);
        expect(Math.abs((s.avg_logprob ?? 0) - ref.segments[i].avg_logprob)).toBeLessThan(1e-3);
      });
    });
  }
  it("detects the language when none is given", async () => {
    const r = await transcribe(backend, await loadAudio(`${SYNTH}/audio/eval_001.wav`), { temperature: 0 });
    expect(r.language).toBe("en");
  });
});
