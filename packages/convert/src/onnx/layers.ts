/** Layers shared by the ONNX graphs: linear, layer norm, GELU over float32 weights. */
import type { HostTensor } from "../tensor.js";
import { permute } from "../tensor.js";
import type { GraphBuilder } from "./graph-builder.js";

/** Float32 weights by MLX name. */
export type Weights = Map<string, HostTensor>;

/** A float32 weight, or an error naming it. */
export function get(w: Weights, name: string): HostTensor {
  const t = w.get(name);
  if (!t) throw new Error(`weights lack '${name}'`);
  if (t.dtype !== "float32") throw new Error(`weight '${name}' must be float32 here, got ${t.dtype}`);
  return t;
}

/** Linear layer y = x Wᵀ + b with Wᵀ stored as an initializer. */
export function linear(g: GraphBuilder, w: Weights, x: string, prefix: string, bias = true): string {
  const wt = g.initializer(`${prefix}.weight.T`, permute(get(w, `${prefix}.weight`), [1, 0]));
  const y = g.op("MatMul", [x, wt]);
  return bias ? g.op("Add", [y, g.initializer(`${prefix}.bias`, get(w, `${prefix}.bias`))]) : y;
}

/** LayerNormalization over the last axis. */
export function layerNorm(g: GraphBuilder, w: Weights, x: string, prefix: string, eps = 1e-5): string {
  return g.op("LayerNormalization", [x, g.initializer(`${prefix}.weight`, get(w, `${prefix}.weight`)), g.initializer(`${prefix}.bias`, get(w, `${prefix}.bias`))], { axis: -1, epsilon: { float: eps } });
}

/** Exact (erf) GELU: ONNX Runtime's `com.microsoft` Gelu kernel (multi-threaded, vectorised). */
export function gelu(g: GraphBuilder, x: string): string {
  return g.op("Gelu", [x], undefined, "com.microsoft");
}

