/**
 * Loads an mlx-community Whisper directory (`config.json` + `weights.safetensors`) through the
 * shared loader (float32; quantized linears dequantized or kept, see `quantized-weights.ts`).
 */
import { join } from "node:path";
import type * as mlxTypes from "../mlx-binding.js";
import type { WhisperDims } from "@whisperx-mlx/core";
import type { MlxCore } from "../runtime.js";
import { loadWeights, ModelLoadError, readModelConfig } from "../weights.js";

type MxArray = mlxTypes.core.array;

/** `config.json` of an MLX Whisper model. */
export interface WhisperModelConfig extends WhisperDims {
  model_type?: string;
  quantization?: { group_size: number; bits: number };
  alignment_heads?: [number, number][];
}


/** Weights by mlx-community name, all float32 and dense. */
export type WeightMap = Map<string, MxArray>;

/** Reads and validates `config.json`. */
export function readWhisperConfig(dir: string): WhisperModelConfig {
  const cfg = readModelConfig<WhisperModelConfig>(dir);
  for (const k of ["n_mels", "n_audio_ctx", "n_audio_state", "n_audio_head", "n_audio_layer", "n_vocab", "n_text_ctx", "n_text_state", "n_text_head", "n_text_layer"] as const) {
    if (!Number.isInteger(cfg[k]) || cfg[k] <= 0) throw new ModelLoadError(`${join(dir, "config.json")}: '${k}' is missing or invalid`);
  }
  return cfg;
}

/**
 * Loads weights as float32, dequantizing `*.scales`/`*.biases` triples unless `keepQuantized`;
 * the `alignment_heads` tensor (or the `config.json` key of older conversions) comes out as pairs.
 */
export function loadWhisperWeights(mx: MlxCore, dir: string, config: WhisperModelConfig, keepQuantized = false): { weights: WeightMap; sourceDtype: "float16" | "float32" | "bfloat16"; alignmentHeads?: [number, number][] } {
  const { weights, sourceDtype } = loadWeights(mx, dir, config.quantization, "decoder.positional_embedding", keepQuantized);
  const heads = weights.get("alignment_heads");
  weights.delete("alignment_heads");
  const pairs = heads && heads.ndim === 2 && heads.shape[1] === 2 ? (heads.tolist() as number[][]).map(([l, h]) => [Number(l), Number(h)] as [number, number]) : config.alignment_heads;
  return { weights, sourceDtype, alignmentHeads: pairs };
}
