/** Where MLX computes with 4/8-bit weights and where it dequantizes them (see quantized-weights.ts). */
import { describe, expect, it } from "vitest";
import { keepQuantizedWeights } from "../src/index.js";

describe("keepQuantizedWeights", () => {
  it("keeps 4/8-bit weights on Apple Silicon, where Metal computes quantized matmuls", () => {
    expect(keepQuantizedWeights("darwin", "arm64", {})).toBe(true);
  });
  it("dequantizes on Linux and Intel Macs, where MLX's CPU quantized matmul was measured 57× slower", () => {
    expect(keepQuantizedWeights("linux", "x64", {})).toBe(false);
    expect(keepQuantizedWeights("linux", "arm64", {})).toBe(false);
    expect(keepQuantizedWeights("darwin", "x64", {})).toBe(false);
  });
  it("WHISPERX_MLX_QUANTIZED overrides the platform's choice both ways", () => {
    expect(keepQuantizedWeights("linux", "x64", { WHISPERX_MLX_QUANTIZED: "keep" })).toBe(true);
    expect(keepQuantizedWeights("darwin", "arm64", { WHISPERX_MLX_QUANTIZED: "dequantize" })).toBe(false);
  });
});
