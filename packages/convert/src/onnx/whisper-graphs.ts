/**
 * Whisper as two ONNX graphs, built from MLX-layout float32 weights:
 * - `encoder.onnx`: log-mel [B, n_mels, 3000] → every decoder layer's cross-attention keys
 *   [B, H, 1500, Dh] and transposed values [B, H, Dh, 1500];
 * - `decoder.onnx`: one step with a KV cache: tokens [rows, T], offset, past keys and values
 *   [rows, H, P, Dh] per layer, the cross-attention caches of B audio inputs (rows / B rows each:
 *   beams or samples) → logits [rows, T, V], the greedy token, the k best tokens (beam search),
 *   the extended caches, and each layer's scaled cross-attention scores [B, H, 1500, rows/B · T]
 *   (for DTW word timestamps).
 * Self-attention is ONNX Runtime's fused `com.microsoft` MultiHeadAttention (it owns the cache
 * concatenation and the 1/√Dh scale), with Q/K/V from one matrix product; cross-attention is two
 * matrix products laid out for the CPU (see `crossAttention`).
 * The token embedding is stored once (Gather for the input, Gemm with transB for the logits).
 */
import { permute } from "../tensor.js";
import { whisperSinusoids as sinusoids, type WhisperDims } from "../families/whisper.js";
import { GraphBuilder, type WeightFormat } from "./graph-builder.js";
import { gelu, get, INT4_BLOCK, layerNorm, linear, quantizeBlocksInt4, quantizeColumnsInt8, stackedLinear, type Weights } from "./layers.js";

/**
 * q, k, v of one decoder attention block from a single stacked projection (the key has no
 * bias): one input quantisation instead of three per step.
 */
function qkv(g: GraphBuilder, w: Weights, x: string, b: string, d: number): string[] {
  const y = stackedLinear(g, w, x, `${b}.qkv`, [
    { prefix: `${b}.query`, bias: true },
    { prefix: `${b}.key`, bias: false },
    { prefix: `${b}.value`, bias: true },
  ]);
  return g.node("Split", [y, g.constInt([d, d, d])], { attrs: { axis: -1 }, nOutputs: 3 });
}

/**
 * Cross-attention of queries q [rows, T, D] over keys [B, H, S, Dh] and transposed values
 * [B, H, Dh, S], where each audio input's `rows / B` consecutive rows (beams or samples) share its
 * keys and values: they become extra query columns, so K and V are read once per input, not once
 * per row. Laid out as matrix products whose large operand is the left one (K·qᵀ, then Vᵀ·p):
 * MLAS streams that operand once and packs only the small one. The fused kernel (or q·Kᵀ) packs
 * all S keys per head every step, and cross-attention then took ~1 ms of a 2.7 ms int8 step at
 * tiny dims, batch 1.
 */
function crossAttention(g: GraphBuilder, q: string, k: string, vT: string, nHead: number, dHead: number, scoresName: string): string {
  const batch = g.op("Slice", [g.op("Shape", [k]), g.constInt([0]), g.constInt([1])]); // [B]
  const grouped = g.op("Reshape", [g.op("Mul", [q, g.constFloat([1 / Math.sqrt(dHead)], [])]), g.op("Concat", [batch, g.constInt([-1, nHead, dHead])], { axis: 0 })]); // [B, G·T, H, Dh]
  const qT = g.op("Transpose", [grouped], { perm: [0, 2, 3, 1] }); // [B, H, Dh, G·T]
  // The scaled scores are also a graph output, for word timestamps by DTW (fetched only then).
  const [scores] = g.node("MatMul", [k, qT], { outputs: [scoresName] }); // [B, H, S, G·T]
  const p = g.op("Softmax", [scores], { axis: 2 });
  const o = g.op("MatMul", [vT, p]); // [B, H, Dh, G·T]
  const rowsAndT = g.op("Slice", [g.op("Shape", [q]), g.constInt([0]), g.constInt([2])]);
  return g.op("Reshape", [g.op("Transpose", [o], { perm: [0, 3, 1, 2] }), g.op("Concat", [rowsAndT, g.constInt([nHead * dHead])], { axis: 0 })]);
}

function mlp(g: GraphBuilder, w: Weights, x: string, b: string): string {
  return linear(g, w, gelu(g, linear(g, w, layerNorm(g, w, x, `${b}.mlp_ln`), `${b}.mlp1`)), `${b}.mlp2`);
}

/** The encoder graph with the cross-attention K/V precompute fused in. */
export function whisperEncoderGraph(dims: WhisperDims, w: Weights, options: { roundPositionsToHalf?: boolean; weights?: WeightFormat; externalData?: string } = {}): GraphBuilder {
  const g = new GraphBuilder("whisper_encoder", options.weights, options.externalData);
  const D = dims.n_audio_state;
  const H = dims.n_audio_head;
  const mel = g.input("mel", { type: "float32", shape: ["batch", dims.n_mels, 3000] });
  // MLX stores convs as (out, k, in); ONNX Conv wants (out, in, k).
  const conv = (x: string, name: string, stride: number) =>
    gelu(g, g.op("Conv", [x, g.initializer(`${name}.weight`, permute(get(w, `${name}.weight`), [0, 2, 1])), g.initializer(`${name}.bias`, get(w, `${name}.bias`))], { kernel_shape: [3], pads: [1, 1], strides: [stride] }));
  let x = conv(conv(mel, "encoder.conv1", 1), "encoder.conv2", 2);
  x = g.op("Transpose", [x], { perm: [0, 2, 1] });
  x = g.op("Add", [x, g.initializer("encoder.positions", sinusoids(dims.n_audio_ctx, D, options.roundPositionsToHalf ?? false))]);
  for (let i = 0; i < dims.n_audio_layer; i++) {
    const b = `encoder.blocks.${i}`;
    const h = layerNorm(g, w, x, `${b}.attn_ln`);
    // ONNX Runtime's fused multi-head attention ([B, T, D] in and out, scale 1/√Dh).
    // Separate projections here: at 1500 frames a stacked one plus Split measured slower.
    const att = g.node("MultiHeadAttention", [linear(g, w, h, `${b}.attn.query`), linear(g, w, h, `${b}.attn.key`, false), linear(g, w, h, `${b}.attn.value`)], { attrs: { num_heads: H }, domain: "com.microsoft" })[0];
    x = g.op("Add", [x, linear(g, w, att, `${b}.attn.out`)]);
    x = g.op("Add", [x, mlp(g, w, x, b)]);
  }
  const features = layerNorm(g, w, x, "encoder.ln_post");
  g.output(features, "features", { type: "float32", shape: ["batch", dims.n_audio_ctx, D] });
  const Ht = dims.n_text_head;
  const dt = dims.n_text_state / Ht;
  for (let i = 0; i < dims.n_text_layer; i++) {
    const b = `decoder.blocks.${i}.cross_attn`;
    const toHeads = (x: string, name: string, perm: number[]) => {
      g.node("Transpose", [g.op("Reshape", [x, g.constInt([0, 0, Ht, dt])])], { attrs: { perm }, outputs: [name] });
      g.output(name, name, { type: "float32", shape: perm[2] === 1 ? ["batch", Ht, dims.n_audio_ctx, dt] : ["batch", Ht, dt, dims.n_audio_ctx] });
    };
    toHeads(linear(g, w, features, `${b}.key`, false), `cross_k_${i}`, [0, 2, 1, 3]);
    toHeads(linear(g, w, features, `${b}.value`), `cross_v_${i}`, [0, 2, 3, 1]);
  }
  Object.assign(g.metadata, { "whisperx-mlx:graph": "whisper-encoder", "whisperx-mlx:dims": JSON.stringify(dims) });
  return g;
}

/** One decoder step with a self-attention KV cache. */
export function whisperDecoderGraph(dims: WhisperDims, w: Weights, options: { weights?: WeightFormat; externalData?: string } = {}): GraphBuilder {
  const g = new GraphBuilder("whisper_decoder", options.weights, options.externalData);
  const D = dims.n_text_state;
  const H = dims.n_text_head;
  const dh = D / H;
  const tokens = g.input("tokens", { type: "int64", shape: ["batch", "tokens"] });
  const offset = g.input("offset", { type: "int64", shape: [] });
  const past: [string, string][] = [];
  const cross: [string, string][] = [];
  for (let i = 0; i < dims.n_text_layer; i++) {
    past.push([g.input(`past_k_${i}`, { type: "float32", shape: ["batch", H, "past", dh] }), g.input(`past_v_${i}`, { type: "float32", shape: ["batch", H, "past", dh] })]);
  }
  for (let i = 0; i < dims.n_text_layer; i++) {
    cross.push([g.input(`cross_k_${i}`, { type: "float32", shape: ["batch", H, dims.n_audio_ctx, dh] }), g.input(`cross_v_${i}`, { type: "float32", shape: ["batch", H, dh, dims.n_audio_ctx] })]);
  }
  // The token embedding is stored once, in the graph's weight format: float32 E [V, D] (Gather
  // rows; logits by Gemm with transB); int8 Eᵀ [D, V] with one scale per token (Gather columns;
  // logits by DynamicQuantizeMatMul); or int4 blocks of E (Gather packed rows and unpack the
  // nibbles; logits by MatMulNBits).
  const E = get(w, "decoder.token_embedding.weight");
  let embed: (ids: string) => string;
  let logitsOf: (flat: string) => string;
  if (g.weights === "int8") {
    const { q, scales } = quantizeColumnsInt8(E);
    const et = g.initializer("decoder.token_embedding.T.int8", q);
    const sc = g.initializer("decoder.token_embedding.scales", scales);
    embed = (ids) => g.op("Mul", [g.op("Transpose", [g.op("Cast", [g.op("Gather", [et, ids], { axis: 1 })], { to: 1 })], { perm: [1, 2, 0] }), g.op("Unsqueeze", [g.op("Gather", [sc, ids], { axis: 0 }), g.constInt([2])])]);
    logitsOf = (flat) => g.op("DynamicQuantizeMatMul", [flat, et, sc], undefined, "com.microsoft");
  } else if (g.weights === "int4") {
    const { q, scales } = quantizeBlocksInt4(E);
    const packed = g.initializer("decoder.token_embedding.int4", q);
    const blocks = q.shape[1];
    const sc = g.initializer("decoder.token_embedding.int4.scales", { ...scales, shape: [E.shape[0], blocks] });
    embed = (ids) => {
      const rows = g.op("Gather", [packed, ids], { axis: 0 }); // [B, T, blocks, 16] uint8
      const four = g.initializer(`nibble_shift_${ids}`, { dtype: "uint8", shape: [], data: Uint8Array.of(4) });
      const low = g.op("BitShift", [g.op("BitShift", [rows, four], { direction: "LEFT" }), four], { direction: "RIGHT" });
      const high = g.op("BitShift", [rows, four], { direction: "RIGHT" });
      // Interleave low/high nibbles back into element order, centre on the zero point 8, scale per block.
      const vals = g.op("Sub", [g.op("Cast", [g.op("Concat", [g.op("Unsqueeze", [low, g.constInt([4])]), g.op("Unsqueeze", [high, g.constInt([4])])], { axis: 4 })], { to: 1 }), g.constFloat([8], [])]);
      const scaled = g.op("Mul", [g.op("Reshape", [vals, g.constInt([0, 0, blocks, INT4_BLOCK])]), g.op("Unsqueeze", [g.op("Gather", [sc, ids], { axis: 0 }), g.constInt([3])])]);
      return g.op("Slice", [g.op("Reshape", [scaled, g.constInt([0, 0, blocks * INT4_BLOCK])]), g.constInt([0]), g.constInt([E.shape[1]]), g.constInt([2])]);
    };
    logitsOf = (flat) => g.op("MatMulNBits", [flat, packed, g.op("Reshape", [sc, g.constInt([-1])])], { K: E.shape[1], N: E.shape[0], bits: 4, block_size: INT4_BLOCK }, "com.microsoft");
  } else {
    const emb = g.initializer("decoder.token_embedding.weight", E);
    embed = (ids) => g.op("Gather", [emb, ids], { axis: 0 });
    logitsOf = (flat) => g.op("Gemm", [flat, emb], { transB: 1 });
  }
  const T = g.op("Gather", [g.op("Shape", [tokens]), g.constInt([1], [])], { axis: 0 });
  const end = g.op("Add", [offset, T]);
  const one = g.constInt([1], []);
  const positions = g.op("Range", [offset, end, one]);
  let x = g.op("Add", [embed(tokens), g.op("Gather", [g.initializer("decoder.positional_embedding", get(w, "decoder.positional_embedding")), positions], { axis: 0 })]);
  // Causal mask over [T, offset + T]: query t (at position offset + t) sees keys 0 … offset + t.
  const cols = g.op("Range", [g.constInt([0], []), end, one]);
  const hidden = g.op("Greater", [g.op("Unsqueeze", [cols, g.constInt([0])]), g.op("Unsqueeze", [positions, g.constInt([1])])]);
  const mask = g.op("Unsqueeze", [g.op("Where", [hidden, g.constFloat([-Infinity], []), g.constFloat([0], [])]), g.constInt([0, 1])]); // [1, 1, T, offset + T]
  const mha = { num_heads: H };
  for (let i = 0; i < dims.n_text_layer; i++) {
    const b = `decoder.blocks.${i}`;
    const [q, k, v] = qkv(g, w, layerNorm(g, w, x, `${b}.attn_ln`), `${b}.attn`, D);
    const [att] = g.node("MultiHeadAttention", [q, k, v, "", "", mask, past[i][0], past[i][1]], { attrs: mha, domain: "com.microsoft", outputs: [`self_attn_${i}`, `present_k_${i}`, `present_v_${i}`] });
    g.output(`present_k_${i}`, `present_k_${i}`, { type: "float32", shape: ["batch", H, "total", dh] });
    g.output(`present_v_${i}`, `present_v_${i}`, { type: "float32", shape: ["batch", H, "total", dh] });
    x = g.op("Add", [x, linear(g, w, att, `${b}.attn.out`)]);
    const qc = linear(g, w, layerNorm(g, w, x, `${b}.cross_attn_ln`), `${b}.cross_attn.query`);
    x = g.op("Add", [x, linear(g, w, crossAttention(g, qc, cross[i][0], cross[i][1], H, dh, `cross_qk_${i}`), `${b}.cross_attn.out`)]);
    g.output(`cross_qk_${i}`, `cross_qk_${i}`, { type: "float32", shape: ["batch", H, dims.n_audio_ctx, "tokens"] });
    x = g.op("Add", [x, mlp(g, w, x, b)]);
  }
  const out = layerNorm(g, w, x, "decoder.ln");
  // logits = out · Eᵀ through Gemm(transB) on [B·T, D], so E is stored once.
  const flat = g.op("Reshape", [out, g.constInt([-1, D])]);
  const logits2d = logitsOf(flat);
  const shape = g.op("Concat", [g.op("Slice", [g.op("Shape", [tokens]), g.constInt([0]), g.constInt([2])]), g.constInt([dims.n_vocab])], { axis: 0 });
  const logits = g.op("Reshape", [logits2d, shape]);
  g.output(logits, "logits", { type: "float32", shape: ["batch", "tokens", dims.n_vocab] });
  // The greedy choice at the last position under an additive bias (the step's suppress mask),
  // so plain greedy steps need no vocabulary-wide pass in JavaScript.
  const bias = g.input("logit_bias", { type: "float32", shape: ["bias_rows", dims.n_vocab] });
  const last = g.op("Add", [g.op("Gather", [logits, g.op("Sub", [T, one])], { axis: 1 }), bias]); // [B, V]
  const token = g.op("ArgMax", [last], { axis: -1, keepdims: 1 });
  // LogSoftmax, not ReduceLogSumExp: ORT's LogSoftmax is vectorised, its ReduceLogSumExp took
  // 0.33 ms per step over the vocabulary at batch 1.
  const logprobs = g.op("LogSoftmax", [last], { axis: -1 });
  g.output(g.op("Squeeze", [token, g.constInt([1])]), "token", { type: "int64", shape: ["batch"] });
  g.output(g.op("Squeeze", [g.op("GatherElements", [logprobs, token], { axis: 1 }), g.constInt([1])]), "token_logprob", { type: "float32", shape: ["batch"] });
  // Beam search: the k most likely tokens of each row, best first (fetched only then).
  const k = g.input("top_k", { type: "int64", shape: [1] });
  g.node("TopK", [logprobs, k], { attrs: { axis: -1, largest: 1, sorted: 1 }, outputs: ["topk_logprobs", "topk_tokens"] });
  g.output("topk_logprobs", "topk_logprobs", { type: "float32", shape: ["batch", "k"] });
  g.output("topk_tokens", "topk_tokens", { type: "int64", shape: ["batch", "k"] });
  Object.assign(g.metadata, { "whisperx-mlx:graph": "whisper-decoder", "whisperx-mlx:dims": JSON.stringify(dims) });
  return g;
}
