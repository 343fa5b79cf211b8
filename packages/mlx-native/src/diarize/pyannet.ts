/**
 * PyanNet (pyannote segmentation-3.0 architecture) on MLX: SincNet (precomputed Sinc filters,
 * instance norms, max-pools), the 4-layer bidirectional LSTM (input projections batched over
 * time, both directions' recurrences in one compiled step), linear layers and log-softmax.
 * Weights come from `pnpm convert pyannote` in PyTorch layout and are transposed at load.
 */
import type { SegmentationModel, SegmentationModelConfig } from "@whisperx-mlx/core";
import type * as mlxTypes from "../mlx-binding.js";
import { toMlx } from "../npy.js";
import { collectGarbage, loadMlx, type MlxCore } from "../runtime.js";
import { loadWeights, readModelConfig } from "../weights.js";

type MxArray = mlxTypes.core.array;

export class PyannetMlx implements SegmentationModel {
  private readonly step: (gf: MxArray, gb: MxArray, hf: MxArray, cf: MxArray, hb: MxArray, cb: MxArray) => MxArray[];

  private constructor(
    private readonly mx: MlxCore,
    readonly config: SegmentationModelConfig,
    private readonly w: Map<string, MxArray>,
  ) {
    const H = config.lstm.hidden_size;
    const cell = (g: MxArray, c: MxArray): MxArray[] => {
      // PyTorch gate order: input, forget, cell, output.
      const i = mx.sigmoid(g.index("...", mx.Slice(0, H)));
      const f = mx.sigmoid(g.index("...", mx.Slice(H, 2 * H)));
      const gg = mx.tanh(g.index("...", mx.Slice(2 * H, 3 * H)));
      const o = mx.sigmoid(g.index("...", mx.Slice(3 * H, 4 * H)));
      const c2 = mx.add(mx.multiply(f, c), mx.multiply(i, gg));
      return [mx.multiply(o, mx.tanh(c2)), c2];
    };
    // One compiled step for both directions: the recurrence is 589 sequential steps per layer.
    this.step = mx.compile((gf: MxArray, gb: MxArray, hf: MxArray, cf: MxArray, hb: MxArray, cb: MxArray) => {
      void hf;
      void hb;
      return [...cell(gf, cf), ...cell(gb, cb)];
    });
  }

  static load(dir: string): PyannetMlx {
    const mx = loadMlx();
    const config = readModelConfig<SegmentationModelConfig>(dir, "pyannet");
    const { weights } = loadWeights(mx, dir);
    // Conv1d weights: PyTorch (out, in, k) → MLX (out, k, in).
    for (const [name, t] of weights) if (t.ndim === 3 && name.startsWith("sincnet.conv1d.")) weights.set(name, t.transpose(0, 2, 1));
    return new PyannetMlx(mx, config, weights);
  }

  private p(name: string): MxArray {
    const t = this.w.get(name);
    if (!t) throw new Error(`PyanNet weights lack '${name}'`);
    return t;
  }

  /** InstanceNorm1d (affine, eps 1e-5) over time of [B, T, C]. */
  private instanceNorm(x: MxArray, prefix: string): MxArray {
    const mx = this.mx;
    const mean = mx.mean(x, 1, true);
    const centred = mx.subtract(x, mean);
    const variance = mx.mean(mx.square(centred), 1, true);
    return mx.add(mx.multiply(mx.multiply(centred, mx.rsqrt(mx.add(variance, 1e-5))), this.p(`${prefix}.weight`)), this.p(`${prefix}.bias`));
  }

  /** MaxPool1d(3, 3) over time of [B, T, C]. */
  private maxPool(x: MxArray): MxArray {
    const [b, t, c] = x.shape;
    const n = Math.floor(t / 3);
    return this.mx.max(x.index(this.mx.Slice(), this.mx.Slice(0, 3 * n)).reshape(b, n, 3, c), 2);
  }

  private leaky(x: MxArray): MxArray {
    return this.mx.maximum(x, this.mx.multiply(x, 0.01));
  }

  private linear(x: MxArray, prefix: string): MxArray {
    return this.mx.add(this.mx.matmul(x, this.p(`${prefix}.weight`).T), this.p(`${prefix}.bias`));
  }

  private lstmLayer(x: MxArray, layer: number): MxArray {
    const mx = this.mx;
    const [b, t] = x.shape;
    const H = this.config.lstm.hidden_size;
    const project = (suffix: string) => mx.add(mx.matmul(x, this.p(`lstm.weight_ih_l${layer}${suffix}`).T), mx.add(this.p(`lstm.bias_ih_l${layer}${suffix}`), this.p(`lstm.bias_hh_l${layer}${suffix}`)));
    const gxF = project("");
    const gxB = project("_reverse");
    mx.eval(gxF, gxB);
    const whF = this.p(`lstm.weight_hh_l${layer}`).T;
    const whB = this.p(`lstm.weight_hh_l${layer}_reverse`).T;
    let hf = mx.zeros([b, H], mx.float32);
    let cf = mx.zeros([b, H], mx.float32);
    let hb = mx.zeros([b, H], mx.float32);
    let cb = mx.zeros([b, H], mx.float32);
    const forward: MxArray[] = [];
    const backward: MxArray[] = new Array<MxArray>(t);
    for (let i = 0; i < t; i++) {
      const j = t - 1 - i;
      const gf = mx.add(gxF.index(mx.Slice(), i), mx.matmul(hf, whF));
      const gb = mx.add(gxB.index(mx.Slice(), j), mx.matmul(hb, whB));
      [hf, cf, hb, cb] = this.step(gf, gb, hf, cf, hb, cb);
      forward.push(hf);
      backward[j] = hb;
      if ((i + 1) % 64 === 0) mx.eval(hf, cf, hb, cb);
    }
    return mx.concatenate([mx.stack(forward, 1), mx.stack(backward, 1)], 2);
  }

  async logProbabilities(windows: Float32Array, count: number): Promise<Float32Array> {
    const mx = this.mx;
    const samples = windows.length / count;
    let h = toMlx(mx, windows, [count, samples, 1]);
    h = this.instanceNorm(h, "sincnet.wav_norm1d");
    h = mx.conv1d(h, this.p("sincnet.conv1d.0.weight"), 10, 0, 1, 1);
    h = this.leaky(this.instanceNorm(this.maxPool(mx.abs(h)), "sincnet.norm1d.0"));
    for (const i of [1, 2]) {
      h = mx.add(mx.conv1d(h, this.p(`sincnet.conv1d.${i}.weight`), 1, 0, 1, 1), this.p(`sincnet.conv1d.${i}.bias`));
      h = this.leaky(this.instanceNorm(this.maxPool(h), `sincnet.norm1d.${i}`));
    }
    mx.eval(h);
    // MLX buffers go back only when V8 collects their wrappers: collect between stages.
    await collectGarbage();
    for (let l = 0; l < this.config.lstm.num_layers; l++) {
      h = this.lstmLayer(h, l);
      mx.eval(h);
      await collectGarbage();
    }
    for (let i = 0; i < this.config.linear.num_layers; i++) h = this.leaky(this.linear(h, `linear.${i}`));
    const logits = this.linear(h, "classifier");
    const out = mx.subtract(logits, mx.logsumexp(logits, -1, true));
    mx.eval(out);
    const result = Float32Array.from(out.reshape([-1]).tolist() as number[]);
    await collectGarbage();
    return result;
  }

  async release(): Promise<void> {
    this.w.clear();
  }
}
