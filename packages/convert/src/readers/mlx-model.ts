/**
 * Host-side reading of an MLX model directory's `weights.safetensors`: every float tensor as
 * float32 and every quantized matrix dequantized (its `.scales`/`.biases` folded in), so other
 * writers (ONNX) and `--verify` see plain float32 weights. Other dtypes are returned unchanged.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ConvertError } from "../errors.js";
import { dequantizeAffine } from "../quantize.js";
import { toFloat32, type HostTensor } from "../tensor.js";
import { readSafetensors } from "./safetensors.js";

/** Weights of an MLX directory as float32 host tensors (the file's dtype per name in `sourceDtypes`). */
export function readMlxWeightsFloat32(dir: string, quantization?: { group_size: number; bits: number }): { weights: Map<string, HostTensor>; sourceDtypes: Map<string, string> } {
  const file = join(dir, "weights.safetensors");
  if (!existsSync(file)) throw new ConvertError(dir, "no weights.safetensors");
  const raw = readSafetensors(file);
  const weights = new Map<string, HostTensor>();
  const sourceDtypes = new Map<string, string>();
  const f32 = (shape: number[], f: Float32Array): HostTensor => ({ dtype: "float32", shape, data: new Uint8Array(f.buffer, f.byteOffset, f.byteLength) });
  for (const [name, t] of raw) {
    const base = name.replace(/\.(weight|scales|biases)$/, "");
    const scales = raw.get(`${base}.scales`);
    if (scales && name !== `${base}.weight`) continue;
    sourceDtypes.set(name, t.dtype);
    if (scales) {
      if (!quantization) throw new ConvertError(dir, `'${name}' is quantized but config.json has no "quantization"`);
      const f = dequantizeAffine({ weight: t, scales, biases: raw.get(`${base}.biases`) as HostTensor }, quantization.group_size, quantization.bits);
      weights.set(name, f32([t.shape[0], f.length / t.shape[0]], f));
    } else if (t.dtype === "float32" || t.dtype === "float16" || t.dtype === "bfloat16") {
      weights.set(name, f32(t.shape, toFloat32(t)));
    } else {
      weights.set(name, t);
    }
  }
  return { weights, sourceDtypes };
}
