/**
 * The Whisper network on MLX, as plain functions over a weight map (the same structure as
 * mlx-examples' `whisper.py`): a conv stem and pre-LN transformer encoder, and a decoder with
 * self- and cross-attention whose keys/values are cached between steps.
 */
import type * as mlxTypes from "../mlx-binding.js";
import type { WhisperDims } from "@whisperx-mlx/core";
import type { MlxCore } from "../runtime.js";
import type { WeightMap } from "./load-model.js";

type MxArray = mlxTypes.core.array;

/** Per-layer self-attention cache of the decoder: keys and values as [B, H, T, D]. */
export interface SelfAttentionCache {
  k: MxArray;
  v: MxArray;
}

/**
 * Cross-attention keys/values of one encoder output, per decoder layer: keys already scaled by
 * d^-0.25 and transposed to [B, H, D, 1500], values [B, H, 1500, D], both contiguous, so a
 * decode step reads them without copying.
 */
export interface CrossAttentionCache {
  k: MxArray[];
  v: MxArray[];
}

/** Sinusoidal positions as openai-whisper's `sinusoids(length, channels)`. */
function sinusoids(mx: MlxCore, length: number, channels: number): MxArray {
  const inc = Math.log(10000) / (channels / 2 - 1);
  const invTimescales = mx.exp(mx.multiply(mx.arange(channels / 2).astype(mx.float32), -inc));
  const scaled = mx.multiply(mx.arange(length).astype(mx.float32).reshape(length, 1), invTimescales.reshape(1, channels / 2));
  return mx.concatenate([mx.sin(scaled), mx.cos(scaled)], 1);
}

/** A Whisper model bound to its weights. */
export class WhisperModel {
  readonly dims: WhisperDims;
  private readonly w: WeightMap;
  private readonly mx: MlxCore;
  private readonly encoderPositions: MxArray;
  private readonly causalMask: MxArray;
  private readonly encodeCompiled: (mel: MxArray) => MxArray;

  /** Group size and bits of the weights kept quantized (their `.scales` sit beside them). */
  private readonly quantization?: { group_size: number; bits: number };

  /** Bytes the weights occupy in memory (4-bit ones kept quantized count their packed size). */
  get weightBytes(): number {
    let n = 0;
    for (const w of this.w.values()) n += w.size * w.dtype.size;
    return n;
  }

  constructor(mx: MlxCore, dims: WhisperDims, weights: WeightMap, options: { compile?: boolean; roundPositionsToHalf?: boolean; quantization?: { group_size: number; bits: number } } = {}) {
    this.mx = mx;
    this.dims = dims;
    this.w = weights;
    this.quantization = options.quantization;
    for (const k of ["encoder.conv1.weight", "encoder.conv2.weight", "decoder.token_embedding.weight", "decoder.positional_embedding"]) {
      if (!weights.has(k)) throw new Error(`model weights lack '${k}'`);
    }
    let pos = sinusoids(mx, dims.n_audio_ctx, dims.n_audio_state);
    // OpenAI checkpoints store these positions in fp16 and openai-whisper uses the stored values;
    // rounding the same way keeps the encoder within fp32 noise of the reference.
    if (options.roundPositionsToHalf) pos = pos.astype(mx.float16).astype(mx.float32);
    this.encoderPositions = pos;
    const n = dims.n_text_ctx;
    const idx = mx.arange(n);
    // -inf above the diagonal (mx.triu is missing from the binding).
    this.causalMask = mx.where(mx.greater(idx.reshape(1, n), idx.reshape(n, 1)), -Infinity, 0).astype(mx.float32);
    mx.eval(this.encoderPositions, this.causalMask);
    const encode = (mel: MxArray) => this.encodeEager(mel);
    this.encodeCompiled = options.compile === false ? encode : mx.compile(encode);
  }

  private p(name: string): MxArray {
    const t = this.w.get(name);
    if (!t) throw new Error(`missing weight '${name}'`);
    return t;
  }

  /** `x · Wᵀ` for the matrix `prefix.weight`, quantized or not. */
  private matmulT(x: MxArray, prefix: string): MxArray {
    const scales = this.w.get(`${prefix}.scales`);
    if (scales && this.quantization) return this.mx.quantizedMatmul(x, this.p(`${prefix}.weight`), scales, this.p(`${prefix}.biases`), true, this.quantization.group_size, this.quantization.bits);
    return this.mx.matmul(x, this.p(`${prefix}.weight`).T);
  }

  private linear(x: MxArray, prefix: string, bias = true): MxArray {
    const y = this.matmulT(x, prefix);
    return bias ? this.mx.add(y, this.p(`${prefix}.bias`)) : y;
  }

  /** Rows of the token embedding (dequantized rows when it is kept quantized). */
  private embed(tokens: MxArray): MxArray {
    const mx = this.mx;
    const prefix = "decoder.token_embedding";
    const scales = this.w.get(`${prefix}.scales`);
    if (scales && this.quantization) {
      return mx.dequantize(mx.take(this.p(`${prefix}.weight`), tokens, 0), mx.take(scales, tokens, 0), mx.take(this.p(`${prefix}.biases`), tokens, 0), this.quantization.group_size, this.quantization.bits);
    }
    return mx.take(this.p(`${prefix}.weight`), tokens, 0);
  }

  private layerNorm(x: MxArray, prefix: string): MxArray {
    return this.mx.fast.layerNorm(x, this.p(`${prefix}.weight`), this.p(`${prefix}.bias`), 1e-5);
  }

  private gelu(x: MxArray): MxArray {
    const mx = this.mx;
    return mx.multiply(mx.multiply(x, 0.5), mx.add(mx.erf(mx.multiply(x, Math.SQRT1_2)), 1));
  }

  private splitHeads(x: MxArray, nHead: number): MxArray {
    const [b, t, d] = x.shape;
    return x.reshape(b, t, nHead, d / nHead).transpose(0, 2, 1, 3);
  }

  /** Scaled dot-product attention with Whisper's d^-0.25 on both q and k, precise softmax. */
  private attend(q: MxArray, k: MxArray, v: MxArray, mask?: MxArray): MxArray {
    const scale = q.shape[3] ** -0.25;
    return this.attendScaledKeys(q, this.mx.multiply(k, scale).transpose(0, 1, 3, 2), v, mask);
  }

  /**
   * Cross-attention of `group` rows per audio input over that input's keys and values: the rows
   * of a group (beams, samples) become extra query positions of one attention, so the keys and
   * values are stored and read once per audio input, not once per row.
   */
  private attendGrouped(q: MxArray, kT: MxArray, v: MxArray, group: number, onLogits?: (qk: MxArray) => void): MxArray {
    if (group === 1) return this.attendScaledKeys(q, kT, v, undefined, onLogits);
    const [rows, h, t, dh] = q.shape;
    const b = rows / group;
    const grouped = q.reshape(b, group, h, t, dh).transpose(0, 2, 1, 3, 4).reshape(b, h, group * t, dh);
    const mx = this.mx;
    const qk = mx.matmul(mx.multiply(grouped, dh ** -0.25), kT);
    onLogits?.(qk);
    const out = mx.matmul(mx.softmax(qk, -1, true), v); // [B, H, G·T, Dh]
    return out.reshape(b, h, group, t, dh).transpose(0, 2, 3, 1, 4).reshape(rows, t, h * dh);
  }

  /** Attention with keys already scaled and transposed ([B, H, D, T]). */
  private attendScaledKeys(q: MxArray, kT: MxArray, v: MxArray, mask?: MxArray, onLogits?: (qk: MxArray) => void): MxArray {
    const mx = this.mx;
    const scale = q.shape[3] ** -0.25;
    let qk = mx.matmul(mx.multiply(q, scale), kT);
    onLogits?.(qk);
    if (mask) qk = mx.add(qk, mask);
    const w = mx.softmax(qk, -1, true);
    const out = mx.matmul(w, v).transpose(0, 2, 1, 3);
    const [b, t, h, dh] = out.shape;
    return out.reshape(b, t, h * dh);
  }

  private mlp(x: MxArray, prefix: string): MxArray {
    return this.linear(this.gelu(this.linear(this.layerNorm(x, `${prefix}.mlp_ln`), `${prefix}.mlp1`)), `${prefix}.mlp2`);
  }

  private encodeEager(mel: MxArray): MxArray {
    const mx = this.mx;
    const { n_audio_layer, n_audio_head } = this.dims;
    let x = this.gelu(mx.add(mx.conv1d(mel, this.p("encoder.conv1.weight"), 1, 1, 1, 1), this.p("encoder.conv1.bias")));
    x = this.gelu(mx.add(mx.conv1d(x, this.p("encoder.conv2.weight"), 2, 1, 1, 1), this.p("encoder.conv2.bias")));
    x = mx.add(x, this.encoderPositions);
    for (let i = 0; i < n_audio_layer; i++) {
      const b = `encoder.blocks.${i}`;
      const h = this.layerNorm(x, `${b}.attn_ln`);
      const q = this.splitHeads(this.linear(h, `${b}.attn.query`), n_audio_head);
      const k = this.splitHeads(this.linear(h, `${b}.attn.key`, false), n_audio_head);
      const v = this.splitHeads(this.linear(h, `${b}.attn.value`), n_audio_head);
      x = mx.add(x, this.linear(this.attend(q, k, v), `${b}.attn.out`));
      x = mx.add(x, this.mlp(x, b));
    }
    return this.layerNorm(x, "encoder.ln_post");
  }

  /** Encodes log-mel windows [B, 3000, n_mels] into audio features [B, 1500, n_audio_state]. */
  encode(mel: MxArray): MxArray {
    return this.encodeCompiled(mel);
  }

  /**
   * A row-contiguous copy. Element-wise ops keep a permuted input's strides, so `x * 1` is not
   * enough; reshaping to a different rank is what forces MLX to lay the data out in order.
   */
  private contiguous(x: MxArray): MxArray {
    const shape = x.shape;
    return x.reshape([-1]).reshape(shape);
  }

  /**
   * Precomputes every decoder layer's cross-attention keys and values, made contiguous
   * (a strided view would make each decode step copy all of K and V).
   */
  crossAttentionCache(audioFeatures: MxArray): CrossAttentionCache {
    const mx = this.mx;
    const { n_text_layer, n_text_head } = this.dims;
    const k: MxArray[] = [];
    const v: MxArray[] = [];
    for (let i = 0; i < n_text_layer; i++) {
      const b = `decoder.blocks.${i}.cross_attn`;
      const scale = (this.dims.n_text_state / n_text_head) ** -0.25;
      k.push(this.contiguous(mx.multiply(this.splitHeads(this.linear(audioFeatures, `${b}.key`, false), n_text_head).transpose(0, 1, 3, 2), scale)));
      v.push(this.contiguous(this.splitHeads(this.linear(audioFeatures, `${b}.value`), n_text_head)));
    }
    mx.eval(...k, ...v);
    return { k, v };
  }

  /**
   * Runs the decoder on `tokens` [rows, T] at position `offset`, extending `cache` in place.
   * `group` consecutive rows share one audio input of `cross` (beams or samples; rows = inputs ·
   * group). Returns the hidden states after the final layer norm, [rows, T, n_text_state]. With
   * `crossLogits`, each layer's pre-softmax cross-attention logits [B, H, T, 1500] are stored there.
   */
  decodeHidden(tokens: MxArray, cross: CrossAttentionCache, cache: SelfAttentionCache[], offset: number, crossLogits?: MxArray[], group = 1): MxArray {
    const mx = this.mx;
    const { n_text_layer, n_text_head } = this.dims;
    const t = tokens.shape[1];
    let x = mx.add(this.embed(tokens), this.p("decoder.positional_embedding").index(mx.Slice(offset, offset + t)));
    const mask = t > 1 ? this.causalMask.index(mx.Slice(0, t), mx.Slice(0, t)) : undefined;
    for (let i = 0; i < n_text_layer; i++) {
      const b = `decoder.blocks.${i}`;
      const h = this.layerNorm(x, `${b}.attn_ln`);
      const q = this.splitHeads(this.linear(h, `${b}.attn.query`), n_text_head);
      let k = this.splitHeads(this.linear(h, `${b}.attn.key`, false), n_text_head);
      let v = this.splitHeads(this.linear(h, `${b}.attn.value`), n_text_head);
      if (cache[i]) {
        k = mx.concatenate([cache[i].k, k], 2);
        v = mx.concatenate([cache[i].v, v], 2);
      }
      cache[i] = { k, v };
      // With a cache, the new queries see every cached key, so only the new block needs masking.
      const m = mask && offset > 0 ? mx.pad(mask, [[0, 0], [offset, 0]]) : mask;
      x = mx.add(x, this.linear(this.attend(q, k, v, m), `${b}.attn.out`));
      const hc = this.layerNorm(x, `${b}.cross_attn_ln`);
      const qc = this.splitHeads(this.linear(hc, `${b}.cross_attn.query`), n_text_head);
      const keep = crossLogits ? (qk: MxArray) => (crossLogits[i] = qk) : undefined;
      x = mx.add(x, this.linear(this.attendGrouped(qc, cross.k[i], cross.v[i], group, keep), `${b}.cross_attn.out`));
      x = mx.add(x, this.mlp(x, b));
    }
    return this.layerNorm(x, "decoder.ln");
  }

  /** Logits from hidden states through the tied token embedding, [.., n_vocab]. */
  logits(hidden: MxArray): MxArray {
    return this.matmulT(hidden, "decoder.token_embedding");
  }
}
