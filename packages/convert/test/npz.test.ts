/**
 * NumPy `.npz` archives as numpy writes them (np.savez and np.savez_compressed, run here through
 * python3), and broken ones: each a one-line error naming the file.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConvertError, readNpz, toFloat32 } from "../src/index.js";

const tmp = mkdtempSync(join(tmpdir(), "npz-"));
const script = `
import numpy as np, sys
arrays = dict(
  half=np.arange(12, dtype=np.float16).reshape(3, 4) / 4,
  single=np.linspace(-1, 1, 5, dtype=np.float32),
  heads=np.array([[3, 1], [2, 0]], dtype=np.int64),
  packed=np.array([[0xFFFFFFFF, 7]], dtype=np.uint32),
  scalar=np.float32(2.5),
  **{"decoder.blocks.0.mlp1.weight": np.ones((2, 2), dtype=np.float32)},
)
np.savez(sys.argv[1], **arrays)
np.savez_compressed(sys.argv[2], **arrays)
`;

function expectRefused(file: string, pattern: RegExp) {
  let err: unknown;
  try {
    readNpz(file);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConvertError);
  expect((err as Error).message.startsWith(file)).toBe(true);
  expect((err as Error).message).toMatch(pattern);
  expect((err as Error).message.includes("\n")).toBe(false);
}

describe("npz archives", () => {
  const plain = join(tmp, "plain.npz");
  const compressed = join(tmp, "compressed.npz");
  execFileSync("python3", ["-c", script, plain, compressed]);

  it.each([["np.savez", plain], ["np.savez_compressed", compressed]])("%s: every dtype, shape and dotted name", (_, file) => {
    const t = readNpz(file);
    expect([...t.keys()].sort()).toEqual(["decoder.blocks.0.mlp1.weight", "half", "heads", "packed", "scalar", "single"]);
    expect(t.get("half")).toMatchObject({ dtype: "float16", shape: [3, 4] });
    expect(Array.from(toFloat32(t.get("half")!))).toEqual(Array.from({ length: 12 }, (_, i) => i / 4));
    expect(Array.from(toFloat32(t.get("single")!))).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(Array.from(new BigInt64Array(t.get("heads")!.data.slice().buffer))).toEqual([3n, 1n, 2n, 0n]);
    expect(Array.from(new Uint32Array(t.get("packed")!.data.slice().buffer))).toEqual([0xffffffff, 7]);
    expect(t.get("scalar")!.shape).toEqual([]);
  });

  it("a truncated archive, a file that is not a zip, and a corrupt array are refused", () => {
    const bytes = readFileSync(plain);
    const cut = join(tmp, "cut.npz");
    writeFileSync(cut, bytes.subarray(0, bytes.length - 30));
    expectRefused(cut, /zip|central directory|truncated/i);
    const text = join(tmp, "text.npz");
    writeFileSync(text, "not a zip at all, just some text that is long enough");
    expectRefused(text, /zip/i);
    // Flip the first array's magic byte inside a stored archive.
    const bad = Buffer.from(bytes);
    bad[bad.indexOf(Buffer.from("\x93NUMPY", "latin1"))] = 0x00;
    const corrupt = join(tmp, "corrupt.npz");
    writeFileSync(corrupt, bad);
    expectRefused(corrupt, /not a \.npy array|crc/i);
  });
});
