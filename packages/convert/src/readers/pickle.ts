/**
 * A pickle *reader*, not an unpickler: it walks the opcode stream and builds plain JS values.
 * Globals are resolved against an allow-list of names that only ever describe data
 * (tensor rebuild functions, storage types, OrderedDict). Anything else is refused by name
 * before any value is built, so a hostile file can make us throw, never run code.
 */

/** A global reference that passed the allow-list, e.g. `torch._utils._rebuild_tensor_v2`. */
export class PickleGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A tuple, kept apart from lists so callers can tell them apart. */
export class PickleTuple extends Array<PickleValue> {}

/** The result of calling an allow-listed global (`REDUCE`/`NEWOBJ`). */
export interface PickleCall {
  kind: "call";
  callee: PickleGlobal;
  args: PickleValue[];
  state?: PickleValue;
}

/**
 * An instance of an allow-listed *data class* (TorchScript's `__torch__.*` modules): built with
 * `NEWOBJ`/`REDUCE` and filled by `BUILD`. Only its attributes are kept; no code is run.
 */
export interface PickleObject {
  kind: "object";
  className: string;
  attrs: Map<PickleValue, PickleValue>;
}

/** A persistent id (`BINPERSID`), resolved by the caller (torch storages). */
export interface PicklePersistent {
  kind: "persistent";
  id: PickleValue;
}

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | Map<PickleValue, PickleValue>
  | PickleGlobal
  | PickleCall
  | PickleObject
  | PicklePersistent
  | { kind: "resolved"; value: unknown };

/** Thrown for any malformed or refused pickle; the message names the problem. */
export class PickleError extends Error {}

const DICT_TYPES = new Set(["collections.OrderedDict", "builtins.dict", "__builtin__.dict"]);

/** Options of `readPickle`. */
export interface ReadPickleOptions {
  /** Fully-qualified global names that may appear (others are refused). */
  allowedGlobals: ReadonlySet<string>;
  /** Globals that name inert data classes (instances become `PickleObject`s). */
  isDataClass?: (qualifiedName: string) => boolean;
  /** Turns a persistent id into a value (e.g. a storage descriptor). */
  persistentLoad?: (id: PickleValue) => PickleValue;
  /** Turns a call of an allow-listed global into a value (e.g. a tensor). */
  reduce?: (call: PickleCall) => PickleValue;
}

const MARK = Symbol("mark");
type StackItem = PickleValue | typeof MARK;

/** Reads one pickle (protocol 0–5 opcodes that describe data). */
export function readPickle(bytes: Uint8Array, options: ReadPickleOptions): PickleValue {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: StackItem[] = [];
  const memo = new Map<number, PickleValue>();
  let pos = 0;
  const text = new TextDecoder("utf-8", { fatal: false });

  const need = (n: number) => {
    if (n < 0 || pos + n > bytes.length) throw new PickleError(`truncated pickle at byte ${pos}`);
  };
  const u8 = () => (need(1), bytes[pos++]);
  const u16 = () => (need(2), (pos += 2), dv.getUint16(pos - 2, true));
  const i32 = () => (need(4), (pos += 4), dv.getInt32(pos - 4, true));
  const u32 = () => (need(4), (pos += 4), dv.getUint32(pos - 4, true));
  const u64 = () => {
    need(8);
    const v = dv.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.length)) throw new PickleError(`length ${v} beyond the end of the pickle`);
    return Number(v);
  };
  const take = (n: number) => (need(n), (pos += n), bytes.subarray(pos - n, pos));
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new PickleError(`truncated pickle at byte ${pos}`);
    const s = text.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): PickleValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) throw new PickleError(`stack underflow at byte ${pos}`);
    return v;
  };
  const top = (): PickleValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) throw new PickleError(`stack underflow at byte ${pos}`);
    return v;
  };
  const popMark = (): PickleValue[] => {
    const items: PickleValue[] = [];
    for (;;) {
      const v = stack.pop();
      if (v === undefined) throw new PickleError(`missing MARK at byte ${pos}`);
      if (v === MARK) return items.reverse();
      items.push(v);
    }
  };
  const tuple = (items: PickleValue[]) => {
    const t = new PickleTuple();
    t.push(...items);
    return t;
  };
  const global = (module: string, name: string): PickleGlobal => {
    const q = `${module}.${name}`;
    if (!options.allowedGlobals.has(q) && !options.isDataClass?.(q)) throw new PickleError(`refused global '${q}' (not on the allow-list; nothing was executed)`);
    return new PickleGlobal(module, name);
  };
  const call = (callee: PickleValue, args: PickleValue): PickleValue => {
    if (!(callee instanceof PickleGlobal)) throw new PickleError(`REDUCE on a non-global at byte ${pos}`);
    if (!Array.isArray(args)) throw new PickleError(`REDUCE without an argument tuple at byte ${pos}`);
    if (DICT_TYPES.has(callee.qualifiedName)) return new Map();
    if (options.isDataClass?.(callee.qualifiedName)) return { kind: "object", className: callee.qualifiedName, attrs: new Map() };
    const c: PickleCall = { kind: "call", callee, args: [...args] };
    return options.reduce ? options.reduce(c) : c;
  };
  const setItems = (target: PickleValue, items: PickleValue[]) => {
    if (!(target instanceof Map)) throw new PickleError(`SETITEM on a non-dict at byte ${pos}`);
    if (items.length % 2) throw new PickleError(`odd SETITEMS at byte ${pos}`);
    for (let i = 0; i < items.length; i += 2) target.set(items[i], items[i + 1]);
  };
  const appendItems = (target: PickleValue, items: PickleValue[]) => {
    if (!Array.isArray(target) || target instanceof PickleTuple) throw new PickleError(`APPEND on a non-list at byte ${pos}`);
    target.push(...items);
  };
  const memoGet = (k: number) => {
    if (!memo.has(k)) throw new PickleError(`memo key ${k} missing`);
    return memo.get(k) as PickleValue;
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: take(8); break; // FRAME (we read the whole stream anyway)
      case 0x2e: return pop(); // STOP
      case 0x28: stack.push(MARK); break;
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push(tuple([])); break; // EMPTY_TUPLE
      case 0x8f: stack.push([]); break; // EMPTY_SET (as a list)
      case 0x4e: stack.push(null); break;
      case 0x88: stack.push(true); break;
      case 0x89: stack.push(false); break;
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x8a: case 0x8b: { // LONG1 / LONG4
        const n = op === 0x8a ? u8() : u32();
        const b = take(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
        if (n > 0 && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: need(8); stack.push(dv.getFloat64(pos, false)); pos += 8; break; // BINFLOAT
      case 0x49: { // INT (text)
        const s = line();
        stack.push(s === "01" ? true : s === "00" ? false : Number.parseInt(s, 10));
        break;
      }
      case 0x4c: stack.push(Number.parseInt(line().replace(/L$/, ""), 10)); break; // LONG text
      case 0x46: stack.push(Number.parseFloat(line())); break; // FLOAT text
      case 0x58: stack.push(text.decode(take(u32()))); break; // BINUNICODE
      case 0x8c: stack.push(text.decode(take(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(text.decode(take(u64()))); break; // BINUNICODE8
      case 0x56: stack.push(line()); break; // UNICODE (raw-unicode-escape, ASCII subset)
      case 0x54: stack.push(text.decode(take(u32()))); break; // BINSTRING
      case 0x55: stack.push(text.decode(take(u8()))); break; // SHORT_BINSTRING
      case 0x42: stack.push(take(u32()).slice()); break; // BINBYTES
      case 0x43: stack.push(take(u8()).slice()); break; // SHORT_BINBYTES
      case 0x8e: case 0x96: stack.push(take(u64()).slice()); break; // BINBYTES8 / BYTEARRAY8
      case 0x74: stack.push(tuple(popMark())); break; // TUPLE
      case 0x85: stack.push(tuple([pop()])); break;
      case 0x86: { const b = pop(); const a = pop(); stack.push(tuple([a, b])); break; }
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push(tuple([a, b, c])); break; }
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x64: { const m = new Map(); setItems(m, popMark()); stack.push(m); break; } // DICT
      case 0x91: stack.push(tuple(popMark())); break; // FROZENSET
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x61: { const v = pop(); appendItems(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); appendItems(top(), items); break; } // APPENDS
      case 0x90: { const items = popMark(); appendItems(top(), items); break; } // ADDITEMS
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x70: memo.set(Number.parseInt(line(), 10), top()); break; // PUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: stack.push(memoGet(u8())); break; // BINGET
      case 0x6a: stack.push(memoGet(u32())); break; // LONG_BINGET
      case 0x67: stack.push(memoGet(Number.parseInt(line(), 10))); break; // GET
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x63: { const module = line(); const name = line(); stack.push(global(module, name)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") throw new PickleError(`STACK_GLOBAL with non-string names at byte ${pos}`);
        stack.push(global(module, name));
        break;
      }
      case 0x52: { const args = pop(); const callee = pop(); stack.push(call(callee, args)); break; } // REDUCE
      case 0x81: { const args = pop(); const cls = pop(); stack.push(call(cls, args)); break; } // NEWOBJ
      case 0x92: { pop(); const args = pop(); const cls = pop(); stack.push(call(cls, args)); break; } // NEWOBJ_EX
      case 0x62: { // BUILD: attach state; dicts ignore it (torch stores `_metadata` there)
        const state = pop();
        const obj = top();
        if (obj && typeof obj === "object" && "kind" in obj && obj.kind === "call") obj.state = state;
        else if (obj && typeof obj === "object" && "kind" in obj && obj.kind === "object" && state instanceof Map) for (const [k, v] of state) obj.attrs.set(k, v);
        break;
      }
      case 0x51: { // BINPERSID
        const id = pop();
        stack.push(options.persistentLoad ? options.persistentLoad(id) : { kind: "persistent", id });
        break;
      }
      case 0x50: { // PERSID
        const id = line();
        stack.push(options.persistentLoad ? options.persistentLoad(id) : { kind: "persistent", id });
        break;
      }
      case 0x69: throw new PickleError("refused opcode INST (builds arbitrary objects)");
      case 0x6f: throw new PickleError("refused opcode OBJ (builds arbitrary objects)");
      case 0x82: case 0x83: case 0x84: throw new PickleError("refused opcode EXT (extension registry)");
      default:
        throw new PickleError(`unknown pickle opcode 0x${op.toString(16).padStart(2, "0")} at byte ${pos - 1}`);
    }
  }
}
