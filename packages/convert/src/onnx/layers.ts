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

/**
 * Symmetric int8 quantisation of the columns of Wᵀ ([K, N] from W [N, K]): one scale per output
 * column, values in ±63 (7 bits, the "reduce range" that keeps AVX2's u8×s8 pair sums from
 * saturating on CPUs without VNNI).
 */
export function quantizeColumnsInt8(weight: HostTensor): { q: HostTensor; scales: HostTensor } {
  const [n, k] = weight.shape;
  const f = new Float32Array(weight.data.buffer, weight.data.byteOffset, n * k);
  const q = new Int8Array(k * n);
  const scales = new Float32Array(n);
  for (let c = 0; c < n; c++) {
    let m = 0;
    for (let i = 0; i < k; i++) m = Math.max(m, Math.abs(f[c * k + i]));
    const s = m > 0 ? m / 63 : 1;
    scales[c] = s;
    for (let i = 0; i < k; i++) q[i * n + c] = Math.round(f[c * k + i] / s);
  }
  return { q: { dtype: "int8", shape: [k, n], data: new Uint8Array(q.buffer) }, scales: { dtype: "float32", shape: [n], data: new Uint8Array(scales.buffer) } };
}

/** Linear layer y = x Wᵀ + b: Wᵀ as a float32 initializer, or int8 per the graph's weight format. */
export function linear(g: GraphBuilder, w: Weights, x: string, prefix: string, bias = true): string {
  const weight = get(w, `${prefix}.weight`);
  const b = bias ? g.initializer(`${prefix}.bias`, get(w, `${prefix}.bias`)) : undefined;
  if (g.weights === "int8") {
    const { q, scales } = quantizeColumnsInt8(weight);
    const inputs = [x, g.initializer(`${prefix}.weight.T.int8`, q), g.initializer(`${prefix}.weight.scales`, scales), "", ...(b ? [b] : [])];
    return g.op("DynamicQuantizeMatMul", b ? inputs : inputs.slice(0, 3), undefined, "com.microsoft");
  }
  const y = g.op("MatMul", [x, g.initializer(`${prefix}.weight.T`, permute(weight, [1, 0]))]);
  return b ? g.op("Add", [y, b]) : y;
}

/** LayerNormalization over the last axis. */
export function layerNorm(g: GraphBuilder, w: Weights, x: string, prefix: string, eps = 1e-5): string {
  return g.op("LayerNormalization", [x, g.initializer(`${prefix}.weight`, get(w, `${prefix}.weight`)), g.initializer(`${prefix}.bias`, get(w, `${prefix}.bias`))], { axis: -1, epsilon: { float: eps } });
}

/** Exact (erf) GELU: ONNX Runtime's `com.microsoft` Gelu kernel (multi-threaded, vectorised). */
export function gelu(g: GraphBuilder, x: string): string {
  return g.op("Gelu", [x], undefined, "com.microsoft");
}

