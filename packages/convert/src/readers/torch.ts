/**
 * Reads PyTorch zip checkpoints (`torch.save` since 1.6: `.pt`, `.pth`, `pytorch_model.bin`)
 * into host tensors, through the allow-listed pickle reader. Nothing in the file is executed.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { ConvertError } from "../errors.js";
import { DTYPE_SIZE, numel, type DType, type HostTensor } from "../tensor.js";
import { PickleError, PickleGlobal, readPickle, type PickleCall, type PickleValue } from "./pickle.js";

// Loaded on first use: transcribing with an already converted model reads no zip, and every
// import is paid by every CLI start-up (fflate ~13 ms).
let fflateModule: typeof import("fflate") | undefined;
const fflate = () => (fflateModule ??= createRequire(import.meta.url)("fflate") as typeof import("fflate"));

const STORAGE_DTYPES: Record<string, DType> = {
  FloatStorage: "float32", HalfStorage: "float16", BFloat16Storage: "bfloat16", DoubleStorage: "float64",
  LongStorage: "int64", IntStorage: "int32", ShortStorage: "int16", CharStorage: "int8", ByteStorage: "uint8", BoolStorage: "bool",
};

/** Globals a state-dict checkpoint may reference. Everything else is refused. */
export const TORCH_ALLOWED_GLOBALS: ReadonlySet<string> = new Set([
  "torch._utils._rebuild_tensor",
  "torch._utils._rebuild_tensor_v2",
  "torch._utils._rebuild_parameter",
  "torch._utils._rebuild_parameter_with_state",
  "collections.OrderedDict",
  "builtins.dict",
  "torch.Size",
  ...Object.keys(STORAGE_DTYPES).map((s) => `torch.${s}`),
]);

interface StorageRef {
  key: string;
  dtype: DType;
  numel: number;
}

/** TorchScript helpers that only rebuild lists or tag types (they return their argument). */
const TORCHSCRIPT_GLOBALS = new Set(["torch.jit._pickle.build_intlist", "torch.jit._pickle.build_tensorlist", "torch.jit._pickle.build_doublelist", "torch.jit._pickle.build_boollist", "torch.jit._pickle.build_genericlist", "torch.jit._pickle.restore_type_tag"]);

/** A value read from a checkpoint: plain JS containers with tensors at the leaves. */
export type CheckpointValue = HostTensor | string | number | bigint | boolean | null | Uint8Array | CheckpointValue[] | { [key: string]: CheckpointValue };

function isResolved(v: PickleValue): v is { kind: "resolved"; value: unknown } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Map) && !(v instanceof Uint8Array) && !(v instanceof PickleGlobal) && v.kind === "resolved";
}

/** Turns the pickle value tree into plain JS values. */
function toPlain(v: PickleValue, file: string): CheckpointValue {
  if (v === null || typeof v !== "object") return v as CheckpointValue;
  if (v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return v.map((x) => toPlain(x, file));
  if (v instanceof Map) {
    const o: { [key: string]: CheckpointValue } = {};
    for (const [k, x] of v) o[String(k)] = toPlain(x, file);
    return o;
  }
  if (isResolved(v)) return v.value as HostTensor;
  if (v instanceof PickleGlobal) throw new ConvertError(file, `unexpected bare global '${v.qualifiedName}' in checkpoint`);
  if (v.kind === "object") {
    const o: { [key: string]: CheckpointValue } = { __class__: v.className };
    for (const [k, x] of v.attrs) o[String(k)] = toPlain(x, file);
    return o;
  }
  if (v.kind === "call") throw new ConvertError(file, `unsupported call of '${v.callee.qualifiedName}' in checkpoint`);
  throw new ConvertError(file, `unexpected persistent reference in checkpoint`);
}

function asInts(v: PickleValue, what: string): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === "number" && Number.isInteger(x) && x >= 0)) throw new PickleError(`bad ${what}`);
  return v as number[];
}

/** Gathers a (possibly strided) view of a storage into a contiguous tensor. */
function materialize(storage: Uint8Array, ref: StorageRef, offset: number, shape: number[], stride: number[], file: string): HostTensor {
  const size = DTYPE_SIZE[ref.dtype];
  const n = numel(shape);
  if (shape.length !== stride.length) throw new ConvertError(file, `tensor shape/stride rank mismatch in storage ${ref.key}`);
  let maxIndex = offset;
  for (let d = 0; d < shape.length; d++) if (shape[d] > 0) maxIndex += (shape[d] - 1) * stride[d];
  if (n > 0 && (maxIndex + 1) * size > storage.length) {
    throw new ConvertError(file, `storage ${ref.key} has ${storage.length} bytes, smaller than its tensor view needs (${(maxIndex + 1) * size})`);
  }
  let contiguous = true;
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== acc) contiguous = false;
    acc *= shape[d];
  }
  if (contiguous) return { dtype: ref.dtype, shape, data: storage.slice(offset * size, (offset + n) * size) };
  const out = new Uint8Array(n * size);
  const idx = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < n; o++) {
    let src = offset;
    for (let d = 0; d < shape.length; d++) src += idx[d] * stride[d];
    out.set(storage.subarray(src * size, src * size + size), o * size);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return { dtype: ref.dtype, shape, data: out };
}

/** Reads a PyTorch zip checkpoint. Throws `ConvertError` naming the file and the problem. */
export function readTorchCheckpoint(file: string, options: TorchReadOptions = {}): CheckpointValue {
  let raw: Uint8Array;
  try {
    raw = readFileSync(file);
  } catch (e) {
    throw new ConvertError(file, `cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseTorchCheckpoint(raw, file, options);
}

/** Options of `parseTorchCheckpoint`. */
export interface TorchReadOptions {
  /** Read a TorchScript archive: `__torch__.*` module objects are kept as attribute bags. */
  torchScript?: boolean;
  /**
   * Extra globals one checkpoint family needs, and nothing more: classes kept as attribute bags
   * (`dataClasses`), and calls turned into plain values (`values`, e.g. an enum from its int).
   */
  allow?: { dataClasses?: readonly string[]; values?: Readonly<Record<string, (args: PickleValue[]) => PickleValue>> };
}

/** Parses the bytes of a PyTorch zip checkpoint (see `readTorchCheckpoint`). */
export function parseTorchCheckpoint(raw: Uint8Array, file: string, options: TorchReadOptions = {}): CheckpointValue {
  if (raw.length >= 2 && raw[0] === 0x80 && raw[1] <= 5) {
    throw new ConvertError(file, "legacy (non-zip) PyTorch checkpoint; re-save it with a current PyTorch (torch.save with the default zip format)");
  }
  if (raw.length < 4 || raw[0] !== 0x50 || raw[1] !== 0x4b) throw new ConvertError(file, "not a PyTorch zip checkpoint (wrong magic bytes)");
  let entries: Record<string, Uint8Array>;
  try {
    entries = fflate().unzipSync(raw);
  } catch (e) {
    throw new ConvertError(file, `corrupt or truncated zip archive (${(e as Error).message})`);
  }
  const pklName = Object.keys(entries).find((n) => /^[^/]+\/data\.pkl$/.test(n) || n === "data.pkl");
  if (!pklName) throw new ConvertError(file, "zip archive has no data.pkl entry");
  const prefix = pklName.slice(0, pklName.length - "data.pkl".length);
  const byteorder = entries[`${prefix}byteorder`];
  if (byteorder && new TextDecoder().decode(byteorder).trim() !== "little") throw new ConvertError(file, "big-endian checkpoints are not supported");

  const reduce = (c: PickleCall): PickleValue => {
    const name = c.callee.qualifiedName;
    if (name === "torch._utils._rebuild_tensor_v2" || name === "torch._utils._rebuild_tensor") {
      const [storage, offset, size, stride] = c.args;
      if (!isResolved(storage)) throw new PickleError(`${name} without a storage`);
      const ref = storage.value as StorageRef;
      const bytes = entries[`${prefix}data/${ref.key}`];
      if (!bytes) throw new ConvertError(file, `missing zip entry data/${ref.key}`);
      if (typeof offset !== "number") throw new PickleError("bad storage offset");
      return { kind: "resolved", value: materialize(bytes, ref, offset, asInts(size, "tensor size"), asInts(stride, "tensor stride"), file) };
    }
    if (name === "torch._utils._rebuild_parameter" || name === "torch._utils._rebuild_parameter_with_state") {
      const data = c.args[0];
      if (!isResolved(data)) throw new PickleError(`${name} without a tensor`);
      return data;
    }
    if (name === "torch.Size") return c.args[0] ?? [];
    if (options.torchScript && TORCHSCRIPT_GLOBALS.has(name)) return c.args[0] ?? null;
    const value = options.allow?.values?.[name];
    if (value) return value(c.args);
    throw new PickleError(`refused call of '${name}'`);
  };
  const persistentLoad = (id: PickleValue): PickleValue => {
    if (!Array.isArray(id) || id[0] !== "storage") throw new PickleError("unsupported persistent id (expected a storage)");
    const [, type, key, , count] = id;
    if (!(type instanceof PickleGlobal) || !(type.name in STORAGE_DTYPES)) throw new PickleError("unknown storage type");
    if (typeof key !== "string" || !/^[\w.-]+$/.test(key)) throw new PickleError("bad storage key");
    if (typeof count !== "number") throw new PickleError("bad storage size");
    const ref: StorageRef = { key, dtype: STORAGE_DTYPES[type.name], numel: count };
    return { kind: "resolved", value: ref };
  };
  try {
    const allowed = new Set([...TORCH_ALLOWED_GLOBALS, ...(options.torchScript ? TORCHSCRIPT_GLOBALS : []), ...Object.keys(options.allow?.values ?? {})]);
    const dataClasses = new Set(options.allow?.dataClasses ?? []);
    const isDataClass = options.torchScript ? (q: string) => q.startsWith("__torch__.") : dataClasses.size > 0 ? (q: string) => dataClasses.has(q) : undefined;
    const v = readPickle(entries[pklName], { allowedGlobals: allowed, isDataClass, reduce, persistentLoad });
    return toPlain(v, file);
  } catch (e) {
    if (e instanceof ConvertError) throw e;
    if (e instanceof PickleError) throw new ConvertError(file, e.message);
    throw new ConvertError(file, `malformed checkpoint (${(e as Error).message})`);
  }
}

/** True for a value that is a host tensor. */
export function isHostTensor(v: unknown): v is HostTensor {
  return typeof v === "object" && v !== null && "dtype" in v && "shape" in v && "data" in v && (v as HostTensor).data instanceof Uint8Array;
}

/**
 * Flattens a TorchScript module tree into `a.b.c` → tensor, the names `state_dict()` would give
 * (parameters and buffers; private bookkeeping such as `_state` is kept too and can be ignored).
 */
export function flattenTensors(v: CheckpointValue, prefix = "", out = new Map<string, HostTensor>()): Map<string, HostTensor> {
  if (isHostTensor(v)) {
    out.set(prefix, v);
    return out;
  }
  if (Array.isArray(v)) {
    v.forEach((x, i) => flattenTensors(x, prefix ? `${prefix}.${i}` : String(i), out));
  } else if (v && typeof v === "object" && !(v instanceof Uint8Array)) {
    for (const [k, x] of Object.entries(v)) {
      if (k === "__class__") continue;
      // TorchScript keeps submodules under `_modules`-free attribute names; parameters are direct.
      flattenTensors(x, prefix ? `${prefix}.${k}` : k, out);
    }
  }
  return out;
}
