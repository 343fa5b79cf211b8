/** wav2vec2 on ONNX Runtime (graph built from the bundled MLX model) against PyTorch and WhisperX. */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { readNpyFloat32 } from "@whisperx-mlx/convert";
import { align, loadAudio } from "@whisperx-mlx/core";
import { Wav2Vec2Onnx } from "../src/index.js";
import { SHARED } from "./shared.js";

const W2V = `${SHARED}/fixtures/synth-wav2vec2`;
const BUNDLED = fileURLToPath(new URL("../../../fixtures/models/synth-wav2vec2-mlx", import.meta.url));
interface ClipRef {
  id: string;
  num_frames: number;
  emissions_file?: string;
  emission_frame0: number[];
  argmax_ids: number[];
  reference_text: string;
  wx_words: { word: string; start_whisperx_rule: number; end_whisperx_rule: number }[];
}
const refs = JSON.parse(readFileSync(`${W2V}/refs.json`, "utf8")) as { clips: ClipRef[] };

describe("wav2vec2 on ONNX Runtime", () => {
  let model: Wav2Vec2Onnx;
  beforeAll(async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "wx-w2v-onnx-")), "model");
    mkdirSync(dir);
    for (const f of ["config.json", "weights.safetensors"]) copyFileSync(join(BUNDLED, f), join(dir, f));
    model = await Wav2Vec2Onnx.load(dir);
  });

  it("matches PyTorch's emissions within 1e-3, with the same argmax on every frame of every clip", async () => {
    let worst = 0;
    for (const c of refs.clips) {
      const e = await model.emissions(await loadAudio(`${W2V}/audio/${c.id}.wav`));
      expect(e.frames).toBe(c.num_frames);
      for (let v = 0; v < e.vocab; v++) worst = Math.max(worst, Math.abs(e.data[v] - c.emission_frame0[v]));
      for (let t = 0; t < e.frames; t++) {
        let best = 0;
        for (let v = 1; v < e.vocab; v++) if (e.data[t * e.vocab + v] > e.data[t * e.vocab + best]) best = v;
        expect(best, `${c.id} frame ${t}`).toBe(c.argmax_ids[t]);
      }
      if (c.emissions_file) {
        const ref = readNpyFloat32(`${W2V}/${c.emissions_file}`);
        for (let i = 0; i < ref.data.length; i++) worst = Math.max(worst, Math.abs(ref.data[i] - e.data[i]));
      }
    }
    console.log(`ONNX wav2vec2: max |Δ| vs PyTorch emissions ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(1e-3);
  });

  it("aligns with word times within 20 ms of WhisperX's on ≥ 95 % of words", async () => {
    const aligner = { vocab: model.config.vocab, emissions: (a: Float32Array) => model.emissions(a) };
    let n = 0;
    let ok = 0;
    for (const c of refs.clips) {
      const audio = await loadAudio(`${W2V}/audio/${c.id}.wav`);
      const r = await align([{ start: 0, end: audio.length / 16000, text: c.reference_text }], aligner, audio);
      expect(r.word_segments.map((w) => w.word)).toEqual(c.wx_words.map((w) => w.word));
      r.word_segments.forEach((w, i) => {
        n++;
        if (Math.abs((w.start as number) - c.wx_words[i].start_whisperx_rule) <= 0.02 && Math.abs((w.end as number) - c.wx_words[i].end_whisperx_rule) <= 0.02) ok++;
      });
    }
    console.log(`ONNX wav2vec2 alignment: ${ok}/${n} words within 20 ms of WhisperX`);
    expect(ok / n).toBeGreaterThanOrEqual(0.95);
  });

});
