/**
 * The streaming buffer's hard cap on the real model: the first 100 s of longform_000 streamed on the audio clock (greedy, no fallback)
 * with a cap scaled down (12 s, trimming at 6 s, 5 s per pass) so the bound is exercised many
 * times in seconds; `pnpm bench --streaming --long` checks the default 30 s cap over an hour.
 */
import { describe, expect, it } from "vitest";
import { transcribeStream } from "@whisperx-mlx/core";
import { DEMO_MODEL, loadAudio, loadModel } from "whisperx-mlx";
import { SYNTH } from "./shared.js";

describe("transcribeStream on the demo model", () => {
  it("keeps every pass's buffer within the cap plus one chunk, and commits append-only to the end", async () => {
    const model = await loadModel(DEMO_MODEL, { backend: "onnx", vadMethod: "none", language: "en", asrOptions: { beamSize: 1, temperatures: [0] } });
    const audio = (await loadAudio(`${SYNTH}/audio/longform_000.wav`)).subarray(0, 16000 * 100);
    async function* blocks(): AsyncGenerator<Float32Array> {
      for (let i = 0; i < audio.length; i += 1600) yield audio.subarray(i, i + 1600);
    }
    const buffers: number[] = [];
    const words: { start: number; end: number }[] = [];
    let final = false;
    for await (const u of transcribeStream(blocks(), { model, clock: "audio", minChunkSize: 5, maxBufferSec: 12, bufferTrimmingSec: 6, onPass: (s) => buffers.push(s.bufferSeconds) })) {
      expect(final).toBe(false);
      for (const w of u.committed) {
        if (words.length) expect(w.start).toBeGreaterThanOrEqual((words.at(-1) as { end: number }).end - 0.1);
        words.push(w);
      }
      final = u.final;
    }
    await model.close();
    expect(final).toBe(true);
    expect(buffers.length).toBeGreaterThanOrEqual(20);
    // A pass sees at most the cap left by the previous one plus one 5 s chunk.
    expect(Math.max(...buffers)).toBeLessThanOrEqual(12 + 5 + 1e-6);
    expect(words.length).toBeGreaterThan(50);
  }, 300_000);
});
