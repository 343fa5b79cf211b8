/**
 * Silero VAD v5/v6 on MLX, from weights converted by `pnpm convert silero-vad`.
 *
 * Every window's input (64 context samples ‖ 512 new ones) is known up front, so the STFT conv,
 * the magnitude and the four encoder convs run batched over all windows of a file; the input
 * projection of the LSTM cell is one matmul; only the recurrence h, c ← cell(x_i, h, c) is
 * sequential. The output head (ReLU → 1×1 conv → sigmoid) runs batched at the end.
 */
import type { AudioSamples } from "@whisperx-mlx/core";
import type * as mlxTypes from "../mlx-binding.js";
import { toMlx } from "../npy.js";
import { loadMlx, type MlxCore } from "../runtime.js";
import { loadWeights, readModelConfig } from "../weights.js";

type MxArray = mlxTypes.core.array;

/** `config.json` written by the converter. */
interface SileroConfig {
  model_type: string;
  sample_rate: 8000 | 16000;
  window_size_samples: number;
  context_size_samples: number;
  hidden_size: number;
  stft_hop: number;
}

/** Silero VAD on MLX. */
export class SileroVadMlx {
  private readonly w: Map<string, MxArray>;
  private readonly step: (gx: MxArray, h: MxArray, c: MxArray) => MxArray[];

  private constructor(
    private readonly mx: MlxCore,
    readonly config: SileroConfig,
    weights: Map<string, MxArray>,
  ) {
    this.w = weights;
    const whhT = this.p("lstm.weight_hh").T;
    const H = config.hidden_size;
    // One LSTM step (PyTorch gate order i, f, g, o); compiled so its element-wise ops fuse.
    const step = (gx: MxArray, h: MxArray, c: MxArray): MxArray[] => {
      const g = mx.add(gx, mx.matmul(h, whhT));
      const i = mx.sigmoid(g.index("...", mx.Slice(0, H)));
      const f = mx.sigmoid(g.index("...", mx.Slice(H, 2 * H)));
      const gg = mx.tanh(g.index("...", mx.Slice(2 * H, 3 * H)));
      const o = mx.sigmoid(g.index("...", mx.Slice(3 * H, 4 * H)));
      const c2 = mx.add(mx.multiply(f, c), mx.multiply(i, gg));
      return [mx.multiply(o, mx.tanh(c2)), c2];
    };
    this.step = mx.compile(step);
  }

  /** Loads a converted model directory. */
  static load(dir: string): SileroVadMlx {
    const mx = loadMlx();
    const config = readModelConfig<SileroConfig>(dir, "silero-vad");
    const { weights } = loadWeights(mx, dir);
    return new SileroVadMlx(mx, config, weights);
  }

  private p(name: string): MxArray {
    const t = this.w.get(name);
    if (!t) throw new Error(`Silero weights lack '${name}'`);
    return t;
  }

  /** Speech probability of every window (the same windows as silero-vad's `speech_probs`). */
  async speechProbabilities(audio: AudioSamples): Promise<Float32Array> {
    const mx = this.mx;
    const win = this.config.window_size_samples;
    const ctx = this.config.context_size_samples;
    const n = Math.ceil(audio.length / win);
    if (n === 0) return new Float32Array(0);
    // zeros(ctx) ‖ audio ‖ zero padding to n windows
    const padded = new Float32Array(ctx + n * win);
    padded.set(audio.subarray(0, audio.length), ctx);
    const x = toMlx(mx, padded);
    const frames = mx.asStrided(x, [n, ctx + win], [win, 1], 0);
    // reflect-pad 64 (32) samples on the right of each window
    const reflect = Int32Array.from({ length: ctx }, (_, j) => ctx + win - 2 - j);
    const input = mx.concatenate([frames, mx.take(frames, toMlx(mx, reflect), 1)], 1).reshape(n, ctx + win + ctx, 1);
    const hop = this.config.stft_hop;
    const spec = mx.conv1d(input, this.p("stft.weight"), hop, 0, 1, 1);
    const bins = spec.shape[2] / 2;
    const re = spec.index("...", mx.Slice(0, bins));
    const im = spec.index("...", mx.Slice(bins, 2 * bins));
    let h = mx.sqrt(mx.add(mx.square(re), mx.square(im)));
    const strides = [1, 2, 2, 1];
    for (let i = 0; i < 4; i++) {
      h = mx.maximum(mx.add(mx.conv1d(h, this.p(`encoder.${i}.weight`), strides[i], 1, 1, 1), this.p(`encoder.${i}.bias`)), 0);
    }
    // [n, 1, 128] → [n, 128]; the input half of every LSTM step in one matmul
    const feats = h.reshape(n, h.shape[2]);
    const gx = mx.add(mx.matmul(feats, this.p("lstm.weight_ih").T), mx.add(this.p("lstm.bias_ih"), this.p("lstm.bias_hh")));
    mx.eval(gx);
    const H = this.config.hidden_size;
    let hs = mx.zeros([1, H], mx.float32);
    let cs = mx.zeros([1, H], mx.float32);
    const outs: MxArray[] = [];
    for (let i = 0; i < n; i++) {
      [hs, cs] = this.step(gx.index(mx.Slice(i, i + 1)), hs, cs);
      outs.push(hs);
      if ((i + 1) % 256 === 0) mx.eval(hs, cs);
    }
    const all = mx.concatenate(outs, 0); // [n, H]
    const dec = this.p("decoder.weight").reshape(1, H);
    const logits = mx.add(mx.matmul(mx.maximum(all, 0), dec.T), this.p("decoder.bias"));
    const probs = mx.sigmoid(logits).reshape([n]);
    mx.eval(probs);
    return Float32Array.from(probs.tolist() as number[]);
  }
}
