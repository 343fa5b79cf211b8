/**
 * WeSpeaker ResNet34 on MLX (BatchNorm folded at conversion): the trunk once per window, then
 * pyannote's weighted statistics pooling per local speaker and `seg_1`. MLX's CPU `conv2d` took
 * 18 s per 10 s window here, so convolutions are BLAS products (see `conv`): 2.2 s per window.
 */
import { resnetOutputFrames, type SpeakerEmbeddingModel, type SpeakerEmbeddingModelConfig } from "@whisperx-mlx/core";
import type * as mlxTypes from "../mlx-binding.js";
import { toMlx } from "../npy.js";
import { collectGarbage, loadMlx, type MlxCore } from "../runtime.js";
import { loadWeights, readModelConfig } from "../weights.js";

type MxArray = mlxTypes.core.array;

export class WeSpeakerMlx implements SpeakerEmbeddingModel {
  private constructor(
    private readonly mx: MlxCore,
    readonly config: SpeakerEmbeddingModelConfig,
    private readonly w: Map<string, MxArray>,
  ) {}

  static load(dir: string): WeSpeakerMlx {
    const mx = loadMlx();
    const config = readModelConfig<SpeakerEmbeddingModelConfig>(dir, "wespeaker-resnet34");
    const { weights } = loadWeights(mx, dir);
    // Conv2d weights: PyTorch (out, in, kh, kw) → (kh·kw·in, out), rows in the order im2col stacks the taps.
    for (const [name, t] of [...weights]) {
      if (t.ndim !== 4) continue;
      const [out, inC, kh, kw] = t.shape;
      weights.set(`${name}.im2col`, t.transpose(2, 3, 1, 0).reshape(kh * kw * inC, out));
      weights.delete(name);
    }
    const model = new WeSpeakerMlx(mx, config, weights);
    mx.eval(...weights.values());
    return model;
  }

  private p(name: string): MxArray {
    const t = this.w.get(name);
    if (!t) throw new Error(`WeSpeaker weights lack '${name}'`);
    return t;
  }

  outputFrames(fbankFrames: number): number {
    return resnetOutputFrames(fbankFrames);
  }

  /**
   * A k×k convolution (padding (k−1)/2) of NHWC `x` as im2col (the k² shifted views side by side)
   * and one product. Nine products of inner size `in` summed (no im2col copy) measured 3.6 s per
   * window, and the same over contiguous row ranges of the flattened padded image 3.8 s.
   */
  private conv(x: MxArray, name: string, stride: number, k: number): MxArray {
    const mx = this.mx;
    const pad = (k - 1) / 2;
    const [, h, w] = x.shape;
    const bias = this.p(`${name}.bias`);
    if (k === 1) {
      const view = stride > 1 ? x.index(mx.Slice(), mx.Slice(0, null, stride), mx.Slice(0, null, stride)) : x;
      return mx.add(mx.matmul(view, this.p(`${name}.weight.im2col`)), bias);
    }
    const padded = mx.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]);
    const hOut = Math.floor((h + 2 * pad - k) / stride) + 1;
    const wOut = Math.floor((w + 2 * pad - k) / stride) + 1;
    const views: MxArray[] = [];
    for (let dy = 0; dy < k; dy++) {
      for (let dx = 0; dx < k; dx++) views.push(padded.index(mx.Slice(), mx.Slice(dy, dy + stride * (hOut - 1) + 1, stride), mx.Slice(dx, dx + stride * (wOut - 1) + 1, stride)));
    }
    return mx.add(mx.matmul(mx.concatenate(views, 3), this.p(`${name}.weight.im2col`)), bias);
  }

  async embed(fbank: Float32Array, count: number, fbankFrames: number, weights: Float32Array, speakers: number): Promise<Float32Array> {
    // Two windows at a time: im2col of the first stage is 90 MB a window, and the speed is the same.
    const out = new Float32Array(count * speakers * this.config.embedding_dimension);
    const mel = this.config.num_mel_bins;
    const t = this.outputFrames(fbankFrames);
    for (let i = 0; i < count; i += 2) {
      const n = Math.min(2, count - i);
      const part = await this.embedWindows(fbank.subarray(i * fbankFrames * mel, (i + n) * fbankFrames * mel), n, fbankFrames, weights.subarray(i * speakers * t, (i + n) * speakers * t), speakers);
      out.set(part, i * speakers * this.config.embedding_dimension);
    }
    return out;
  }

  private async embedWindows(fbank: Float32Array, count: number, fbankFrames: number, weights: Float32Array, speakers: number): Promise<Float32Array> {
    const mx = this.mx;
    const mel = this.config.num_mel_bins;
    // (B, T, F) → NHWC (B, F, T, 1): PyTorch's (B, 1, F, T).
    let h = toMlx(mx, fbank, [count, fbankFrames, mel]).transpose(0, 2, 1).reshape(count, mel, fbankFrames, 1);
    h = mx.maximum(this.conv(h, "conv1", 1, 3), 0);
    for (const [l, blocks] of this.config.num_blocks.entries()) {
      for (let b = 0; b < blocks; b++) {
        const pre = `layer${l + 1}.${b}`;
        const stride = b === 0 && l > 0 ? 2 : 1;
        const out = this.conv(mx.maximum(this.conv(h, `${pre}.conv1`, stride, 3), 0), `${pre}.conv2`, 1, 3);
        const shortcut = this.w.has(`${pre}.shortcut.weight.im2col`) ? this.conv(h, `${pre}.shortcut`, stride, 1) : h;
        h = mx.maximum(mx.add(out, shortcut), 0);
        mx.eval(h);
        // The im2col buffers (up to 90 MB a window) are freed only when V8 collects their wrappers.
        await collectGarbage();
      }
    }
    // (B, F', T', C) → (B, T', C·F'): feature index c·F' + f, as pyannote's rearrange.
    const [, f, t, c] = h.shape;
    const x = h.transpose(0, 2, 3, 1).reshape(count, t, c * f);
    const wts = toMlx(mx, weights, [count, speakers, t]);
    const v1 = mx.add(mx.sum(wts, -1, true), 1e-8); // (B, S, 1)
    const mean = mx.divide(mx.matmul(wts, x), v1); // (B, S, D)
    const diff = mx.subtract(mx.expandDims(x, 1), mx.expandDims(mean, 2)); // (B, S, T', D)
    const weighted = mx.sum(mx.multiply(mx.square(diff), mx.expandDims(wts, 3)), 2); // (B, S, D)
    const v2 = mx.sum(mx.square(wts), -1, true);
    const std = mx.sqrt(mx.divide(weighted, mx.add(mx.subtract(v1, mx.divide(v2, v1)), 1e-8)));
    const stats = mx.concatenate([mean, std], 2);
    const embedding = mx.add(mx.matmul(stats, this.p("seg_1.weight").T), this.p("seg_1.bias"));
    mx.eval(embedding);
    const out = Float32Array.from(embedding.reshape([-1]).tolist() as number[]);
    await collectGarbage();
    return out;
  }

  async release(): Promise<void> {
    this.w.clear();
  }
}
