/**
 * Loads an mlx-community Whisper directory (`config.json` + `weights.safetensors`).
 * On the Linux CPU, fp16/bf16 matmuls abort the process, so every floating weight is upcast
 * to float32; quantized linears are dequantized at load (MLX's CPU quantized matmul is ~15×
 * slower than fp32 here, so INT4/INT8 are a storage format on this backend).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type * as mlxTypes from "@frost-beta/mlx";
import type { WhisperDims } from "@whisperx-mlx/core";
import type { MlxCore } from "../runtime.js";

type MxArray = mlxTypes.core.array;

/** `config.json` of an MLX Whisper model. */
export interface WhisperModelConfig extends WhisperDims {
  model_type?: string;
  quantization?: { group_size: number; bits: number };
  alignment_heads?: [number, number][];
}

/** Thrown when a model directory is missing or malformed. */
export class ModelLoadError extends Error {}

/** Weights by mlx-community name, all float32 and dense. */
export type WeightMap = Map<string, MxArray>;

/** Reads and validates `config.json`. */
export function readWhisperConfig(dir: string): WhisperModelConfig {
  const p = join(dir, "config.json");
  if (!existsSync(p)) throw new ModelLoadError(`${dir}: not a model directory (no config.json)`);
  let cfg: WhisperModelConfig;
  try {
    cfg = JSON.parse(readFileSync(p, "utf8"));
  } catch (e) {
    throw new ModelLoadError(`${p}: invalid JSON (${(e as Error).message})`);
  }
  for (const k of ["n_mels", "n_audio_ctx", "n_audio_state", "n_audio_head", "n_audio_layer", "n_vocab", "n_text_ctx", "n_text_state", "n_text_head", "n_text_layer"] as const) {
    if (!Number.isInteger(cfg[k]) || cfg[k] <= 0) throw new ModelLoadError(`${p}: '${k}' is missing or invalid`);
  }
  return cfg;
}

/** Loads weights as float32, dequantizing `*.scales`/`*.biases` triples. */
export function loadWhisperWeights(mx: MlxCore, dir: string, config: WhisperModelConfig): { weights: WeightMap; sourceDtype: "float16" | "float32" | "bfloat16" } {
  const file = ["weights.safetensors", "model.safetensors"].map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!file) throw new ModelLoadError(`${dir}: no weights.safetensors`);
  let raw: Record<string, MxArray>;
  try {
    raw = mx.load(file) as unknown as Record<string, MxArray>;
  } catch (e) {
    throw new ModelLoadError(`${file}: cannot load weights (${(e as Error).message})`);
  }
  const out: WeightMap = new Map();
  const ref = raw["decoder.positional_embedding"];
  const sourceDtype = ref?.dtype === mx.float16 ? "float16" : ref?.dtype === mx.bfloat16 ? "bfloat16" : "float32";
  for (const [name, w] of Object.entries(raw)) {
    if (name.endsWith(".scales") || (name.endsWith(".biases") && raw[name.replace(/\.biases$/, ".scales")])) continue;
    const scales = raw[name.replace(/\.weight$/, ".scales")];
    if (name.endsWith(".weight") && scales) {
      const q = config.quantization;
      if (!q) throw new ModelLoadError(`${file}: '${name}' is quantized but config.json has no "quantization"`);
      const biases = raw[name.replace(/\.weight$/, ".biases")];
      out.set(name, mx.dequantize(w, scales, biases, q.group_size, q.bits).astype(mx.float32));
    } else {
      out.set(name, w.dtype === mx.float32 ? w : w.astype(mx.float32));
    }
  }
  mx.eval(...out.values());
  return { weights: out, sourceDtype };
}
