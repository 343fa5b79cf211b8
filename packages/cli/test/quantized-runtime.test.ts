/** Quantized Whisper (converted by us) loads in the MLX runtime and still transcribes. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { convertModel } from "@whisperx-mlx/convert";
import { loadAudio, transcribe } from "@whisperx-mlx/core";
import { MlxWhisperBackend } from "@whisperx-mlx/mlx-native";
import { wordErrorRate } from "@whisperx-mlx/bench";
import { SYNTH } from "./shared.js";

const refs = JSON.parse(readFileSync(`${SYNTH}/refs.json`, "utf8")) as { clips: { id: string; ground_truth: string; transcribe: { text: string } }[] };
const CLIPS = ["trainlike_000", "trainlike_004", "trainlike_010", "eval_005", "eval_013"];

describe("quantized Whisper in the runtime", () => {
  const dir = mkdtempSync(join(tmpdir(), "qrt-"));
  for (const bits of [8, 4] as const) {
    it(`${bits}-bit: loads, transcribes, and stays close to the fp16 model's WER`, async () => {
      const out = join(dir, `q${bits}`);
      convertModel({ family: "whisper", torchNameOrPath: `${SYNTH}/synth-whisper-256.pt`, mlxPath: out, quantize: { bits, groupSize: 64 } });
      const backend = MlxWhisperBackend.load(out);
      const pairs: [string, string][] = [];
      const refPairs: [string, string][] = [];
      let identical = 0;
      for (const id of CLIPS) {
        const clip = refs.clips.find((c) => c.id === id)!;
        const r = await transcribe(backend, await loadAudio(`${SYNTH}/audio/${id}.wav`), { language: "en", temperature: 0, conditionOnPreviousText: false });
        expect(r.text!.trim().length).toBeGreaterThan(0);
        if (r.text === clip.transcribe.text) identical++;
        pairs.push([clip.ground_truth, r.text!]);
        refPairs.push([clip.ground_truth, clip.transcribe.text]);
      }
      const wer = wordErrorRate(pairs).wer;
      const refWer = wordErrorRate(refPairs).wer;
      // 8-bit should be nearly lossless; 4-bit may drift but must stay a working model.
      expect(wer).toBeLessThanOrEqual(refWer + (bits === 8 ? 0.05 : 0.25));
      if (bits === 8) expect(identical).toBeGreaterThanOrEqual(3);
    });
  }

  it("4-bit kept 4-bit (Apple Silicon's choice) transcribes as dequantized, in under a third of the fp16 model's weight memory", async () => {
    // On Linux the default dequantizes (measured: pnpm bench's "quantized matmul" micro-benchmark);
    // keeping is forced here, so the path Apple Silicon takes runs in CI too.
    const q4 = join(dir, "q4");
    const kept = MlxWhisperBackend.load(q4, { keepQuantized: true });
    const dense = MlxWhisperBackend.load(q4, { keepQuantized: false });
    const fp16 = MlxWhisperBackend.load(new URL("../../../fixtures/models/synth-whisper-256-mlx", import.meta.url).pathname);
    expect(kept.model.weightBytes).toBeLessThan(fp16.model.weightBytes / 3);
    expect(dense.model.weightBytes).toBe(fp16.model.weightBytes);
    const audio = await loadAudio(`${SYNTH}/audio/eval_000.wav`);
    const options = { language: "en", temperature: 0, conditionOnPreviousText: false } as const;
    expect((await transcribe(kept, audio, options)).text).toBe((await transcribe(dense, audio, options)).text);
  });
});
