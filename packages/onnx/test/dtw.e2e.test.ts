/** Cross-attention DTW word timestamps on ONNX Runtime against openai-whisper's `word_timestamps=True`. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadAudio, transcribe } from "@whisperx-mlx/core";
import { OnnxWhisperBackend } from "../src/index.js";
import { SHARED } from "./shared.js";

const SYNTH = `${SHARED}/fixtures/synth-whisper-256`;
const BUNDLED = fileURLToPath(new URL("../../../fixtures/models/synth-whisper-256-mlx", import.meta.url));
interface W {
  word: string;
  start: number;
  end: number;
}
const refs = JSON.parse(readFileSync(`${SYNTH}/refs.json`, "utf8")) as { clips: { id: string; transcribe_word_timestamps?: { text: string; segments: { words: W[] }[] } }[] };

describe("word timestamps by cross-attention DTW on ONNX Runtime", () => {
  it("puts ≥ 95 % of words within 0.02 s of openai-whisper on every clip with a reference", async () => {
    const backend = await OnnxWhisperBackend.load(BUNDLED);
    let n = 0;
    let ok = 0;
    const clips = refs.clips.filter((c) => c.transcribe_word_timestamps);
    expect(clips.length).toBe(17);
    for (const c of clips) {
      const ref = c.transcribe_word_timestamps as { text: string; segments: { words: W[] }[] };
      const r = await transcribe(backend, await loadAudio(`${SYNTH}/audio/${c.id}.wav`), { language: "en", temperature: 0, conditionOnPreviousText: false, wordTimestamps: true });
      expect(r.text, c.id).toBe(ref.text);
      const got = r.segments.flatMap((s) => s.words ?? []);
      ref.segments.flatMap((s) => s.words).forEach((w, i) => {
        n++;
        const g = got[i];
        if (g && g.word === w.word && Math.abs((g.start as number) - w.start) <= 0.02 + 1e-9 && Math.abs((g.end as number) - w.end) <= 0.02 + 1e-9) ok++;
      });
    }
    console.log(`ONNX DTW: ${ok}/${n} words within 0.02 s of openai-whisper`);
    expect(n).toBeGreaterThan(500);
    expect(ok / n).toBeGreaterThanOrEqual(0.95);
  });
});
