/**
 * A tiny pickle *writer* for tests: it emits protocol-2 opcodes for the values we need to craft
 * checkpoints (including hostile ones) without Python.
 */
import { zipSync } from "fflate";

export type PValue =
  | { t: "global"; module: string; name: string }
  | { t: "reduce"; fn: PValue; args: PValue[] }
  | { t: "tuple"; items: PValue[] }
  | { t: "persid"; id: PValue }
  | { t: "dict"; entries: [PValue, PValue][]; ordered?: boolean }
  | string
  | number
  | boolean
  | null
  | PValue[];

export const g = (module: string, name: string): PValue => ({ t: "global", module, name });
export const call = (fn: PValue, ...args: PValue[]): PValue => ({ t: "reduce", fn, args });
export const tup = (...items: PValue[]): PValue => ({ t: "tuple", items });

function emit(v: PValue, out: number[]): void {
  const bytes = (s: string) => [...Buffer.from(s, "utf8")];
  if (v === null) out.push(0x4e);
  else if (v === true) out.push(0x88);
  else if (v === false) out.push(0x89);
  else if (typeof v === "number") {
    if (Number.isInteger(v) && v >= 0 && v < 256) out.push(0x4b, v);
    else if (Number.isInteger(v)) {
      const b = Buffer.alloc(4);
      b.writeInt32LE(v);
      out.push(0x4a, ...b);
    } else {
      const b = Buffer.alloc(8);
      b.writeDoubleBE(v);
      out.push(0x47, ...b);
    }
  } else if (typeof v === "string") {
    const b = bytes(v);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(b.length);
    out.push(0x58, ...len, ...b);
  } else if (Array.isArray(v)) {
    out.push(0x5d, 0x28);
    v.forEach((x) => emit(x, out));
    out.push(0x65);
  } else if (v.t === "global") out.push(0x63, ...bytes(`${v.module}\n${v.name}\n`));
  else if (v.t === "tuple") {
    out.push(0x28);
    v.items.forEach((x) => emit(x, out));
    out.push(0x74);
  } else if (v.t === "reduce") {
    emit(v.fn, out);
    emit({ t: "tuple", items: v.args }, out);
    out.push(0x52);
  } else if (v.t === "persid") {
    emit(v.id, out);
    out.push(0x51);
  } else if (v.t === "dict") {
    if (v.ordered) {
      emit(g("collections", "OrderedDict"), out);
      out.push(0x29, 0x52);
    } else out.push(0x7d);
    out.push(0x28);
    for (const [k, x] of v.entries) {
      emit(k, out);
      emit(x, out);
    }
    out.push(0x75);
  }
}

/** Serializes a value as a protocol-2 pickle. */
export function pickle(v: PValue): Uint8Array {
  const out = [0x80, 0x02];
  emit(v, out);
  out.push(0x2e);
  return Uint8Array.from(out);
}

/** A `_rebuild_tensor_v2` call over storage `key`. */
export function tensorRef(key: string, storage: string, numel: number, offset: number, size: number[], stride: number[]): PValue {
  const st: PValue = { t: "persid", id: tup("storage", g("torch", storage), key, "cpu", numel) };
  return call(g("torch._utils", "_rebuild_tensor_v2"), st, offset, tup(...size), tup(...stride), false, call(g("collections", "OrderedDict")));
}

/** A torch-style zip archive: `archive/data.pkl`, `archive/data/<key>`, `archive/byteorder`. */
export function torchZip(pkl: Uint8Array, storages: Record<string, Uint8Array> = {}): Uint8Array {
  const files: Record<string, Uint8Array> = { "archive/data.pkl": pkl, "archive/byteorder": Buffer.from("little") };
  for (const [k, v] of Object.entries(storages)) files[`archive/data/${k}`] = v;
  return zipSync(files, { level: 0 });
}
