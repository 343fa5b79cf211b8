/** Reads the diarization fixture's `.npz`/`.npy` references (zip entries stored or deflated). */
import { readFileSync } from "node:fs";
import { inflateRawSync } from "node:zlib";

export interface NpyArray {
  dtype: string;
  shape: number[];
  data: Float32Array | Float64Array | Uint8Array | Int8Array | Int32Array;
}

export function parseNpy(b: Buffer): NpyArray {
  const major = b[6];
  const headerLength = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = b.toString("latin1", start, start + headerLength);
  const dtype = /'descr':\s*'([^']+)'/.exec(header)?.[1] ?? "";
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? "").split(",").map((x) => x.trim()).filter(Boolean).map(Number);
  const bytes = b.subarray(start + headerLength);
  const buffer = new Uint8Array(bytes).buffer;
  const views: Record<string, (ab: ArrayBuffer) => NpyArray["data"]> = {
    "<f4": (ab) => new Float32Array(ab),
    "<f8": (ab) => new Float64Array(ab),
    "|u1": (ab) => new Uint8Array(ab),
    "|i1": (ab) => new Int8Array(ab),
    "<i4": (ab) => new Int32Array(ab),
  };
  const view = views[dtype];
  if (!view) throw new Error(`unsupported npy dtype ${dtype}`);
  const data = view(buffer);
  if (/'fortran_order':\s*True/.test(header) && shape.length === 2 && (data instanceof Float32Array || data instanceof Float64Array)) {
    // Column-major on disk (e.g. the PLDA's lda): transpose into row-major.
    const [rows, cols] = shape;
    const out = new (data.constructor as typeof Float64Array)(data.length);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = data[j * rows + i];
    return { dtype, shape, data: out };
  }
  return { dtype, shape, data };
}

export function readNpy(file: string): NpyArray {
  return parseNpy(readFileSync(file));
}

export function readNpz(file: string): Map<string, NpyArray> {
  const zip = readFileSync(file);
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  let count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const out = new Map<string, NpyArray>();
  while (count-- > 0) {
    const method = zip.readUInt16LE(p + 10);
    const compressed = zip.readUInt32LE(p + 20);
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.toString("utf8", p + 46, p + 46 + nameLength);
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(dataStart, dataStart + compressed);
    out.set(name.replace(/\.npy$/, ""), parseNpy(method === 8 ? inflateRawSync(raw) : Buffer.from(raw)));
    p += 46 + nameLength + extraLength + commentLength;
  }
  return out;
}
