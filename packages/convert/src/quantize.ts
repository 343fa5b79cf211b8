/**
 * MLX affine quantization, bit-compatible with `mx.quantize` (checked in the tests):
 * per group of `groupSize` inputs, the scale is (max − min)/(2^bits − 1) with its sign and the
 * bias chosen so that the edge of larger magnitude (min or max) is exactly representable;
 * values are round-half-even((w − bias)/scale) clipped to [0, 2^bits − 1], packed LSB-first
 * into uint32 (8 four-bit or 4 eight-bit values per word). All arithmetic is float32.
 */
import { fromFloat32, toFloat32, type HostTensor } from "./tensor.js";

const f = Math.fround;

/** Round half to even, as `mx.round`. */
function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Quantized weight, scales and biases of one matrix. */
export interface QuantizedTensor {
  weight: HostTensor;
  scales: HostTensor;
  biases: HostTensor;
}

/** Quantizes a 2-D float tensor [out, in] (in divisible by groupSize and 32/bits). */
export function quantizeAffine(t: HostTensor, groupSize: 32 | 64 | 128, bits: 4 | 8, scaleDtype: "float32" | "float16" | "bfloat16" = "float32"): QuantizedTensor {
  if (t.shape.length !== 2) throw new Error(`quantize: expected a matrix, got shape [${t.shape}]`);
  const [rows, cols] = t.shape;
  if (cols % groupSize !== 0) throw new Error(`quantize: input dimension ${cols} is not a multiple of the group size ${groupSize}`);
  const w = toFloat32(t);
  const nBins = (1 << bits) - 1;
  const perWord = 32 / bits;
  const groups = cols / groupSize;
  const packed = new Uint32Array((rows * cols) / perWord);
  const scales = new Float32Array(rows * groups);
  const biases = new Float32Array(rows * groups);
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < groups; g++) {
      const base = r * cols + g * groupSize;
      let max = -Infinity;
      let min = Infinity;
      for (let i = 0; i < groupSize; i++) {
        const v = w[base + i];
        if (v > max) max = v;
        if (v < min) min = v;
      }
      const useMin = Math.abs(min) > Math.abs(max);
      let scale = Math.max(f(f(max - min) / nBins), f(1e-7));
      if (!useMin) scale = -scale;
      const edge = useMin ? min : max;
      const q0 = rint(f(edge / scale));
      if (q0 !== 0) scale = f(edge / q0);
      const bias = q0 === 0 ? 0 : edge;
      scales[r * groups + g] = scale;
      biases[r * groups + g] = bias;
      for (let i = 0; i < groupSize; i++) {
        const q = Math.min(nBins, Math.max(0, rint(f(f(w[base + i] - bias) / scale))));
        const idx = base + i;
        packed[Math.floor(idx / perWord)] |= q << (bits * (idx % perWord));
      }
    }
  }
  return {
    weight: { dtype: "uint32", shape: [rows, cols / perWord], data: new Uint8Array(packed.buffer) },
    scales: fromFloat32(scales, [rows, groups], scaleDtype),
    biases: fromFloat32(biases, [rows, groups], scaleDtype),
  };
}

/** Dequantizes back to float32 (for `--verify`). */
export function dequantizeAffine(q: QuantizedTensor, groupSize: number, bits: number): Float32Array {
  const rows = q.weight.shape[0];
  const perWord = 32 / bits;
  const cols = q.weight.shape[1] * perWord;
  const packed = new Uint32Array(Uint8Array.prototype.slice.call(q.weight.data).buffer);
  const s = toFloat32(q.scales);
  const b = toFloat32(q.biases);
  const out = new Float32Array(rows * cols);
  const mask = (1 << bits) - 1;
  for (let idx = 0; idx < rows * cols; idx++) {
    const v = (packed[Math.floor(idx / perWord)] >>> (bits * (idx % perWord))) & mask;
    const gi = Math.floor(idx / cols) * (cols / groupSize) + Math.floor((idx % cols) / groupSize);
    out[idx] = f(f(v * s[gi]) + b[gi]);
  }
  return out;
}
