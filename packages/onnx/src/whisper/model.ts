/**
 * Whisper on ONNX Runtime: the three graphs `convert --to onnx` writes (log-mel, encoder with
 * the cross-attention K/V fused in, decoder step with a KV cache). Each step's outputs (the
 * grown caches, and the logits when asked for) are copied into JavaScript buffers by
 * onnxruntime-node and fed back; the greedy token and its log-probability come from the graph.
 */
import { join } from "node:path";
import type { WhisperDims } from "@whisperx-mlx/core";
import { readManifest } from "../graph-cache.js";
import { openSession, ort, runSession, type SessionOptions } from "../session.js";

/** Self-attention caches of every decoder layer (keys and values [B, H, P, Dh]). */
export interface KvCache {
  k: ort.Tensor[];
  v: ort.Tensor[];
}

/** Cross-attention keys [B, H, 1500, Dh] and transposed values [B, H, Dh, 1500] of a batch of windows, per decoder layer. */
export interface CrossCache {
  k: ort.Tensor[];
  v: ort.Tensor[];
  batch: number;
}

/** The loaded graphs of one model. */
export class OnnxWhisperModel {
  private constructor(
    readonly dir: string,
    readonly dims: WhisperDims,
    /** The model's tuned cross-attention heads for DTW word timestamps, when its weights carry them. */
    readonly alignmentHeads: [number, number][] | undefined,
    private readonly mel: ort.InferenceSession,
    private readonly encoder: ort.InferenceSession,
    private readonly decoder: ort.InferenceSession,
  ) {}

  /** Opens a directory written by `convert --to onnx` (or the ONNX cache). */
  static async load(dir: string, options: SessionOptions = {}): Promise<OnnxWhisperModel> {
    const manifest = readManifest(dir, "whisper");
    const d = manifest.dims;
    const layers = Array.from({ length: d.n_text_layer }, (_, i) => i);
    const cross = layers.flatMap((i) => [`cross_k_${i}`, `cross_v_${i}`]);
    const mel = await openSession(join(dir, manifest.graphs.mel), { role: "log-mel", inputs: ["audio"], outputs: ["log_mel"] }, options);
    const encoder = await openSession(join(dir, manifest.graphs.encoder), { role: "Whisper encoder", inputs: ["mel"], outputs: cross }, options);
    const decoder = await openSession(join(dir, manifest.graphs.decoder), {
      role: "Whisper decoder",
      inputs: ["tokens", "offset", "logit_bias", "top_k", ...layers.flatMap((i) => [`past_k_${i}`, `past_v_${i}`]), ...cross],
      outputs: ["logits", "token", "token_logprob", "topk_logprobs", "topk_tokens", ...layers.flatMap((i) => [`present_k_${i}`, `present_v_${i}`, `cross_qk_${i}`])],
    }, options);
    return new OnnxWhisperModel(dir, d, manifest.alignment_heads, mel, encoder, decoder);
  }

  /** Log-mel of a batch of equal-length signals: [B, n_mels, frames] (row-major Float32Array). */
  async logMel(audio: Float32Array[]): Promise<{ data: Float32Array; frames: number }> {
    const n = audio[0].length;
    const flat = new Float32Array(audio.length * n);
    audio.forEach((a, i) => flat.set(a, i * n));
    const out = await runSession(this.mel, "log-mel graph", { audio: new ort.Tensor("float32", flat, [audio.length, n]) });
    const t = out.log_mel;
    return { data: t.data as Float32Array, frames: t.dims[2] };
  }

  /**
   * Encodes log-mel windows [B, n_mels, 3000] into cross-attention caches (and features). The
   * windows go through the encoder one at a time: measured on 2 x86 cores, 8 windows one by one
   * take 0.85× the time of one batch of 8 (demo and tiny dims), and the activations held at once
   * (attention scores [B, H, 1500, 1500]) shrink B-fold.
   */
  async encode(mel: Float32Array, batch: number): Promise<CrossCache & { features?: ort.Tensor }> {
    const per = this.dims.n_mels * 3000;
    const outs: ort.InferenceSession.ReturnType[] = [];
    for (let b = 0; b < batch; b++) {
      outs.push(await runSession(this.encoder, "encoder graph", { mel: new ort.Tensor("float32", mel.subarray(b * per, (b + 1) * per), [1, this.dims.n_mels, 3000]) }));
    }
    const k: ort.Tensor[] = [];
    const v: ort.Tensor[] = [];
    for (let i = 0; i < this.dims.n_text_layer; i++) {
      k.push(stackRows(outs.map((o) => o[`cross_k_${i}`])));
      v.push(stackRows(outs.map((o) => o[`cross_v_${i}`])));
    }
    return { k, v, batch, features: outs[0].features && stackRows(outs.map((o) => o.features)) };
  }

  /** An empty self-attention cache for `batch` rows. */
  emptyCache(batch: number): KvCache {
    const H = this.dims.n_text_head;
    const dh = this.dims.n_text_state / H;
    const e = (shape: number[]) => new ort.Tensor("float32", new Float32Array(0), shape);
    return { k: Array.from({ length: this.dims.n_text_layer }, () => e([batch, H, 0, dh])), v: Array.from({ length: this.dims.n_text_layer }, () => e([batch, H, 0, dh])) };
  }

  private zeroBias?: ort.Tensor;
  private readonly topK = new Map<number, ort.Tensor>();

  /** The decoder's feeds for tokens [rows][T] at `offset` over `cache` and `cross`. */
  private feeds(tokens: readonly (readonly number[])[], offset: number, cache: KvCache, cross: CrossCache, bias?: ort.Tensor, k = 1): Record<string, ort.Tensor> {
    let topK = this.topK.get(k);
    if (!topK) this.topK.set(k, (topK = new ort.Tensor("int64", BigInt64Array.from([BigInt(k)]), [1])));
    const feeds: Record<string, ort.Tensor> = {
      tokens: new ort.Tensor("int64", BigInt64Array.from(tokens.flat().map((t) => BigInt(t))), [tokens.length, tokens[0].length]),
      offset: new ort.Tensor("int64", BigInt64Array.from([BigInt(offset)]), []),
      logit_bias: bias ?? (this.zeroBias ??= new ort.Tensor("float32", new Float32Array(this.dims.n_vocab), [1, this.dims.n_vocab])),
      top_k: topK,
    };
    for (let i = 0; i < this.dims.n_text_layer; i++) {
      feeds[`past_k_${i}`] = cache.k[i];
      feeds[`past_v_${i}`] = cache.v[i];
      feeds[`cross_k_${i}`] = cross.k[i];
      feeds[`cross_v_${i}`] = cross.v[i];
    }
    return feeds;
  }

  private layerNames(prefix: string): string[] {
    return Array.from({ length: this.dims.n_text_layer }, (_, i) => `${prefix}_${i}`);
  }

  /** Each output set a step fetches, built once per kind. */
  private readonly fetchLists = new Map<string, string[]>();

  /**
   * One decoder step: tokens [rows][T] at position `offset`, `group` rows per audio input of
   * `cross`. Returns the new cache and, as `fetch` asks: the logits [rows, T, V] (copying them out
   * costs 0.3–0.5 ms a step at tiny dims, more than some layers), the greedy token of each row at
   * the last position under `bias` ([1 or rows, V], additive; zeros when omitted) with its
   * log-probability, or the `topK` best tokens of each row with theirs.
   */
  async step(
    tokens: readonly (readonly number[])[],
    offset: number,
    cache: KvCache,
    cross: CrossCache,
    bias: ort.Tensor | undefined,
    fetch: { logits: boolean; topK?: number },
  ): Promise<{ logits: Float32Array; cache: KvCache; token: number[]; logprob: Float32Array; topTokens?: BigInt64Array; topLogprobs?: Float32Array }> {
    const kind = `${fetch.logits}:${fetch.topK !== undefined}`;
    let fetches = this.fetchLists.get(kind);
    if (!fetches) {
      fetches = [...(fetch.logits ? ["logits"] : []), ...(fetch.topK !== undefined ? ["topk_tokens", "topk_logprobs"] : ["token", "token_logprob"]), ...this.layerNames("present_k"), ...this.layerNames("present_v")];
      this.fetchLists.set(kind, fetches);
    }
    const out = await runSession(this.decoder, "decoder graph", this.feeds(tokens, offset, cache, cross, bias, fetch.topK ?? 1), fetches);
    return {
      logits: fetch.logits ? (out.logits.data as Float32Array) : new Float32Array(0),
      cache: { k: this.layerNames("present_k").map((n) => out[n]), v: this.layerNames("present_v").map((n) => out[n]) },
      token: out.token ? Array.from(out.token.data as BigInt64Array, Number) : [],
      logprob: out.token_logprob ? (out.token_logprob.data as Float32Array) : new Float32Array(0),
      topTokens: out.topk_tokens?.data as BigInt64Array | undefined,
      topLogprobs: out.topk_logprobs?.data as Float32Array | undefined,
    };
  }

  /**
   * One pass over a whole token sequence (batch 1, empty cache): the logits [T, V] and each
   * decoder layer's scaled cross-attention scores [H, 1500, T], for DTW word timestamps.
   */
  async crossScores(tokens: readonly number[], cross: CrossCache): Promise<{ logits: Float32Array; scores: Float32Array[] }> {
    const layers = this.layerNames("cross_qk");
    const out = await runSession(this.decoder, "decoder graph", this.feeds([tokens], 0, this.emptyCache(1), cross), ["logits", ...layers]);
    return { logits: out.logits.data as Float32Array, scores: layers.map((n) => out[n].data as Float32Array) };
  }

  /** The given batch rows of a cache tensor, in that order (rows may repeat). */
  static selectRows(t: ort.Tensor, rows: readonly number[]): ort.Tensor {
    const per = t.dims.slice(1).reduce((a, b) => a * b, 1);
    const src = t.data as Float32Array;
    const out = new Float32Array(rows.length * per);
    rows.forEach((r, i) => out.set(src.subarray(r * per, (r + 1) * per), i * per));
    return new ort.Tensor("float32", out, [rows.length, ...t.dims.slice(1)]);
  }

  async release(): Promise<void> {
    await Promise.all([this.mel.release(), this.encoder.release(), this.decoder.release()]);
  }
}

/** Batch-1 float32 tensors stacked along the first axis into one [B, ...] tensor. */
function stackRows(rows: ort.Tensor[]): ort.Tensor {
  if (rows.length === 1) return rows[0];
  const size = rows[0].data.length;
  const data = new Float32Array(size * rows.length);
  rows.forEach((r, i) => data.set(r.data as Float32Array, i * size));
  return new ort.Tensor("float32", data, [rows.length, ...rows[0].dims.slice(1)]);
}
