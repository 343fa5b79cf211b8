import { describe, expect, it } from "vitest";
import { floatToHalf, halfToFloat, fromFloat32, toFloat32, permute } from "../src/index.js";

describe("dtype conversion", () => {
  it("rounds float → half to nearest even, like a hardware cast", () => {
    expect(floatToHalf(1)).toBe(0x3c00);
    expect(floatToHalf(-2)).toBe(0xc000);
    expect(floatToHalf(65504)).toBe(0x7bff);
    expect(floatToHalf(1e6)).toBe(0x7c00);
    expect(floatToHalf(2 ** -24)).toBe(0x0001);
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    for (let h = 0; h < 0x7c00; h += 37) expect(floatToHalf(halfToFloat(h))).toBe(h);
  });
  it("round-trips bf16 and fp32", () => {
    const v = new Float32Array([0, 1, -3.5, 0.15625, 1024]);
    expect(Array.from(toFloat32(fromFloat32(v, [5], "bfloat16")))).toEqual(Array.from(v));
    expect(Array.from(toFloat32(fromFloat32(v, [5], "float32")))).toEqual(Array.from(v));
  });
  it("permutes axes", () => {
    const t = fromFloat32(new Float32Array([0, 1, 2, 3, 4, 5]), [1, 2, 3], "float32");
    const p = permute(t, [0, 2, 1]);
    expect(p.shape).toEqual([1, 3, 2]);
    expect(Array.from(toFloat32(p))).toEqual([0, 3, 1, 4, 2, 5]);
  });
});
