/**
 * safetensors reading and writing. The format is an 8-byte little-endian header length, a JSON
 * header, then raw little-endian tensor bytes. We implement it directly: the npm `safetensors`
 * package (0.0.1) is an unmaintained placeholder, and the format is small enough to check fully
 * (bounds, overlaps, dtypes) here.
 */
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { ConvertError } from "../errors.js";
import { DTYPE_SIZE, numel, type DType, type HostTensor } from "../tensor.js";

const CODE_TO_DTYPE: Record<string, DType> = {
  F32: "float32", F16: "float16", BF16: "bfloat16", F64: "float64", I64: "int64", I32: "int32", I16: "int16", I8: "int8", U8: "uint8", BOOL: "bool", U32: "uint32",
};
const DTYPE_TO_CODE = Object.fromEntries(Object.entries(CODE_TO_DTYPE).map(([k, v]) => [v, k])) as Record<DType, string>;

/** Parses safetensors bytes into tensors (copies), validating the header. */
export function parseSafetensors(buf: Uint8Array, file: string): { tensors: Map<string, HostTensor>; metadata: Record<string, string> } {
  if (buf.length < 8) throw new ConvertError(file, "truncated safetensors file (no header length)");
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = dv.getBigUint64(0, true);
  if (headerLen > BigInt(buf.length - 8) || headerLen > 100_000_000n) throw new ConvertError(file, `safetensors header length ${headerLen} exceeds the file size`);
  const n = Number(headerLen);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(buf.subarray(8, 8 + n)));
  } catch (e) {
    throw new ConvertError(file, `safetensors header is not valid JSON (${(e as Error).message})`);
  }
  if (!header || typeof header !== "object" || Array.isArray(header)) throw new ConvertError(file, "safetensors header is not an object");
  const dataStart = 8 + n;
  const dataLen = buf.length - dataStart;
  const tensors = new Map<string, HostTensor>();
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
    // Uint8Array's slice copies (Buffer's would return a view of the whole file).
    tensors.set(name, { dtype, shape: shape as number[], data: Uint8Array.prototype.slice.call(buf, dataStart + s, dataStart + e) });
  }
  return { tensors, metadata };
}

/** Reads a safetensors file, or a sharded set through `model.safetensors.index.json`. */
export function readSafetensors(file: string): Map<string, HostTensor> {
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
      for (const [k, v] of readSafetensors(join(dir, shard))) out.set(k, v);
    }
    return out;
  }
  let buf: Uint8Array;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw new ConvertError(file, `cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseSafetensors(buf, file).tensors;
}

/** Serializes tensors (sorted by name, 8-byte aligned header, as MLX and HF write them). */
export function serializeSafetensors(tensors: Map<string, HostTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name) as HostTensor;
    header[name] = { dtype: DTYPE_TO_CODE[t.dtype], shape: t.shape, data_offsets: [offset, offset + t.data.length] };
    offset += t.data.length;
  }
  let json = JSON.stringify(header);
  const pad = (8 - ((json.length + 8) % 8)) % 8;
  json += " ".repeat(pad);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let p = 8 + headerBytes.length;
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
