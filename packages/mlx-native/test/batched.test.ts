/** WhisperX's chunked path: chunk text equals openai-whisper's decode of the same audio, at any batch size. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadAudio, transcribeChunks, type VadChunk } from "@whisperx-mlx/core";
import { MlxWhisperBackend } from "../src/index.js";
import { SYNTH } from "./shared.js";

const MODEL = new URL("../../../fixtures/models/synth-whisper-256-mlx", import.meta.url).pathname;
const chunks = (JSON.parse(readFileSync(`${SYNTH}/refs-extra/vad.json`, "utf8")) as { whisperx_chunks: Record<string, { chunks: VadChunk[] }> }).whisperx_chunks.longform_000.chunks;
const ref = (JSON.parse(readFileSync(`${SYNTH}/refs-extra/chunked.json`, "utf8")) as { clips: Record<string, { chunks: { greedy: { text: string; tokens: number[]; avg_logprob: number } }[] }> }).clips.longform_000.chunks;

describe("batched chunk decoding on MLX", () => {
  it("gives the reference text for every chunk, identical for batch sizes 1, 4 and 8", async () => {
    const backend = MlxWhisperBackend.load(MODEL);
    const audio = await loadAudio(`${SYNTH}/audio/longform_000.wav`);
    const texts: string[][] = [];
    for (const batchSize of [1, 4, 8]) {
      const r = await transcribeChunks(backend, audio, chunks, { language: "en", batchSize });
      expect(r.segments.map((s) => [s.start, s.end])).toEqual(chunks.map((c) => [c.start, c.end]));
      r.segments.forEach((s, i) => {
        expect(s.text.trim()).toBe(ref[i].greedy.text);
        expect(s.tokens).toEqual(ref[i].greedy.tokens);
        expect(Math.abs((s.avg_logprob as number) - ref[i].greedy.avg_logprob)).toBeLessThan(1e-3);
      });
      texts.push(r.segments.map((s) => s.text));
    }
    expect(texts[1]).toEqual(texts[0]);
    expect(texts[2]).toEqual(texts[0]);
  });
});
