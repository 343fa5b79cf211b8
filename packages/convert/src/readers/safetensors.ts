/**
 * safetensors reading and writing. The format is an 8-byte little-endian header length, a JSON
 * header, then raw little-endian tensor bytes. We implement it directly: the npm `safetensors`
 * package (0.0.1) is an unmaintained placeholder, and the format is small enough to check fully
 * (bounds, overlaps, dtypes) here.
 */
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync, writeSync } from "node:fs";
import { join } from "node:path";
import { ConvertError } from "../errors.js";
import { DTYPE_SIZE, numel, type DType, type HostTensor } from "../tensor.js";

const CODE_TO_DTYPE: Record<string, DType> = {
  F32: "float32", F16: "float16", BF16: "bfloat16", F64: "float64", I64: "int64", I32: "int32", I16: "int16", I8: "int8", U8: "uint8", BOOL: "bool", U32: "uint32",
};
const DTYPE_TO_CODE = Object.fromEntries(Object.entries(CODE_TO_DTYPE).map(([k, v]) => [v, k])) as Record<DType, string>;

/** One tensor of a safetensors header: where its bytes are, relative to the data section. */
interface HeaderEntry {
  name: string;
  dtype: DType;
  shape: number[];
  start: number;
  end: number;
}

/** Validates a safetensors JSON header against `dataLen` data bytes. */
function parseHeader(headerBytes: Uint8Array, dataLen: number, file: string): { entries: HeaderEntry[]; metadata: Record<string, string> } {
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(headerBytes));
  } catch (e) {
    throw new ConvertError(file, `safetensors header is not valid JSON (${(e as Error).message})`);
  }
  if (!header || typeof header !== "object" || Array.isArray(header)) throw new ConvertError(file, "safetensors header is not an object");
  const entries: HeaderEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") {
      metadata = (info ?? {}) as Record<string, string>;
      continue;
    }
    const t = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = CODE_TO_DTYPE[String(t?.dtype)];
    if (!dtype) throw new ConvertError(file, `tensor '${name}' has unknown dtype ${JSON.stringify(t?.dtype)}`);
    const shape = t.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new ConvertError(file, `tensor '${name}' has an invalid shape`);
    const off = t.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0) || off[0] > off[1]) {
      throw new ConvertError(file, `tensor '${name}' has invalid data_offsets`);
    }
    const [s, e] = off as [number, number];
    if (e > dataLen) throw new ConvertError(file, `tensor '${name}' data [${s}, ${e}) lies beyond the end of the file (${dataLen} data bytes)`);
    if (e - s !== numel(shape) * DTYPE_SIZE[dtype]) throw new ConvertError(file, `tensor '${name}' byte size ${e - s} does not match shape ${JSON.stringify(shape)} × ${dtype}`);
    entries.push({ name, dtype, shape: shape as number[], start: s, end: e });
  }
  return { entries, metadata };
}

/** The header length of a safetensors file of `size` bytes whose first 8 bytes are `first8`. */
function headerLength(first8: Uint8Array, size: number, file: string): number {
  if (size < 8 || first8.length < 8) throw new ConvertError(file, "truncated safetensors file (no header length)");
  const headerLen = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (headerLen > BigInt(size - 8) || headerLen > 100_000_000n) throw new ConvertError(file, `safetensors header length ${headerLen} exceeds the file size`);
  return Number(headerLen);
}

/** Parses safetensors bytes into tensors (copies), validating the header. */
export function parseSafetensors(buf: Uint8Array, file: string): { tensors: Map<string, HostTensor>; metadata: Record<string, string> } {
  const n = headerLength(buf.subarray(0, 8), buf.length, file);
  const dataStart = 8 + n;
  const { entries, metadata } = parseHeader(buf.subarray(8, dataStart), buf.length - dataStart, file);
  const tensors = new Map<string, HostTensor>();
  // Uint8Array's slice copies (Buffer's would return a view of the whole file).
  for (const e of entries) tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: Uint8Array.prototype.slice.call(buf, dataStart + e.start, dataStart + e.end) });
  return { tensors, metadata };
}

/** Reads `length` bytes at `position` of an open file (looping over short reads). */
function readAt(fd: number, position: number, length: number, file: string): Uint8Array {
  const buf = new Uint8Array(length);
  for (let done = 0; done < length; ) {
    const n = readSync(fd, buf, done, Math.min(length - done, 1 << 30), position + done);
    if (n === 0) throw new ConvertError(file, "unexpected end of file");
    done += n;
  }
  return buf;
}

/**
 * A safetensors file open for reading one tensor at a time, on demand: nothing is kept, so a
 * caller that converts each tensor as it goes never holds the file's weights at once.
 */
export class SafetensorsFile {
  /** The tensors' names, in file order. */
  readonly names: string[];
  private readonly fd: number;
  private readonly entries = new Map<string, HeaderEntry>();
  private readonly dataStart: number;

  constructor(readonly file: string) {
    try {
      this.fd = openSync(file, "r");
    } catch (e) {
      throw new ConvertError(file, `cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    try {
      const size = fstatSync(this.fd).size;
      const n = headerLength(readAt(this.fd, 0, Math.min(8, size), file), size, file);
      this.dataStart = 8 + n;
      for (const e of parseHeader(readAt(this.fd, 8, n, file), size - this.dataStart, file).entries) this.entries.set(e.name, e);
      this.names = [...this.entries.keys()];
    } catch (e) {
      closeSync(this.fd);
      throw e;
    }
  }

  /** Dtype and shape of a tensor without reading it. */
  info(name: string): { dtype: DType; shape: number[] } | undefined {
    const e = this.entries.get(name);
    return e && { dtype: e.dtype, shape: e.shape };
  }

  /** Reads one tensor (a fresh copy each call), or undefined if the file has no such name. */
  read(name: string): HostTensor | undefined {
    const e = this.entries.get(name);
    return e && { dtype: e.dtype, shape: e.shape, data: readAt(this.fd, this.dataStart + e.start, e.end - e.start, this.file) };
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Reads a safetensors file, or a sharded set through `model.safetensors.index.json`. */
export function readSafetensors(file: string, only?: (name: string) => boolean): Map<string, HostTensor> {
  if (file.endsWith(".index.json")) {
    let index: { weight_map?: Record<string, string> };
    try {
      index = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      throw new ConvertError(file, `cannot read shard index (${(e as Error).message})`);
    }
    if (!index.weight_map || typeof index.weight_map !== "object") throw new ConvertError(file, "shard index has no weight_map");
    const dir = file.slice(0, file.lastIndexOf("/") + 1) || "./";
    const out = new Map<string, HostTensor>();
    for (const shard of new Set(Object.values(index.weight_map))) {
      if (shard.includes("/") || shard.includes("..")) throw new ConvertError(file, `shard name '${shard}' escapes the model directory`);
      for (const [k, v] of readSafetensors(join(dir, shard), only)) out.set(k, v);
    }
    return out;
  }
  // Tensor by tensor from the file: files over 2 GiB (large-v3 in fp32) never sit in one buffer.
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (e) {
    throw new ConvertError(file, `cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    const size = fstatSync(fd).size;
    const n = headerLength(readAt(fd, 0, Math.min(8, size), file), size, file);
    const dataStart = 8 + n;
    const { entries } = parseHeader(readAt(fd, 8, n, file), size - dataStart, file);
    const tensors = new Map<string, HostTensor>();
    for (const e of entries) if (!only || only(e.name)) tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: readAt(fd, dataStart + e.start, e.end - e.start, file) });
    return tensors;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes tensors as a safetensors file (sorted by name, 8-byte aligned header, as MLX and HF
 * write them), tensor by tensor, so the file is never built in memory.
 */
export function writeSafetensors(file: string, tensors: Map<string, HostTensor>, metadata: Record<string, string> = {}): void {
  const { header, names } = safetensorsHeader(tensors, metadata);
  const fd = openSync(file, "w");
  try {
    writeAll(fd, header);
    for (const name of names) writeAll(fd, (tensors.get(name) as HostTensor).data);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 30));
}

/** The 8-byte length and JSON header of a safetensors file, and the tensor order. */
function safetensorsHeader(tensors: Map<string, HostTensor>, metadata: Record<string, string>): { header: Uint8Array; names: string[]; dataBytes: number } {
  const names = [...tensors.keys()].sort();
  const json: Record<string, unknown> = {};
  if (Object.keys(metadata).length) json.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name) as HostTensor;
    json[name] = { dtype: DTYPE_TO_CODE[t.dtype], shape: t.shape, data_offsets: [offset, offset + t.data.length] };
    offset += t.data.length;
  }
  let text = JSON.stringify(json);
  text += " ".repeat((8 - ((text.length + 8) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(text);
  const header = new Uint8Array(8 + headerBytes.length);
  new DataView(header.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  header.set(headerBytes, 8);
  return { header, names, dataBytes: offset };
}

/** Serializes tensors in memory (sorted by name, 8-byte aligned header, as MLX and HF write them). */
export function serializeSafetensors(tensors: Map<string, HostTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const { header, names, dataBytes } = safetensorsHeader(tensors, metadata);
  const out = new Uint8Array(header.length + dataBytes);
  out.set(header, 0);
  let p = header.length;
  for (const name of names) {
    const t = tensors.get(name) as HostTensor;
    out.set(t.data, p);
    p += t.data.length;
  }
  return out;
}

/** Finds the weights file of a Hugging Face model directory. */
export function findHfWeights(dir: string): string | undefined {
  for (const f of ["model.safetensors.index.json", "model.safetensors"]) if (existsSync(join(dir, f))) return join(dir, f);
  for (const f of ["pytorch_model.bin"]) if (existsSync(join(dir, f))) return join(dir, f);
  const st = readdirSync(dir).find((f) => f.endsWith(".safetensors"));
  return st ? join(dir, st) : undefined;
}
