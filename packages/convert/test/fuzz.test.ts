/**
 * A seeded mutation fuzzer over real fixture files: every mutated input must either convert or
 * fail with a one-line ConvertError naming the file, quickly, without leaving an output dir.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConvertError, convertModel, serializeSafetensors, fromFloat32, type ModelFamily } from "../src/index.js";
import { pickle, tensorRef, torchZip } from "./pickle-writer.js";
import { SHARED } from "./shared.js";

/** mulberry32: a tiny seeded PRNG, so failures reproduce. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(src: Uint8Array, rand: () => number): Uint8Array {
  const b = Uint8Array.from(src);
  const pos = () => Math.floor(rand() * b.length);
  switch (Math.floor(rand() * 6)) {
    case 0: // flip bytes
      for (let i = 0, n = 1 + Math.floor(rand() * 8); i < n; i++) b[pos()] ^= 1 << Math.floor(rand() * 8);
      return b;
    case 1: // truncate
      return b.slice(0, pos());
    case 2: { // overwrite a 4- or 8-byte field with a huge or zero value
      const p = pos();
      const v = rand() < 0.5 ? 0xff : 0x00;
      for (let i = p; i < Math.min(b.length, p + (rand() < 0.5 ? 4 : 8)); i++) b[i] = v;
      return b;
    }
    case 3: { // insert random bytes
      const p = pos();
      const junk = Uint8Array.from({ length: 1 + Math.floor(rand() * 16) }, () => Math.floor(rand() * 256));
      return Uint8Array.from([...b.subarray(0, p), ...junk, ...b.subarray(p)]);
    }
    case 4: { // duplicate a chunk over another place
      const p = pos();
      const q = pos();
      b.copyWithin(q, p, Math.min(b.length, p + 64));
      return b;
    }
    default: // random bytes in the first 512 (headers live there)
      for (let i = 0; i < 4; i++) b[Math.floor(rand() * Math.min(512, b.length))] = Math.floor(rand() * 256);
      return b;
  }
}

const dir = mkdtempSync(join(tmpdir(), "fuzz-"));
// Hundreds of converted outputs (about 300 MB): gone after the run.
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Small seeds so hundreds of cases stay fast; each is a real, convertible file.
const smallPt = torchZip(
  pickle({ t: "dict", entries: [["dims", { t: "dict", entries: [] }], ["model_state_dict", { t: "dict", ordered: true, entries: [["w", tensorRef("0", "FloatStorage", 6, 0, [2, 3], [3, 1])]] }]] }),
  { "0": new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer) },
);
const smallSt = serializeSafetensors(new Map([["a", fromFloat32(new Float32Array(8), [2, 4], "float32")], ["b", fromFloat32(new Float32Array(3), [3], "float16")]]));

const seeds: { name: string; family: ModelFamily; bytes: Uint8Array; ext: string; cases: number }[] = [
  { name: "small.pt", family: "whisper", bytes: smallPt, ext: "pt", cases: 150 },
  { name: "small.safetensors", family: "wav2vec2", bytes: smallSt, ext: "safetensors", cases: 100 },
  { name: "silero_vad.onnx", family: "silero-vad", bytes: readFileSync(`${SHARED}/fixtures/silero-vad/silero_vad.onnx`), ext: "onnx", cases: 60 },
  { name: "silero_vad.jit", family: "silero-vad", bytes: readFileSync(`${SHARED}/fixtures/silero-vad/silero_vad.jit`), ext: "jit", cases: 60 },
];

describe("fuzzing the readers with mutated fixtures", () => {
  for (const seed of seeds) {
    it(`${seed.name}: ${seed.cases} mutations, no crash, no hang, no output on failure, one-line errors`, () => {
      const rand = rng(0x5eed + seed.cases + seed.bytes.length);
      let failures = 0;
      for (let i = 0; i < seed.cases; i++) {
        const file = join(dir, `case-${seed.name}-${i}.${seed.ext}`);
        writeFileSync(file, mutate(seed.bytes, rand));
        const out = join(dir, `out-${seed.name}-${i}`);
        const t0 = performance.now();
        try {
          convertModel({ family: seed.family, torchNameOrPath: file, mlxPath: out });
        } catch (e) {
          failures++;
          expect(e, `case ${i}: ${(e as Error).stack}`).toBeInstanceOf(ConvertError);
          const msg = (e as Error).message;
          expect(msg.startsWith(`${file}: `), msg).toBe(true);
          expect(msg.includes("\n"), msg).toBe(false);
          expect(existsSync(out), `case ${i} left ${out}`).toBe(false);
        }
        expect(performance.now() - t0, `case ${i} took too long`).toBeLessThan(10_000);
      }
      expect(failures).toBeGreaterThan(seed.cases / 3);
    }, 180_000);
  }
});
