/** Element types a converter can read or write. */
export type DType = "float32" | "float16" | "bfloat16" | "float64" | "int64" | "int32" | "int16" | "int8" | "uint8" | "bool" | "uint32";

/** Bytes per element of each dtype. */
export const DTYPE_SIZE: Record<DType, number> = {
  float32: 4, float16: 2, bfloat16: 2, float64: 8, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1, uint32: 4,
};

/** A dense, C-contiguous, little-endian tensor held in host memory. */
export interface HostTensor {
  dtype: DType;
  shape: number[];
  data: Uint8Array;
}

/** Number of elements of a shape. */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE half → float, exact. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** float → IEEE half with round-to-nearest-even (the same as a hardware cast). */
export function floatToHalf(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  e = half >>> 10;
  return sign | half;
}

let halfTable: Float32Array | undefined;

/** Reinterprets little-endian bytes as a typed array (copying when unaligned). */
function view<T>(data: Uint8Array, size: number, make: (b: ArrayBuffer, o: number, n: number) => T): T {
  const aligned = data.byteOffset % size === 0 ? data : data.slice();
  return make(aligned.buffer as ArrayBuffer, aligned.byteOffset, aligned.byteLength / size);
}

/** Reads any floating tensor as float32 values. */
export function toFloat32(t: HostTensor): Float32Array {
  switch (t.dtype) {
    case "float32":
      return view(t.data, 4, (b, o, n) => new Float32Array(b, o, n)).slice();
    case "float16": {
      if (!halfTable) {
        halfTable = new Float32Array(65536);
        for (let h = 0; h < 65536; h++) halfTable[h] = halfToFloat(h);
      }
      const src = view(t.data, 2, (b, o, n) => new Uint16Array(b, o, n));
      const out = new Float32Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = halfTable[src[i]];
      return out;
    }
    case "bfloat16": {
      const src = view(t.data, 2, (b, o, n) => new Uint16Array(b, o, n));
      const bits = new Uint32Array(src.length);
      for (let i = 0; i < src.length; i++) bits[i] = src[i] << 16;
      return new Float32Array(bits.buffer);
    }
    case "float64":
      return Float32Array.from(view(t.data, 8, (b, o, n) => new Float64Array(b, o, n)));
    default:
      throw new Error(`toFloat32: ${t.dtype} is not a floating dtype`);
  }
}

/** Builds a tensor of the given floating dtype from float32 values. */
export function fromFloat32(values: Float32Array, shape: number[], dtype: "float32" | "float16" | "bfloat16"): HostTensor {
  const n = values.length;
  const data = new Uint8Array(n * DTYPE_SIZE[dtype]);
  const dv = new DataView(data.buffer);
  if (dtype === "float32") {
    data.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  } else if (dtype === "float16") {
    const out = new Uint16Array(data.buffer);
    for (let i = 0; i < n; i++) out[i] = floatToHalf(values[i]);
  } else {
    for (let i = 0; i < n; i++) {
      f32[0] = values[i];
      // round to nearest even on the dropped 16 bits
      const x = u32[0];
      const r = ((x >>> 16) & 1) + 0x7fff;
      dv.setUint16(i * 2, Number.isNaN(values[i]) ? 0x7fc0 : ((x + r) >>> 16) & 0xffff, true);
    }
  }
  return { dtype, shape, data };
}

/** Casts a floating tensor; a no-op when the dtype already matches (bits are kept). */
export function castFloat(t: HostTensor, dtype: "float32" | "float16" | "bfloat16"): HostTensor {
  if (t.dtype === dtype) return t;
  return fromFloat32(toFloat32(t), t.shape, dtype);
}

/** Permutes the axes of a tensor (byte-wise, so any dtype). */
export function permute(t: HostTensor, axes: number[]): HostTensor {
  const nd = t.shape.length;
  const size = DTYPE_SIZE[t.dtype];
  const inStrides = new Array<number>(nd);
  let acc = 1;
  for (let i = nd - 1; i >= 0; i--) {
    inStrides[i] = acc;
    acc *= t.shape[i];
  }
  const outShape = axes.map((a) => t.shape[a]);
  const strides = axes.map((a) => inStrides[a]);
  const n = numel(outShape);
  const out = new Uint8Array(n * size);
  const idx = new Array<number>(nd).fill(0);
  for (let o = 0; o < n; o++) {
    let src = 0;
    for (let d = 0; d < nd; d++) src += idx[d] * strides[d];
    out.set(t.data.subarray(src * size, src * size + size), o * size);
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
  return { dtype: t.dtype, shape: outShape, data: out };
}

/** True when two tensors have the same dtype, shape and bytes. */
export function tensorsEqual(a: HostTensor, b: HostTensor): boolean {
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length) return false;
  if (a.shape.some((d, i) => d !== b.shape[i])) return false;
  return Buffer.compare(Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength), Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength)) === 0;
}
