/**
 * NumPy `.npz` archives (`np.savez`, `mx.savez`): a zip of `.npy` arrays, the format of
 * mlx-community's older Whisper repos (`weights.npz`). Each array is read on its own (see
 * `zip.ts`), so archives over 2 GiB work.
 */
import { ConvertError } from "../errors.js";
import { DTYPE_SIZE, numel, type DType, type HostTensor } from "../tensor.js";
import { ZipArchive } from "./zip.js";

const NPY_DTYPES: Record<string, DType> = {
  "<f4": "float32", "<f2": "float16", "<f8": "float64", "<i8": "int64", "<i4": "int32", "<i2": "int16", "|i1": "int8", "|u1": "uint8", "<u4": "uint32", "|b1": "bool",
  // MLX writes bfloat16 under numpy's void type of the same size.
  "<V2": "bfloat16", "|V2": "bfloat16",
};

/** Parses one `.npy` file (format versions 1–3, C order, little-endian). */
export function parseNpy(bytes: Uint8Array, where: string): HostTensor {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 10 || b[0] !== 0x93 || b.toString("latin1", 1, 6) !== "NUMPY") throw new ConvertError(where, "not a .npy array");
  const major = b[6];
  if (major < 1 || major > 3) throw new ConvertError(where, `.npy format version ${major} is not supported`);
  const headerLength = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  if (start + headerLength > b.length) throw new ConvertError(where, "truncated .npy header");
  const header = b.toString(major === 3 ? "utf8" : "latin1", start, start + headerLength);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const dtype = descr ? NPY_DTYPES[descr] : undefined;
  if (!dtype) throw new ConvertError(where, `.npy dtype ${descr ?? "(none)"} is not supported`);
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (shapeText === undefined) throw new ConvertError(where, ".npy header has no shape");
  const shape = shapeText.split(",").map((x) => x.trim()).filter(Boolean).map(Number);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new ConvertError(where, `.npy shape (${shapeText}) is invalid`);
  const dataStart = start + headerLength;
  const expected = numel(shape) * DTYPE_SIZE[dtype];
  if (b.length - dataStart !== expected) throw new ConvertError(where, `.npy data is ${b.length - dataStart} bytes, expected ${expected} for shape (${shape.join(", ")}) × ${dtype}`);
  const data = Uint8Array.prototype.slice.call(b, dataStart);
  return fortran && shape.length > 1 ? fromFortranOrder({ dtype, shape, data }) : { dtype, shape, data };
}

/** A column-major (Fortran-order) array rewritten in row-major order, e.g. pyannote's PLDA `lda`. */
function fromFortranOrder(t: HostTensor): HostTensor {
  const size = DTYPE_SIZE[t.dtype];
  const n = numel(t.shape);
  const out = new Uint8Array(t.data.length);
  const rank = t.shape.length;
  const index = new Array<number>(rank).fill(0);
  for (let rowMajor = 0; rowMajor < n; rowMajor++) {
    // The Fortran offset of this row-major index: the first axis varies fastest.
    let offset = 0;
    let stride = 1;
    for (let d = 0; d < rank; d++) {
      offset += index[d] * stride;
      stride *= t.shape[d];
    }
    out.set(t.data.subarray(offset * size, offset * size + size), rowMajor * size);
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d] < t.shape[d]) break;
      index[d] = 0;
    }
  }
  return { ...t, data: out };
}

/** Every array of an `.npz` file, by name (the entry name without `.npy`). */
export function readNpz(file: string, only?: (name: string) => boolean): Map<string, HostTensor> {
  const zip = new ZipArchive(file);
  try {
    const out = new Map<string, HostTensor>();
    for (const entry of zip.entries) {
      if (!entry.name.endsWith(".npy")) continue;
      const name = entry.name.slice(0, -".npy".length);
      if (only && !only(name)) continue;
      out.set(name, parseNpy(zip.read(entry), `${file}: ${name}`));
    }
    if (out.size === 0 && !only) throw new ConvertError(file, "no .npy arrays in the archive");
    return out;
  } finally {
    zip.close();
  }
}
