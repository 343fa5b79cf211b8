/** The ONNX graphs written by `convert --to onnx` against openai-whisper's numeric references. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { convertMlxToOnnx, readNpyFloat32 } from "@whisperx-mlx/convert";
import { loadAudio, N_SAMPLES } from "@whisperx-mlx/core";
import { OnnxModelError, OnnxWhisperModel } from "../src/index.js";
import { SYNTH } from "./shared.js";

const BUNDLED = fileURLToPath(new URL("../../../fixtures/models/synth-whisper-256-mlx", import.meta.url));
const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const argmax = (a: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
};

describe("Whisper on ONNX Runtime", () => {
  let model: OnnxWhisperModel;
  beforeAll(async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "wx-onnx-")), "synth-onnx");
    convertMlxToOnnx(BUNDLED, dir);
    model = await OnnxWhisperModel.load(dir);
  });

  for (const clip of ["eval_000", "eval_015"]) {
    it(`${clip}: log-mel, encoder and first-step logits match the references`, async () => {
      const audio = await loadAudio(`${SYNTH}/audio/${clip}.wav`);
      const padded = new Float32Array(N_SAMPLES);
      padded.set(audio.subarray(0, N_SAMPLES));
      const mel = await model.logMel([padded]);
      const refMel = readNpyFloat32(`${SYNTH}/numeric/${clip}_mel.npy`);
      expect(mel.frames).toBe(3000);
      expect(maxAbs(mel.data, refMel.data)).toBeLessThan(1e-3);
      const enc = await model.encode(refMel.data, 1);
      const refEnc = readNpyFloat32(`${SYNTH}/numeric/${clip}_encoder_out.npy`);
      expect(maxAbs(enc.features?.data as Float32Array, refEnc.data)).toBeLessThan(1e-3);
      const { logits } = await model.step([[50258, 50259, 50359, 50363]], 0, model.emptyCache(1), enc, undefined, { logits: true });
      const V = model.dims.n_vocab;
      const last = logits.subarray(3 * V, 4 * V);
      const refLogits = readNpyFloat32(`${SYNTH}/numeric/${clip}_logits_first_step.npy`);
      expect(maxAbs(last, refLogits.data)).toBeLessThan(1e-3);
      expect(argmax(last)).toBe(argmax(refLogits.data));
    });
  }
});

describe("quantised ONNX Whisper graphs", () => {
  // A packing or scaling bug gives uncorrelated logits; 4-bit blocks lose more than 8-bit columns.
  it("int8 and int4 first-step logits follow the float32 ones (correlation > 0.99 and > 0.95)", async () => {
    const root = mkdtempSync(join(tmpdir(), "wx-onnx-q-"));
    const mel = readNpyFloat32(`${SYNTH}/numeric/eval_000_mel.npy`).data;
    const first = async (weights: "float32" | "int8" | "int4") => {
      const dir = join(root, weights);
      convertMlxToOnnx(BUNDLED, dir, { weights });
      const m = await OnnxWhisperModel.load(dir);
      const { logits } = await m.step([[50258, 50259, 50359, 50363]], 0, m.emptyCache(1), await m.encode(mel, 1), undefined, { logits: true });
      await m.release();
      return logits.subarray(3 * m.dims.n_vocab);
    };
    const ref = await first("float32");
    const corr = (a: Float32Array, b: Float32Array) => {
      const mean = (x: Float32Array) => x.reduce((s, v) => s + v, 0) / x.length;
      const [ma, mb] = [mean(a), mean(b)];
      let sab = 0;
      let saa = 0;
      let sbb = 0;
      for (let i = 0; i < a.length; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) ** 2;
        sbb += (b[i] - mb) ** 2;
      }
      return sab / Math.sqrt(saa * sbb);
    };
    expect(corr(ref, await first("int8"))).toBeGreaterThan(0.99);
    expect(corr(ref, await first("int4"))).toBeGreaterThan(0.95);
  });
});

describe("ONNX graph errors", () => {
  it("refuses a graph from another role, and a file that is not ONNX, in one line", async () => {
    const { copyFileSync, writeFileSync } = await import("node:fs");
    const dir = join(mkdtempSync(join(tmpdir(), "wx-onnx-bad-")), "m");
    convertMlxToOnnx(BUNDLED, dir);
    copyFileSync(join(dir, "encoder.onnx"), join(dir, "decoder.onnx"));
    await expect(OnnxWhisperModel.load(dir)).rejects.toThrow(/decoder\.onnx: not a Whisper decoder graph for this model \(missing inputs tokens, offset/);
    writeFileSync(join(dir, "encoder.onnx"), "not a protobuf");
    const err = await OnnxWhisperModel.load(dir).catch((e: Error) => e);
    expect(err).toBeInstanceOf(OnnxModelError);
    expect((err as Error).message).toMatch(/encoder\.onnx: not a loadable ONNX graph/);
    expect((err as Error).message).not.toContain("\n");
    await expect(OnnxWhisperModel.load(join(dir, "missing"))).rejects.toThrow(/no readable onnx\.json/);
  });
});
