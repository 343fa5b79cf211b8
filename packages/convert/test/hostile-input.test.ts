import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConvertError, convertWhisper, parseTorchCheckpoint, parseSafetensors, isHostTensor, toFloat32 } from "../src/index.js";
import { call, g, pickle, tensorRef, torchZip, tup, type PValue } from "./pickle-writer.js";
import { SYNTH } from "./shared.js";

const tmp = mkdtempSync(join(tmpdir(), "hostile-"));

function expectRefused(bytes: Uint8Array, pattern: RegExp) {
  let err: unknown;
  try {
    parseTorchCheckpoint(bytes, "evil.pt");
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConvertError);
  const msg = (err as Error).message;
  expect(msg).toMatch(/^evil\.pt: /);
  expect(msg).toMatch(pattern);
  expect(msg.includes("\n")).toBe(false);
}

describe("malicious pickles are refused by name, and nothing runs", () => {
  const marker = join(tmp, "pwned");
  const cases: [string, PValue, RegExp][] = [
    ["os.system", call(g("os", "system"), `touch ${marker}`), /refused global 'os\.system'/],
    ["posix.system", call(g("posix", "system"), `touch ${marker}`), /refused global 'posix\.system'/],
    ["builtins.eval", call(g("builtins", "eval"), "__import__('os').system('true')"), /refused global 'builtins\.eval'/],
    ["builtins.exec", call(g("builtins", "exec"), "print(1)"), /refused global 'builtins\.exec'/],
    ["subprocess.Popen", call(g("subprocess", "Popen"), ["touch", marker]), /refused global 'subprocess\.Popen'/],
    ["__reduce__ to a user class", call(g("__main__", "Exploit")), /refused global '__main__\.Exploit'/],
    ["torch.load inside a pickle", call(g("torch.serialization", "load"), "x"), /refused global 'torch\.serialization\.load'/],
    ["nested in the state dict", { t: "dict", entries: [["model_state_dict", { t: "dict", entries: [["w", call(g("os", "system"), "true")]] }]] }, /refused global 'os\.system'/],
  ];
  for (const [name, value, pattern] of cases) {
    it(name, () => {
      expectRefused(torchZip(pickle(value)), pattern);
      expect(existsSync(marker)).toBe(false);
    });
  }
  it("refuses INST/OBJ opcodes", () => {
    const inst = Uint8Array.from([0x80, 0x02, 0x28, ...Buffer.from("ios\nsystem\n"), 0x2e]);
    expectRefused(torchZip(inst), /INST/);
  });
});

describe("bad files give one-line errors naming the file", () => {
  it("truncated zip", () => {
    const raw = readFileSync(`${SYNTH}/synth-whisper-256.pt`);
    expectRefused(raw.subarray(0, raw.length >> 1), /corrupt or truncated zip/);
  });
  it("wrong magic", () => expectRefused(Buffer.from("hello world, not a checkpoint"), /wrong magic/));
  it("legacy non-zip checkpoint", () => expectRefused(pickle({ t: "dict", entries: [] }), /re-save it with a current PyTorch/));
  it("storage smaller than shape × stride", () => {
    const pkl = pickle({ t: "dict", entries: [["w", tensorRef("0", "FloatStorage", 4, 0, [3, 3], [3, 1])]] });
    expectRefused(torchZip(pkl, { "0": new Uint8Array(16) }), /smaller than its tensor view needs/);
  });
  it("missing storage entry", () => {
    const pkl = pickle({ t: "dict", entries: [["w", tensorRef("7", "FloatStorage", 4, 0, [4], [1])]] });
    expectRefused(torchZip(pkl), /missing zip entry data\/7/);
  });
  it("truncated pickle stream", () => {
    const pkl = pickle({ t: "dict", entries: [["a", "b"]] });
    expectRefused(torchZip(pkl.subarray(0, pkl.length - 4)), /truncated pickle|underflow/);
  });
  it("safetensors header length beyond the file", () => {
    const b = Buffer.alloc(16);
    b.writeBigUInt64LE(1n << 40n);
    expect(() => parseSafetensors(b, "x.safetensors")).toThrow(/x\.safetensors: safetensors header length \d+ exceeds the file size/);
  });
  it("safetensors with an unknown dtype and out-of-range offsets", () => {
    const mk = (h: object) => {
      const j = Buffer.from(JSON.stringify(h));
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(j.length));
      return Buffer.concat([len, j, Buffer.alloc(8)]);
    };
    expect(() => parseSafetensors(mk({ a: { dtype: "Q7", shape: [2], data_offsets: [0, 8] } }), "y.safetensors")).toThrow(/unknown dtype/);
    expect(() => parseSafetensors(mk({ a: { dtype: "F32", shape: [4], data_offsets: [0, 16] } }), "y.safetensors")).toThrow(/beyond the end/);
    expect(() => parseSafetensors(mk({ a: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }), "y.safetensors")).toThrow(/does not match shape/);
  });
  it("no output directory is left behind", () => {
    const bad = join(tmp, "bad.pt");
    writeFileSync(bad, torchZip(pickle(call(g("os", "system"), "true"))));
    const out = join(tmp, "out-model");
    expect(() => convertWhisper({ torchNameOrPath: bad, mlxPath: out })).toThrow(ConvertError);
    expect(existsSync(out)).toBe(false);
  });
});

describe("tensor rebuild", () => {
  it("reads non-contiguous views and shared storages", () => {
    const data = new Float32Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const storage = new Uint8Array(data.buffer);
    const pkl = pickle({
      t: "dict",
      entries: [
        ["full", tensorRef("0", "FloatStorage", 12, 0, [3, 4], [4, 1])],
        ["transposed", tensorRef("0", "FloatStorage", 12, 0, [4, 3], [1, 4])],
        ["offset_strided", tensorRef("0", "FloatStorage", 12, 1, [2, 2], [4, 2])],
        ["param", call(g("torch._utils", "_rebuild_parameter"), tensorRef("0", "FloatStorage", 12, 2, [2], [1]), true, call(g("collections", "OrderedDict")))],
      ],
    });
    const v = parseTorchCheckpoint(torchZip(pkl, { "0": storage }), "t.pt") as Record<string, unknown>;
    const get = (k: string) => {
      const t = v[k];
      if (!isHostTensor(t)) throw new Error(k);
      return [t.shape, Array.from(toFloat32(t))];
    };
    expect(get("full")).toEqual([[3, 4], Array.from(data)]);
    expect(get("transposed")).toEqual([[4, 3], [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]]);
    expect(get("offset_strided")).toEqual([[2, 2], [1, 3, 5, 7]]);
    expect(get("param")).toEqual([[2], [2, 3]]);
  });
  it("reads fp16, bf16, int64 and bool storages", () => {
    const h = Uint8Array.from([0x00, 0x3c, 0x00, 0xc0]); // 1.0, -2.0
    const bf = Uint8Array.from([0x80, 0x3f, 0x40, 0x40]); // 1.0, 3.0
    const i64 = new Uint8Array(new BigInt64Array([5n, -7n]).buffer);
    const pkl = pickle({
      t: "dict",
      entries: [
        ["h", tensorRef("0", "HalfStorage", 2, 0, [2], [1])],
        ["bf", tensorRef("1", "BFloat16Storage", 2, 0, [2], [1])],
        ["i", tensorRef("2", "LongStorage", 2, 0, [2], [1])],
        ["b", tensorRef("3", "BoolStorage", 2, 0, [2], [1])],
      ],
    });
    const v = parseTorchCheckpoint(torchZip(pkl, { "0": h, "1": bf, "2": i64, "3": Uint8Array.from([1, 0]) }), "t.pt") as Record<string, { dtype: string; data: Uint8Array; shape: number[] }>;
    expect(Array.from(toFloat32(v.h as never))).toEqual([1, -2]);
    expect(Array.from(toFloat32(v.bf as never))).toEqual([1, 3]);
    expect(v.i.dtype).toBe("int64");
    expect(Array.from(new BigInt64Array(v.i.data.slice().buffer))).toEqual([5n, -7n]);
    expect(v.b.dtype).toBe("bool");
  });
  it("keeps tuples of dims", () => {
    const v = parseTorchCheckpoint(torchZip(pickle({ t: "dict", entries: [["dims", tup(1, 2)]] })), "t.pt") as Record<string, unknown>;
    expect(v.dims).toEqual([1, 2]);
  });
});
