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

  /**
   * Log-mel of a batch of equal-length signals: [B, n_mels, frames] (row-major Float32Array).
   * One signal at a time, each written into the batch's buffer (a pre-allocated output): the STFT
   * of 8 windows at once held ~100 MB of intermediates for no speed gain.
   */
  async logMel(audio: Float32Array[]): Promise<{ data: Float32Array; frames: number }> {
    const signal = (a: Float32Array) => ({ audio: new ort.Tensor("float32", a, [1, a.length]) });
    const first = (await runSession(this.mel, "log-mel graph", signal(audio[0]))).log_mel;
    const size = first.data.length;
    const data = new Float32Array(audio.length * size);
    data.set(first.data as Float32Array);
    for (let b = 1; b < audio.length; b++) {
      await runSession(this.mel, "log-mel graph", signal(audio[b]), { log_mel: new ort.Tensor("float32", data.subarray(b * size, (b + 1) * size), first.dims) });
    }
    return { data, frames: first.dims[2] };
  }

  /**
   * Encodes log-mel windows [B, n_mels, 3000] into cross-attention caches (and features). The
   * windows go through the encoder one at a time: measured on 2 x86 cores, 8 windows one by one
   * take 0.85× the time of one batch of 8 (demo and tiny dims), and the activations held at once
   * (attention scores [B, H, 1500, 1500]) shrink B-fold.
   */
  async encode(mel: Float32Array, batch: number): Promise<CrossCache & { features?: ort.Tensor }> {
    const per = this.dims.n_mels * 3000;
    const window = (b: number) => ({ mel: new ort.Tensor("float32", mel.subarray(b * per, (b + 1) * per), [1, this.dims.n_mels, 3000]) });
    const first = await runSession(this.encoder, "encoder graph", window(0));
    const names = Object.keys(first);
    let stacked = first;
    if (batch > 1) {
      // The other windows write their caches straight into the batch's buffers (pre-allocated
      // outputs), so no window's outputs are left for the GC: at batch 8 the batch's 98 MB and
      // nothing else, where copying left up to another 98 MB of garbage.
      const rows = (n: string) => first[n].data.length;
      stacked = Object.fromEntries(names.map((n) => [n, new ort.Tensor("float32", new Float32Array(batch * rows(n)), [batch, ...first[n].dims.slice(1)])]));
      for (const n of names) (stacked[n].data as Float32Array).set(first[n].data as Float32Array);
      for (let b = 1; b < batch; b++) {
        const into = Object.fromEntries(names.map((n) => [n, new ort.Tensor("float32", (stacked[n].data as Float32Array).subarray(b * rows(n), (b + 1) * rows(n)), first[n].dims)]));
        await runSession(this.encoder, "encoder graph", window(b), into);
      }
    }
    return { k: this.layerNames("cross_k").map((n) => stacked[n]), v: this.layerNames("cross_v").map((n) => stacked[n]), batch, features: stacked.features };
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

