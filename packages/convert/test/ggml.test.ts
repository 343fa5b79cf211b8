import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConvertError, convertWhisperToGgml, halfToFloat, quantizeQ4_0, quantizeQ8_0 } from "../src/index.js";
import { SYNTH } from "./shared.js";

/** whisper.cpp's converter and `quantize` on the fixture (fixtures/tools/ggml_reference.py). */
const reference = JSON.parse(readFileSync(fileURLToPath(new URL("../../../fixtures/ggml/reference.json", import.meta.url)), "utf8")) as { files: Record<string, { sha256: string; bytes: number }> };
const MLX_DIR = fileURLToPath(new URL("../../../fixtures/models/synth-whisper-256-mlx", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "ggml-test-"));
const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** A whisper.cpp model file's tensors: name → [type, dims innermost first, bytes]. */
function readGgmlTensors(file: string): { hparams: number[]; tensors: Map<string, { type: number; dims: number[]; data: Buffer }> } {
  const b = readFileSync(file);
  let o = 0;
  const i32 = () => {
    const v = b.readInt32LE(o);
    o += 4;
    return v;
  };
  expect(i32()).toBe(0x67676d6c);
  const hparams = Array.from({ length: 11 }, i32);
  const [rows, cols] = [i32(), i32()];
  o += rows * cols * 4;
  const nVocab = i32();
  for (let i = 0; i < nVocab; i++) {
    const length = i32();
    o += length;
  }
  const tensors = new Map<string, { type: number; dims: number[]; data: Buffer }>();
  const bytesOf = (type: number, n: number) => (type === 0 ? 4 * n : type === 1 ? 2 * n : type === 8 ? (n / 32) * 34 : (n / 32) * 18);
  while (o < b.length) {
    const [nDims, nameLength, type] = [i32(), i32(), i32()];
    const dims = Array.from({ length: nDims }, i32);
    const name = b.subarray(o, o + nameLength).toString();
    o += nameLength;
    const size = bytesOf(type, dims.reduce((a, d) => a * d, 1));
    tensors.set(name, { type, dims, data: b.subarray(o, o + size) });
    o += size;
  }
  return { hparams, tensors };
}

describe("convert whisper --to ggml", () => {
  for (const type of ["f16", "q8_0", "q4_0"] as const) {
    it(`writes whisper.cpp's own ${type} file byte for byte from the OpenAI .pt`, () => {
      const out = join(tmp, `pt-${type}.bin`);
      const r = convertWhisperToGgml({ source: `${SYNTH}/synth-whisper-256.pt`, ggmlPath: out, type });
      expect(r.tensors).toBe(167);
      expect(r.bytesOut).toBe(reference.files[type].bytes);
      expect(sha256(out)).toBe(reference.files[type].sha256);
    });
  }

  it("gives the same tensors from the Hugging Face and MLX directories (encoder positions recomputed within fp16 rounding)", () => {
    const want = readGgmlTensors(join(tmp, "pt-f16.bin"));
    for (const [what, source] of [["hf", `${SYNTH}/hf`], ["mlx", MLX_DIR]]) {
      const out = join(tmp, `${what}-f16.bin`);
      convertWhisperToGgml({ source, ggmlPath: out, type: "f16" });
      const got = readGgmlTensors(out);
      expect(got.hparams).toEqual(want.hparams);
      expect([...got.tensors.keys()].sort()).toEqual([...want.tensors.keys()].sort());
      for (const [name, t] of want.tensors) {
        const g = got.tensors.get(name)!;
        expect([g.type, g.dims], `${what}: ${name}`).toEqual([t.type, t.dims]);
        if (name === "encoder.positional_embedding" && what === "mlx") {
          const a = new Float32Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.length));
          const c = new Float32Array(g.data.buffer.slice(g.data.byteOffset, g.data.byteOffset + g.data.length));
          let max = 0;
          for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - c[i]));
          expect(max).toBeLessThan(1e-3);
        } else expect(g.data.equals(t.data), `${what}: ${name}`).toBe(true);
      }
    }
  });

  it("quantises blocks as ggml's reference rows: zero blocks, ties, the signed maximum of Q4_0", () => {
    const x = new Float32Array(64);
    x.set([-2, 1, 0.25, 0.5, -0.75, 1.0, 2], 32);
    const q4 = quantizeQ4_0(x);
    expect(q4.length).toBe(36);
    // Zero block: scale 0 / −8 = −0 (fp16 0x8000, as C computes it), every quant 8 (x·0 + 8.5 → 8).
    expect([q4[0], q4[1]]).toEqual([0x00, 0x80]);
    expect([...q4.subarray(2, 18)].every((v) => v === 0x88)).toBe(true);
    // Second block: d = −2 / −8 = 0.25; x = −2 → −8 + 8.5 → 0; x = 2 → 8 + 8.5 → min(15, 16) = 15.
    expect(halfToFloat(q4[18] | (q4[19] << 8))).toBe(0.25);
    expect(q4[20] & 0xf).toBe(0);
    expect(q4[20 + 6] & 0xf).toBe(15);
    expect(q4[20 + 1] & 0xf).toBe(12); // 1 · 4 + 8.5 = 12.5 → 12
    const q8 = quantizeQ8_0(x);
    expect(q8.length).toBe(68);
    // d = 2/127, 1/d = 63.5: 1 → 63.5 → 64 (ties away from zero), 0.25 → 15.875 → 16, −0.75 → −47.625 → −48.
    expect(new Int8Array(q8.buffer, 34 + 2, 32).slice(0, 7)).toEqual(Int8Array.from([-127, 64, 16, 32, -48, 64, 127]));
  });

  it("refuses a non-checkpoint in one line and writes nothing", () => {
    const out = join(tmp, "bad", "model.bin");
    const bad = join(tmp, "not-a-checkpoint.pt");
    writeFileSync(bad, "not a zip");
    expect(() => convertWhisperToGgml({ source: bad, ggmlPath: out, type: "f16" })).toThrow(ConvertError);
    expect(() => convertWhisperToGgml({ source: bad, ggmlPath: out, type: "f16" })).toThrow(/^[^\n]*not-a-checkpoint\.pt: [^\n]+$/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(tmp, "bad")) ? readdirSync(join(tmp, "bad")) : []).toEqual([]);
  });

  it("keeps an existing output unless forced", () => {
    const out = join(tmp, "pt-f16.bin");
    expect(() => convertWhisperToGgml({ source: `${SYNTH}/synth-whisper-256.pt`, ggmlPath: out, type: "q4_0" })).toThrow(/already exists/);
    expect(sha256(out)).toBe(reference.files.f16.sha256);
  });
});
