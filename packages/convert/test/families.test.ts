import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { convertModel, foldWeightNorm, readSafetensors, readSileroJit, readSileroOnnx, readWav2Vec2Source, readTorchCheckpoint, tensorsEqual, toFloat32, isHostTensor } from "../src/index.js";
import { SHARED } from "./shared.js";

const W2V = `${SHARED}/fixtures/synth-wav2vec2`;
const SIL = `${SHARED}/fixtures/silero-vad`;
const tmp = mkdtempSync(join(tmpdir(), "families-"));

describe("Silero VAD", () => {
  for (const rate of [16000, 8000] as const) {
    it(`gives the same tensors from .onnx and .jit (${rate} Hz)`, () => {
      const a = readSileroOnnx(`${SIL}/silero_vad.onnx`, rate).tensors;
      const b = readSileroJit(`${SIL}/silero_vad.jit`, rate).tensors;
      expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
      expect(a.size).toBe(15);
      for (const [k, v] of a) expect(tensorsEqual(v, b.get(k)!), k).toBe(true);
    });
  }
  it("reads v5.1 ONNX too, into the documented layout (one LSTM cell, hidden 128)", () => {
    const t = readSileroOnnx(`${SIL}/silero_vad_v5.1.2.onnx`).tensors;
    expect(t.get("lstm.weight_ih")!.shape).toEqual([512, 128]);
    expect(t.get("stft.weight")!.shape).toEqual([258, 256, 1]);
    expect(t.get("encoder.0.weight")!.shape).toEqual([128, 3, 129]);
    expect([...t.keys()].filter((k) => k.startsWith("lstm"))).toHaveLength(4);
  });
  it("refuses v4 (a different architecture) with a clear error", () => {
    expect(() => readSileroOnnx(`${SIL}/silero_vad_v4.0.onnx`)).toThrow(/silero_vad_v4\.0\.onnx: .*(STFT|Silero)/);
  });
});

describe("wav2vec2", () => {
  const hf = readWav2Vec2Source(`${W2V}/hf`);
  it("gives the same tensors from HF safetensors, HF pytorch_model.bin and torchaudio .pth", () => {
    for (const other of [readWav2Vec2Source(`${W2V}/hf_bin`), readWav2Vec2Source(`${W2V}/torchaudio/wav2vec2_ta.pth`)]) {
      expect([...other.tensors.keys()].sort()).toEqual([...hf.tensors.keys()].sort());
      for (const [k, v] of hf.tensors) expect(tensorsEqual(v, other.tensors.get(k)!), k).toBe(true);
    }
  });
  it("folds the weight norm: w = g·v/‖v‖ (norm over dims 0, 1 per kernel tap)", () => {
    const sd = readTorchCheckpoint(`${W2V}/hf_bin/pytorch_model.bin`) as Record<string, unknown>;
    const g = sd["wav2vec2.encoder.pos_conv_embed.conv.parametrizations.weight.original0"];
    const v = sd["wav2vec2.encoder.pos_conv_embed.conv.parametrizations.weight.original1"];
    if (!isHostTensor(g) || !isHostTensor(v)) throw new Error("fixture");
    const gv = toFloat32(g);
    const vv = toFloat32(v);
    const [o, i, k] = v.shape;
    const w = toFloat32(hf.tensors.get("encoder.pos_conv_embed.conv.weight")!); // (o, k, i)
    for (const tap of [0, 63, 127]) {
      let norm = 0;
      for (let a = 0; a < o * i; a++) norm += vv[a * k + tap] ** 2;
      norm = Math.sqrt(norm);
      for (const [oo, ii] of [[0, 0], [100, 7], [255, 15]]) {
        const expected = (gv[tap] * vv[(oo * i + ii) * k + tap]) / norm;
        expect(w[(oo * k + tap) * i + ii]).toBeCloseTo(expected, 6);
      }
    }
    expect(foldWeightNorm(g, v).shape).toEqual([o, i, k]);
  });
  it("transposes convs and carries the label set into config.json", () => {
    expect(hf.tensors.get("feature_extractor.conv_layers.0.conv.weight")!.shape).toEqual([256, 10, 1]);
    expect(hf.tensors.has("masked_spec_embed")).toBe(false);
    const out = join(tmp, "w2v");
    convertModel({ family: "wav2vec2", torchNameOrPath: `${W2V}/torchaudio/wav2vec2_ta.pth`, mlxPath: out });
    const cfg = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
    expect(cfg).toMatchObject({ model_type: "wav2vec2", blank_id: 0, word_delimiter: "|", hidden_size: 256, num_hidden_layers: 4, feat_extract_norm: "group" });
    expect(cfg.vocab.slice(0, 4)).toEqual(["-", "|", "E", "T"]);
    expect(readSafetensors(join(out, "weights.safetensors")).size).toBe(83);
  });
});

describe("--verify", () => {
  it("reports zero error for float32, and 8-bit error far below 4-bit error", () => {
    const exact = convertModel({ family: "silero-vad", torchNameOrPath: `${SIL}/silero_vad.onnx`, mlxPath: join(tmp, "sil"), verify: true });
    expect(Math.max(...Object.values(exact.maxErrorByFamily!))).toBe(0);
    const q8 = convertModel({ family: "wav2vec2", torchNameOrPath: `${W2V}/hf`, mlxPath: join(tmp, "w2v-q8"), quantize: { bits: 8, groupSize: 64 }, verify: true });
    expect(q8.quantized).toBeGreaterThan(20);
    const errs = q8.maxErrorByFamily!;
    const q4 = convertModel({ family: "wav2vec2", torchNameOrPath: `${W2V}/hf`, mlxPath: join(tmp, "w2v-q4"), quantize: { bits: 4, groupSize: 64 }, verify: true }).maxErrorByFamily!;
    for (const fam of ["encoder.layers.*.attention.q_proj.weight", "encoder.layers.*.feed_forward.intermediate_dense.weight", "lm_head.weight"]) {
      expect(errs[fam], fam).toBeGreaterThan(0);
      expect(errs[fam] * 4, fam).toBeLessThan(q4[fam]);
    }
    expect(errs["feature_extractor.conv_layers.*.conv.weight"]).toBe(0);
    expect(errs["encoder.layers.*.layer_norm.weight"]).toBe(0);
  });
});
