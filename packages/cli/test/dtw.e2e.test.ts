/**
 * Cross-attention DTW word timestamps on both engines against openai-whisper's
 * `word_timestamps=True` output (here because the CLI package sees both engines).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { convertModel } from "@whisperx-mlx/convert";
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

describe("the model's alignment heads drive DTW", () => {
  // The same weights converted from a transformers directory whose generation_config.json names
  // one head: the converted model carries it, and DTW uses it unless told otherwise.
  const tmp = mkdtempSync(join(tmpdir(), "dtw-heads-"));
  const hf = join(tmp, "hf");
  const withHeads = join(tmp, "mlx");
  mkdirSync(hf);
  for (const f of ["config.json", "model.safetensors"]) copyFileSync(join(SYNTH, "hf", f), join(hf, f));
  writeFileSync(join(hf, "generation_config.json"), JSON.stringify({ ...JSON.parse(readFileSync(join(SYNTH, "hf", "generation_config.json"), "utf8")), alignment_heads: [[3, 1]] }));
  convertModel({ family: "whisper", torchNameOrPath: hf, mlxPath: withHeads });
  const loaders: Record<string, (dir: string) => Promise<WhisperBackend>> = { mlx: async (dir) => MlxWhisperBackend.load(dir), onnx: (dir) => OnnxWhisperBackend.load(dir) };

  it.each(Object.keys(loaders))("%s: the converted model's head gives the words that head gives, not the default heads' words", async (engine) => {
    const audio = await loadAudio(`${SYNTH}/audio/eval_000.wav`);
    const words = async (backend: WhisperBackend, heads?: [number, number][]) => {
      const r = await transcribe(backend, audio, { language: "en", temperature: 0, conditionOnPreviousText: false, wordTimestamps: true, ...(heads ? { alignmentHeads: heads } : {}) });
      return r.segments.flatMap((s) => s.words ?? []).map((w) => [w.word, w.start, w.end]);
    };
    const model = await loaders[engine](withHeads);
    expect(model.alignmentHeads).toEqual([[3, 1]]);
    const bundled = await loaders[engine](MODEL);
    expect(bundled.alignmentHeads).toBeUndefined();
    const fromModel = await words(model);
    expect(fromModel).toEqual(await words(bundled, [[3, 1]]));
    expect(fromModel).not.toEqual(await words(bundled));
  });
});
