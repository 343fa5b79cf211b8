/** Layers shared by the ONNX graphs: linear, layer norm, GELU over float32 weights. */
import type { HostTensor } from "../tensor.js";
import { permute } from "../tensor.js";
import type { GraphBuilder } from "./graph-builder.js";

/** Float32 weights by MLX name: a Map, or a reader that loads each on `get`. */
export type Weights = Pick<ReadonlyMap<string, HostTensor>, "get">;

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

/** Block size of the int4 weights (along the input dimension). */
export const INT4_BLOCK = 32;

/**
 * `MatMulNBits` layout of W [N, K]: 4-bit values (zero point 8, low nibble first) packed as
 * [N, ⌈K/32⌉, 16] bytes, one float32 scale per block (max |w| / 7).
 */
export function quantizeBlocksInt4(weight: HostTensor): { q: HostTensor; scales: HostTensor } {
  const [n, k] = weight.shape;
  const f = new Float32Array(weight.data.buffer, weight.data.byteOffset, n * k);
  const blocks = Math.ceil(k / INT4_BLOCK);
  const q = new Uint8Array(n * blocks * (INT4_BLOCK / 2));
  const scales = new Float32Array(n * blocks);
  for (let r = 0; r < n; r++) {
    for (let b = 0; b < blocks; b++) {
      let m = 0;
      for (let i = b * INT4_BLOCK; i < Math.min(k, (b + 1) * INT4_BLOCK); i++) m = Math.max(m, Math.abs(f[r * k + i]));
      const s = m > 0 ? m / 7 : 1;
      scales[r * blocks + b] = s;
      for (let j = 0; j < INT4_BLOCK; j++) {
        const i = b * INT4_BLOCK + j;
        const v = i < k ? Math.min(15, Math.max(0, Math.round(f[r * k + i] / s) + 8)) : 8;
        q[(r * blocks + b) * (INT4_BLOCK / 2) + (j >> 1)] |= j & 1 ? v << 4 : v;
      }
    }
  }
  return { q: { dtype: "uint8", shape: [n, blocks, INT4_BLOCK / 2], data: q }, scales: { dtype: "float32", shape: [n * blocks], data: new Uint8Array(scales.buffer) } };
}

/** x Wᵀ through `MatMulNBits` on int4 blocks of W [N, K]. */
export function matMulInt4(g: GraphBuilder, x: string, name: string, weight: HostTensor): string {
  const { q, scales } = quantizeBlocksInt4(weight);
  const [n, k] = weight.shape;
  return g.op("MatMulNBits", [x, g.initializer(`${name}.int4`, q), g.initializer(`${name}.int4.scales`, scales)], { K: k, N: n, bits: 4, block_size: INT4_BLOCK }, "com.microsoft");
}

/** Linear layer y = x Wᵀ + b, with W stored in the graph's weight format. */
export function linear(g: GraphBuilder, w: Weights, x: string, prefix: string, bias = true): string {
  return project(g, x, prefix, get(w, `${prefix}.weight`), bias ? get(w, `${prefix}.bias`) : undefined);
}

/**
 * Several linear layers over the same input as one matrix product (weights stacked along the
 * output axis, missing biases as zeros), so the input is read, and for int8 quantised, once.
 * Returns [..., Σ N_i]; split it with `Split`.
 */
export function stackedLinear(g: GraphBuilder, w: Weights, x: string, name: string, layers: { prefix: string; bias: boolean }[]): string {
  const weights = layers.map((l) => get(w, `${l.prefix}.weight`));
  const k = weights[0].shape[1];
  const rows = weights.reduce((n, t) => n + t.shape[0], 0);
  const stacked = new Float32Array(rows * k);
  const bias = new Float32Array(rows);
  let r = 0;
  layers.forEach((l, i) => {
    const t = weights[i];
    stacked.set(new Float32Array(t.data.buffer, t.data.byteOffset, t.shape[0] * k), r * k);
    if (l.bias) {
      const b = get(w, `${l.prefix}.bias`);
      bias.set(new Float32Array(b.data.buffer, b.data.byteOffset, t.shape[0]), r);
    }
    r += t.shape[0];
  });
  const asTensor = (f: Float32Array, shape: number[]): HostTensor => ({ dtype: "float32", shape, data: new Uint8Array(f.buffer) });
  return project(g, x, name, asTensor(stacked, [rows, k]), layers.some((l) => l.bias) ? asTensor(bias, [rows]) : undefined);
}

/** y = x Wᵀ + b for W [N, K] in the graph's weight format; initializers are named after `name`. */
function project(g: GraphBuilder, x: string, name: string, weight: HostTensor, bias?: HostTensor): string {
  const b = bias ? g.initializer(`${name}.bias`, bias) : undefined;
  if (g.weights === "int4") {
    const y = matMulInt4(g, x, `${name}.weight`, weight);
    return b ? g.op("Add", [y, b]) : y;
  }
  if (g.weights === "int8") {
    const { q, scales } = quantizeColumnsInt8(weight);
    const inputs = [x, g.initializer(`${name}.weight.T.int8`, q), g.initializer(`${name}.weight.scales`, scales), "", ...(b ? [b] : [])];
    return g.op("DynamicQuantizeMatMul", b ? inputs : inputs.slice(0, 3), undefined, "com.microsoft");
  }
  const y = g.op("MatMul", [x, g.initializer(`${name}.weight.T`, permute(weight, [1, 0]))]);
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

/**
 * A PyTorch LSTM matrix or bias (gate blocks i, f, g, o of `hidden` rows, `cols` wide) in ONNX
 * `LSTM`'s gate order i, o, f, c.
 */
export function lstmGatesToOnnx(m: Float32Array, hidden: number, cols: number): Float32Array {
  const order = [0, 3, 1, 2];
  const out = new Float32Array(m.length);
  order.forEach((src, dst) => out.set(m.subarray(src * hidden * cols, (src + 1) * hidden * cols), dst * hidden * cols));
  return out;
}
