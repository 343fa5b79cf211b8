/**
 * `Wav2Vec2ForCTC` on MLX, from `pnpm convert wav2vec2` output: the conv feature extractor
 * (group norm on the first layer for "base", layer norm on every layer for "large/xlsr"),
 * feature projection, the grouped positional conv (weight norm folded at conversion; the extra
 * frame of an even kernel dropped), the post-LN or stable (pre-LN) encoder, the CTC head and
 * log-softmax emissions. The raw waveform goes in un-normalised, as WhisperX feeds it.
 */
import type * as mlxTypes from "../mlx-binding.js";
import { layerNormWaveform, type Wav2Vec2Config } from "@whisperx-mlx/core";
import { toMlx } from "../npy.js";
import { collectGarbage, loadMlx, type MlxCore } from "../runtime.js";
import { loadWeights, readModelConfig } from "../weights.js";

type MxArray = mlxTypes.core.array;

/** `config.json` written by the converter. */
export type Wav2Vec2ModelConfig = Wav2Vec2Config;

/** Queries per attention block: bounds attention memory to T × block instead of T². */
const ATTENTION_BLOCK = 1024;

/** wav2vec2 CTC on MLX. */
export class Wav2Vec2Mlx {
  /**
   * Element-wise graphs compiled shapeless: one fused kernel for any length (3× faster GELU on
   * the long feature-extractor outputs; compiling whole layers would retrace per segment length).
   */
  private readonly fused: {
    gelu: (x: MxArray) => MxArray;
    normalize: (centered: MxArray, variance: MxArray, w: MxArray, b: MxArray) => MxArray;
  };
  private readonly forwardCompiled: (x: MxArray) => MxArray;
  private readonly compiled: boolean;

  private constructor(
    private readonly mx: MlxCore,
    readonly config: Wav2Vec2ModelConfig,
    private readonly w: Map<string, MxArray>,
    compile: boolean,
  ) {
    const gelu = (x: MxArray) => mx.multiply(mx.multiply(x, 0.5), mx.add(mx.erf(mx.multiply(x, Math.SQRT1_2)), 1));
    const normalize = (centered: MxArray, variance: MxArray, wt: MxArray, b: MxArray) => mx.add(mx.multiply(centered, mx.multiply(mx.rsqrt(mx.add(variance, 1e-5)), wt)), b);
    this.fused = { gelu: mx.compile(gelu, true), normalize: mx.compile(normalize, true) };
    const forward = (x: MxArray) => this.forward(x);
    this.compiled = compile;
    this.forwardCompiled = compile ? mx.compile(forward) : forward;
  }

  /** Loads a converted model directory (dequantizing quantized linears). */
  static load(dir: string, options: { compile?: boolean } = {}): Wav2Vec2Mlx {
    const mx = loadMlx();
    const config = readModelConfig<Wav2Vec2ModelConfig>(dir, "wav2vec2");
    const { weights: w } = loadWeights(mx, dir, config.quantization);
    // Off by default: every segment has its own length, and a compiled graph is retraced per shape.
    return new Wav2Vec2Mlx(mx, config, w, options.compile ?? false);
  }

  private p(name: string): MxArray {
    const t = this.w.get(name);
    if (!t) throw new Error(`wav2vec2 weights lack '${name}'`);
    return t;
  }

  private linear(x: MxArray, prefix: string): MxArray {
    return this.mx.add(this.mx.matmul(x, this.p(`${prefix}.weight`).T), this.p(`${prefix}.bias`));
  }

  private layerNorm(x: MxArray, prefix: string): MxArray {
    return this.mx.fast.layerNorm(x, this.p(`${prefix}.weight`), this.p(`${prefix}.bias`), this.config.layer_norm_eps);
  }

  private gelu(x: MxArray): MxArray {
    return this.fused.gelu(x);
  }

  /** Number of output frames for `n` input samples (each conv: floor((n − k)/s) + 1). */
  frameCount(n: number): number {
    let t = n;
    this.config.conv_kernel.forEach((k, i) => (t = Math.floor((t - k) / this.config.conv_stride[i]) + 1));
    return t;
  }

  private featureExtractor(x: MxArray): MxArray {
    let h = x;
    for (let i = 0; i < this.config.conv_kernel.length; i++) h = this.featureLayer(h, i);
    return h;
  }

  /** One conv layer of the feature extractor (with its norm and GELU). */
  private featureLayer(x: MxArray, i: number): MxArray {
    const mx = this.mx;
    const c = this.config;
    let h = x;
    {
      const pre = `feature_extractor.conv_layers.${i}`;
      h = mx.conv1d(h, this.p(`${pre}.conv.weight`), c.conv_stride[i], 0, 1, 1);
      if (c.conv_bias) h = mx.add(h, this.p(`${pre}.conv.bias`));
      if (c.feat_extract_norm === "layer") {
        h = this.layerNorm(h, `${pre}.layer_norm`);
      } else if (i === 0) {
        // GroupNorm with one group per channel: each channel normalised over time. The two
        // reductions along time are matmuls with a ones vector (a strided reduce is slow here).
        const t = h.shape[1];
        const ones = mx.full([1, 1, t], 1 / t, mx.float32);
        const mean = mx.matmul(ones, h);
        const centered = mx.subtract(h, mean);
        const variance = mx.matmul(ones, mx.square(centered));
        h = this.fused.normalize(centered, variance, this.p(`${pre}.layer_norm.weight`), this.p(`${pre}.layer_norm.bias`));
      }
      h = this.gelu(h);
    }
    return h;
  }

  private attention(h: MxArray, prefix: string): MxArray {
    const mx = this.mx;
    const [b, t, d] = h.shape;
    const nh = this.config.num_attention_heads;
    const hd = d / nh;
    const split = (x: MxArray) => x.reshape(b, t, nh, hd).transpose(0, 2, 1, 3);
    const q = mx.multiply(split(this.linear(h, `${prefix}.q_proj`)), hd ** -0.5);
    const kT = split(this.linear(h, `${prefix}.k_proj`)).transpose(0, 1, 3, 2);
    const v = split(this.linear(h, `${prefix}.v_proj`));
    const blocks: MxArray[] = [];
    for (let s = 0; s < t; s += ATTENTION_BLOCK) {
      const qb = q.index(mx.Slice(), mx.Slice(), mx.Slice(s, Math.min(t, s + ATTENTION_BLOCK)));
      blocks.push(mx.matmul(mx.softmax(mx.matmul(qb, kT), -1, true), v));
    }
    const out = (blocks.length === 1 ? blocks[0] : mx.concatenate(blocks, 2)).transpose(0, 2, 1, 3).reshape(b, t, d);
    return this.linear(out, `${prefix}.out_proj`);
  }

  private feedForward(h: MxArray, prefix: string): MxArray {
    return this.linear(this.gelu(this.linear(h, `${prefix}.feed_forward.intermediate_dense`)), `${prefix}.feed_forward.output_dense`);
  }

  /** Log-softmax emissions [T, vocab] for a mono 16 kHz waveform (at least 400 samples). */
  async emissions(waveform: Float32Array): Promise<{ data: Float32Array; frames: number; vocab: number }> {
    const mx = this.mx;
    if (waveform.length < 400) throw new Error(`wav2vec2 needs at least 400 samples, got ${waveform.length}`);
    const audio = this.config.normalize_waveform ? layerNormWaveform(waveform) : waveform;
    let logp: MxArray;
    if (this.compiled) {
      logp = this.forwardCompiled(toMlx(mx, audio, [1, audio.length, 1]));
    } else {
      // In stages, collecting between them: each stage's long intermediates (a 30 s window's
      // first conv output is 96,000 × C floats) are freed before the next stage allocates.
      let h = toMlx(mx, audio, [1, audio.length, 1]);
      for (let i = 0; i < this.config.conv_kernel.length; i++) {
        h = this.featureLayer(h, i);
        mx.eval(h);
        if (i < 3) await collectGarbage();
      }
      h = this.encoder(h);
      mx.eval(h);
      logp = this.head(h);
    }
    mx.eval(logp);
    const frames = logp.shape[0];
    const data = Float32Array.from((logp.tolist() as number[][]).flat());
    await collectGarbage();
    return { data, frames, vocab: this.config.vocab_size };
  }

  private forward(x: MxArray): MxArray {
    return this.head(this.encoder(this.featureExtractor(x)));
  }

  private head(h: MxArray): MxArray {
    const logits = this.linear(h, "lm_head");
    return this.mx.subtract(logits, this.mx.logsumexp(logits, -1, true)).reshape(-1, this.config.vocab_size);
  }

  /** Feature projection, positional conv and the transformer layers. */
  private encoder(features: MxArray): MxArray {
    const mx = this.mx;
    const c = this.config;
    let h = features;
    h = this.linear(this.layerNorm(h, "feature_projection.layer_norm"), "feature_projection.projection");
    const k = c.num_conv_pos_embeddings;
    let pos = mx.add(mx.conv1d(h, this.p("encoder.pos_conv_embed.conv.weight"), 1, Math.floor(k / 2), 1, c.num_conv_pos_embedding_groups), this.p("encoder.pos_conv_embed.conv.bias"));
    if (k % 2 === 0) pos = pos.index(mx.Slice(), mx.Slice(0, pos.shape[1] - 1));
    h = mx.add(h, this.gelu(pos));
    if (!c.do_stable_layer_norm) h = this.layerNorm(h, "encoder.layer_norm");
    for (let i = 0; i < c.num_hidden_layers; i++) {
      const pre = `encoder.layers.${i}`;
      if (c.do_stable_layer_norm) {
        h = mx.add(h, this.attention(this.layerNorm(h, `${pre}.layer_norm`), `${pre}.attention`));
        h = mx.add(h, this.feedForward(this.layerNorm(h, `${pre}.final_layer_norm`), pre));
      } else {
        h = this.layerNorm(mx.add(h, this.attention(h, `${pre}.attention`)), `${pre}.layer_norm`);
        h = this.layerNorm(mx.add(h, this.feedForward(h, pre)), `${pre}.final_layer_norm`);
      }
    }
    if (c.do_stable_layer_norm) h = this.layerNorm(h, "encoder.layer_norm");
    return h;
  }
}
