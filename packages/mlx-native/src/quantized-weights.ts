/**
 * Whether MLX computes with quantized (4/8-bit) weights or dequantizes them at load. Decided per
 * platform from measurements, not assumed:
 * - Linux x86 CPU (2-core AMD EPYC, @frost-beta/mlx 0.0.7): a 4-bit quantized matmul
 *   [1500 × 384] · [384 × 1536]ᵀ takes 766 ms against 13.5 ms in float32 (57× slower; also
 *   in `pnpm bench`'s micro-benchmarks), so quantization is a storage format there and weights
 *   are dequantized to float32 at load.
 * - Apple Silicon: MLX's Metal kernels compute quantized matmuls directly (mlx-lm and
 *   mlx-whisper run 4-bit models this way), so the 4-bit weights stay 4-bit in memory — a
 *   quarter of fp16's bytes for every Linear and Embedding.
 * `WHISPERX_MLX_QUANTIZED=keep|dequantize` overrides the choice (tests, measurements).
 */
export function keepQuantizedWeights(platform: NodeJS.Platform = process.platform, arch: string = process.arch, env: NodeJS.ProcessEnv = process.env): boolean {
  const override = env.WHISPERX_MLX_QUANTIZED;
  if (override === "keep") return true;
  if (override === "dequantize") return false;
  return platform === "darwin" && arch === "arm64";
}
