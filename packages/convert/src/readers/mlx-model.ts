/**
 * Host-side reading of an MLX model directory: `weights.safetensors`, or the `weights.npz` of
 * older mlx-community repos (mlx_whisper's own preference order). `readMlxWeightsFloat32` gives
 * every float tensor as float32 and every quantized matrix dequantized (its `.scales`/`.biases`
 * folded in), so other writers (ONNX) and `--verify` see plain float32 weights; other dtypes
 * (e.g. the int64 `alignment_heads`) are returned unchanged.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ConvertError } from "../errors.js";
import { dequantizeAffine } from "../quantize.js";
import { toFloat32, type HostTensor } from "../tensor.js";
import { readNpz } from "./npz.js";
import { readSafetensors, SafetensorsFile } from "./safetensors.js";

/** The weights file of an MLX model directory: `weights.safetensors`, else `weights.npz`. */
export function mlxWeightsFile(dir: string): string | undefined {
  return ["weights.safetensors", "weights.npz"].map((f) => join(dir, f)).find((f) => existsSync(f));
}

/** The tensors of an MLX model directory as stored (those `only` accepts, when given). */
export function readMlxTensors(dir: string, only?: (name: string) => boolean): Map<string, HostTensor> {
  const file = mlxWeightsFile(dir);
  if (!file) throw new ConvertError(dir, "no weights.safetensors or weights.npz");
  return file.endsWith(".npz") ? readNpz(file, only) : readSafetensors(file, only);
}

/**
 * Weights of an MLX directory as float32 host tensors (the file's dtype per name in
 * `sourceDtypes`); `only` picks tensors by name (a quantized one by `<layer>.weight`). Each
 * stored tensor is dropped once converted, so the peak is the float32 weights plus one tensor.
 */
export function readMlxWeightsFloat32(dir: string, quantization?: { group_size: number; bits: number }, only?: (name: string) => boolean): { weights: Map<string, HostTensor>; sourceDtypes: Map<string, string> } {
  const raw = readMlxTensors(dir, only && ((name) => only(name.replace(/\.(scales|biases)$/, ".weight"))));
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
      raw.delete(`${base}.scales`);
      raw.delete(`${base}.biases`);
    } else if (t.dtype === "float32" || t.dtype === "float16" || t.dtype === "bfloat16") {
      weights.set(name, f32(t.shape, toFloat32(t)));
    } else {
      weights.set(name, t);
    }
    raw.delete(name);
  }
  return { weights, sourceDtypes };
}

/**
 * The float32 weights of an MLX directory read on demand, one tensor per `get` (quantized ones
 * dequantized), nothing kept: building an ONNX graph from it holds only the graph's own
 * initializers, not the source weights as well. `weights.npz` is read whole instead (older
 * mlx-community repos, small models).
 */
export function openMlxWeightsFloat32(dir: string, quantization?: { group_size: number; bits: number }): { get(name: string): HostTensor | undefined; close(): void } {
  const file = mlxWeightsFile(dir);
  if (!file) throw new ConvertError(dir, "no weights.safetensors or weights.npz");
  if (file.endsWith(".npz")) {
    const { weights } = readMlxWeightsFloat32(dir, quantization);
    return { get: (name) => weights.get(name), close: () => weights.clear() };
  }
  const st = new SafetensorsFile(file);
  const f32 = (shape: number[], f: Float32Array): HostTensor => ({ dtype: "float32", shape, data: new Uint8Array(f.buffer, f.byteOffset, f.byteLength) });
  return {
    get(name) {
      const base = name.replace(/\.weight$/, "");
      const t = st.read(name);
      if (!t) return undefined;
      const scales = name.endsWith(".weight") ? st.read(`${base}.scales`) : undefined;
      if (scales) {
        if (!quantization) throw new ConvertError(dir, `'${name}' is quantized but config.json has no "quantization"`);
        const f = dequantizeAffine({ weight: t, scales, biases: st.read(`${base}.biases`) as HostTensor }, quantization.group_size, quantization.bits);
        return f32([t.shape[0], f.length / t.shape[0]], f);
      }
      return t.dtype === "float32" || t.dtype === "float16" || t.dtype === "bfloat16" ? f32(t.shape, toFloat32(t)) : t;
    },
    close: () => st.close(),
  };
}
