/**
 * ggml's block quantisations Q8_0 and Q4_0, bit for bit as `quantize_row_q8_0_ref` /
 * `quantize_row_q4_0_ref` in ggml-quants.c (what whisper.cpp's `quantize` tool writes: it passes
 * no importance matrix, so the reference rows are used). Every step is rounded to float32 as the
 * C code computes it, so the bytes match.
 */
import { floatToHalf } from "./tensor.js";

/** Values per block of both formats. */
export const GGML_BLOCK = 32;

/** ggml tensor type ids (`enum ggml_type`) of the formats we write. */
export const GGML_TYPE = { f32: 0, f16: 1, q4_0: 2, q8_0: 8 } as const;
export type GgmlTensorType = keyof typeof GGML_TYPE;

/** `enum ggml_ftype` of a whole model file (the `ftype` hparam). */
export const GGML_FTYPE = { f32: 0, f16: 1, q4_0: 2, q8_0: 7 } as const;

/** Bytes of one block: an fp16 scale then the quants. */
const BLOCK_BYTES = { q8_0: 2 + GGML_BLOCK, q4_0: 2 + GGML_BLOCK / 2 } as const;

const fr = Math.fround;

/** Quantises `x` (a multiple of 32 values, rows laid end to end) to Q8_0 blocks. */
export function quantizeQ8_0(x: Float32Array): Uint8Array {
  const nb = checkedBlocks(x.length);
  const out = new Uint8Array(nb * BLOCK_BYTES.q8_0);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < nb; i++) {
    const base = i * GGML_BLOCK;
    let amax = 0;
    for (let j = 0; j < GGML_BLOCK; j++) amax = Math.max(amax, Math.abs(x[base + j]));
    const d = fr(amax / 127);
    const id = d ? fr(1 / d) : 0;
    const o = i * BLOCK_BYTES.q8_0;
    dv.setUint16(o, floatToHalf(d), true);
    // roundf: half away from zero.
    for (let j = 0; j < GGML_BLOCK; j++) {
      const v = fr(x[base + j] * id);
      dv.setInt8(o + 2 + j, Math.sign(v) * Math.round(Math.abs(v)));
    }
  }
  return out;
}

/** Quantises `x` to Q4_0 blocks: scale = the signed value of largest magnitude / −8. */
export function quantizeQ4_0(x: Float32Array): Uint8Array {
  const nb = checkedBlocks(x.length);
  const out = new Uint8Array(nb * BLOCK_BYTES.q4_0);
  const dv = new DataView(out.buffer);
  const half = GGML_BLOCK / 2;
  // (int8_t) truncates toward zero; MIN(15, …) caps the top.
  const q = (v: number) => Math.min(15, Math.trunc(fr(v + 8.5)));
  for (let i = 0; i < nb; i++) {
    const base = i * GGML_BLOCK;
    let amax = 0;
    let max = 0;
    for (let j = 0; j < GGML_BLOCK; j++) {
      const v = x[base + j];
      if (amax < Math.abs(v)) {
        amax = Math.abs(v);
        max = v;
      }
    }
    const d = fr(max / -8);
    const id = d ? fr(1 / d) : 0;
    const o = i * BLOCK_BYTES.q4_0;
    dv.setUint16(o, floatToHalf(d), true);
    for (let j = 0; j < half; j++) {
      const lo = q(fr(x[base + j] * id));
      const hi = q(fr(x[base + half + j] * id));
      out[o + 2 + j] = lo | (hi << 4);
    }
  }
  return out;
}

function checkedBlocks(n: number): number {
  if (n % GGML_BLOCK !== 0) throw new Error(`ggml block quantisation needs a multiple of ${GGML_BLOCK} values, got ${n}`);
  return n / GGML_BLOCK;
}
