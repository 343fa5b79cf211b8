/**
 * Cross-attention DTW word timestamps on both engines against openai-whisper's
 * `word_timestamps=True` output (here because the CLI package sees both engines).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadAudio, transcribe, type WhisperBackend } from "@whisperx-mlx/core";
import { MlxWhisperBackend } from "@whisperx-mlx/mlx-native";
import { OnnxWhisperBackend } from "@whisperx-mlx/onnx";
import { SYNTH } from "./shared.js";

const MODEL = new URL("../../../fixtures/models/synth-whisper-256-mlx", import.meta.url).pathname;
interface W {
  word: string;
  start: number;
  end: number;
}
const refs = JSON.parse(readFileSync(`${SYNTH}/refs.json`, "utf8")) as { clips: { id: string; transcribe_word_timestamps?: { text: string; segments: { words: W[] }[] } }[] };
const engines: Record<string, () => Promise<WhisperBackend>> = {
  mlx: async () => MlxWhisperBackend.load(MODEL),
  onnx: () => OnnxWhisperBackend.load(MODEL),
};

describe("word timestamps by cross-attention DTW", () => {
  it.each(Object.keys(engines))("%s: puts ≥ 95 % of words within 0.02 s of openai-whisper on every clip with a reference", async (engine) => {
    const backend = await engines[engine]();
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
    console.log(`${engine} DTW: ${ok}/${n} words within 0.02 s of openai-whisper`);
    expect(n).toBeGreaterThan(500);
    expect(ok / n).toBeGreaterThanOrEqual(0.95);
  });
});
