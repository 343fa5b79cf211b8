/**
 * Loading converted model directories (`config.json` + `weights.safetensors`), shared by every
 * model on MLX. Floating weights are upcast to float32 (fp16/bf16 matmuls abort on the Linux
 * CPU); integer tensors are kept. `*.weight` + `*.scales` + `*.biases` triples are dequantized at
 * load unless `keepQuantized` (see `quantized-weights.ts` for when).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type * as mlxTypes from "./mlx-binding.js";
import type { MlxCore } from "./runtime.js";

type MxArray = mlxTypes.core.array;

/** Thrown when a model directory is missing or malformed. */
export class ModelLoadError extends Error {}

/** Reads `config.json`, checking `model_type` when one is expected. */
export function readModelConfig<T extends { model_type?: string }>(dir: string, expectedType?: string): T {
  const p = join(dir, "config.json");
  if (!existsSync(p)) throw new ModelLoadError(`${dir}: not a model directory (no config.json)`);
  let cfg: T;
  try {
    cfg = JSON.parse(readFileSync(p, "utf8")) as T;
  } catch (e) {
    throw new ModelLoadError(`${p}: invalid JSON (${(e as Error).message})`);
  }
  if (expectedType && cfg.model_type !== expectedType) throw new ModelLoadError(`${p}: model_type is '${cfg.model_type}', expected '${expectedType}'`);
  return cfg;
}

/**
 * Float32 weights by name, plus the dtype the file stored them in (read off `probe`). With
 * `keepQuantized`, a quantized matrix stays as its uint32 `.weight` beside float32 `.scales` and
 * `.biases` (the model then computes with quantized matmuls).
 */
export function loadWeights(mx: MlxCore, dir: string, quantization?: { group_size: number; bits: number }, probe?: string, keepQuantized = false): { weights: Map<string, MxArray>; sourceDtype: "float16" | "float32" | "bfloat16" } {
  const file = ["weights.safetensors", "model.safetensors"].map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!file) throw new ModelLoadError(`${dir}: no weights.safetensors`);
  let raw: Record<string, MxArray>;
  try {
    raw = mx.load(file) as unknown as Record<string, MxArray>;
  } catch (e) {
    throw new ModelLoadError(`${file}: cannot load weights (${(e as Error).message})`);
  }
  const ref = probe ? raw[probe] : undefined;
  const sourceDtype = ref?.dtype === mx.float16 ? "float16" : ref?.dtype === mx.bfloat16 ? "bfloat16" : "float32";
  const out = new Map<string, MxArray>();
  for (const [name, w] of Object.entries(raw)) {
    const base = name.replace(/\.(weight|scales|biases)$/, "");
    const scales = raw[`${base}.scales`];
    if (scales && (name.endsWith(".scales") || name.endsWith(".biases"))) continue;
    if (scales && name.endsWith(".weight")) {
      if (!quantization) throw new ModelLoadError(`${file}: '${name}' is quantized but config.json has no "quantization"`);
      if (keepQuantized) {
        out.set(name, w);
        out.set(`${base}.scales`, scales.astype(mx.float32));
        out.set(`${base}.biases`, raw[`${base}.biases`].astype(mx.float32));
      } else {
        out.set(name, mx.dequantize(w, scales, raw[`${base}.biases`], quantization.group_size, quantization.bits).astype(mx.float32));
      }
    } else if (w.dtype === mx.float16 || w.dtype === mx.bfloat16) {
      out.set(name, w.astype(mx.float32));
    } else {
      // float32 as is; integer tensors (e.g. Whisper's `alignment_heads`) keep their type
      out.set(name, w);
    }
  }
  mx.eval(...out.values());
  return { weights: out, sourceDtype };
}
