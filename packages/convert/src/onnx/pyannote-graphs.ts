/**
 * ONNX graphs of pyannote's two diarization networks, from our converted weights (PyTorch names
 * and layouts, Sinc filters precomputed, BatchNorm folded):
 * - PyanNet: chunks [B, samples] → SincNet → 4-layer biLSTM (ONNX `LSTM`, gates reordered from
 *   PyTorch's i,f,g,o to ONNX's i,o,f,c) → linear layers → log-softmax [B, frames, 7];
 * - WeSpeaker ResNet34: fbank [B, T, 80] → trunk → weighted statistics pooling per speaker
 *   (weights [B, S, T'], pyannote's `StatsPool`) → `seg_1` → embeddings [B, S, 256].
 */
import type { HostTensor } from "../tensor.js";
import { toFloat32 } from "../tensor.js";
import { GraphBuilder } from "./graph-builder.js";
import { lstmGatesToOnnx } from "./layers.js";

type Tensors = ReadonlyMap<string, HostTensor>;

function weight(w: Tensors, name: string): HostTensor {
  const t = w.get(name);
  if (!t) throw new Error(`weights lack '${name}'`);
  return t;
}

function f32(data: Float32Array, shape: number[]): HostTensor {
  return { dtype: "float32", shape, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** PyTorch LSTM weights of one layer (both directions) in ONNX's layout: W [2, 4H, in], R [2, 4H, H], B [2, 8H]. */
function lstmWeights(w: Tensors, layer: number, hidden: number): { W: HostTensor; R: HostTensor; B: HostTensor } {
  const reorder = (m: Float32Array, cols: number) => lstmGatesToOnnx(m, hidden, cols);
  const dirs = ["", "_reverse"].map((suffix) => {
    const ih = weight(w, `lstm.weight_ih_l${layer}${suffix}`);
    const inputSize = ih.shape[1];
    const bias = (name: string) => reorder(toFloat32(weight(w, `lstm.${name}_l${layer}${suffix}`)), 1);
    return { W: reorder(toFloat32(ih), inputSize), R: reorder(toFloat32(weight(w, `lstm.weight_hh_l${layer}${suffix}`)), hidden), Wb: bias("bias_ih"), Rb: bias("bias_hh"), inputSize };
  });
  const inputSize = dirs[0].inputSize;
  const W = new Float32Array(2 * 4 * hidden * inputSize);
  const R = new Float32Array(2 * 4 * hidden * hidden);
  const B = new Float32Array(2 * 8 * hidden);
  dirs.forEach((d, i) => {
    W.set(d.W, i * 4 * hidden * inputSize);
    R.set(d.R, i * 4 * hidden * hidden);
    B.set(d.Wb, i * 8 * hidden);
    B.set(d.Rb, i * 8 * hidden + 4 * hidden);
  });
  return { W: f32(W, [2, 4 * hidden, inputSize]), R: f32(R, [2, 4 * hidden, hidden]), B: f32(B, [2, 8 * hidden]) };
}

/**
 * The graphs' inputs and outputs: ours, or sherpa-onnx's conventions (segmentation `x` [N, 1, T] →
 * `y`; embedding: fbank [N, T, 80] → [N, 256] pooled over every frame), with the metadata its
 * loaders read, so its diarization runs our converted models.
 */
export type PyannoteGraphFlavour = "ours" | "sherpa-onnx";

/** PyanNet (segmentation-3.0 architecture) as one graph. */
export function pyannetGraph(config: { lstm: { hidden_size: number; num_layers: number }; linear: { num_layers: number }; num_classes: number; num_frames: number }, w: Tensors, flavour: PyannoteGraphFlavour = "ours"): GraphBuilder {
  const g = new GraphBuilder("pyannet");
  const sherpa = flavour === "sherpa-onnx";
  const chunks = sherpa ? g.input("x", { type: "float32", shape: ["N", 1, "T"] }) : g.input("chunks", { type: "float32", shape: ["batch", "samples"] });
  const init = (name: string) => g.initializer(name, weight(w, name));
  const instanceNorm = (x: string, prefix: string) => g.op("InstanceNormalization", [x, init(`${prefix}.weight`), init(`${prefix}.bias`)], { epsilon: { float: 1e-5 } });
  const leaky = (x: string) => g.op("LeakyRelu", [x], { alpha: { float: 0.01 } });
  const pool = (x: string) => g.op("MaxPool", [x], { kernel_shape: [3], strides: [3] });
  let h = instanceNorm(sherpa ? chunks : g.op("Unsqueeze", [chunks, g.constInt([1])]), "sincnet.wav_norm1d");
  h = g.op("Conv", [h, init("sincnet.conv1d.0.weight")], { kernel_shape: [251], strides: [10] });
  h = leaky(instanceNorm(pool(g.op("Abs", [h])), "sincnet.norm1d.0"));
  for (const i of [1, 2]) {
    h = g.op("Conv", [h, init(`sincnet.conv1d.${i}.weight`), init(`sincnet.conv1d.${i}.bias`)], { kernel_shape: [5] });
    h = leaky(instanceNorm(pool(h), `sincnet.norm1d.${i}`));
  }
  // [B, 60, T] → [T, B, 60]
  h = g.op("Transpose", [h], { perm: [2, 0, 1] });
  const hidden = config.lstm.hidden_size;
  for (let l = 0; l < config.lstm.num_layers; l++) {
    const { W, R, B } = lstmWeights(w, l, hidden);
    const y = g.node("LSTM", [h, g.initializer(`lstm.W${l}`, W), g.initializer(`lstm.R${l}`, R), g.initializer(`lstm.B${l}`, B)], { attrs: { hidden_size: hidden, direction: "bidirectional" }, nOutputs: 1 })[0];
    // Y [T, 2, B, H] → [T, B, 2, H] → [T, B, 2H]
    h = g.op("Reshape", [g.op("Transpose", [y], { perm: [0, 2, 1, 3] }), g.constInt([0, 0, 2 * hidden])]);
  }
  h = g.op("Transpose", [h], { perm: [1, 0, 2] }); // [B, T, 2H]
  for (let i = 0; i < config.linear.num_layers; i++) {
    const wt = toFloat32(weight(w, `linear.${i}.weight`));
    const [n, k] = weight(w, `linear.${i}.weight`).shape;
    const transposed = new Float32Array(k * n);
    for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) transposed[c * n + r] = wt[r * k + c];
    h = leaky(g.op("Add", [g.op("MatMul", [h, g.initializer(`linear.${i}.weight.T`, f32(transposed, [k, n]))]), init(`linear.${i}.bias`)]));
  }
  const cw = weight(w, "classifier.weight");
  const cwt = toFloat32(cw);
  const [n, k] = cw.shape;
  const ct = new Float32Array(k * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) ct[c * n + r] = cwt[r * k + c];
  const logits = g.op("Add", [g.op("MatMul", [h, g.initializer("classifier.weight.T", f32(ct, [k, n]))]), init("classifier.bias")]);
  g.output(g.op("LogSoftmax", [logits], { axis: -1 }), sherpa ? "y" : "log_probs", { type: "float32", shape: [sherpa ? "N" : "batch", sherpa ? "frames" : config.num_frames, config.num_classes] });
  Object.assign(g.metadata, { "whisperx-mlx:graph": "pyannet" });
  if (sherpa) {
    Object.assign(g.metadata, { model_type: "pyannote-segmentation-3.0", num_speakers: "3", powerset_max_classes: "2", num_classes: String(config.num_classes), sample_rate: "16000", window_size: "160000", receptive_field_size: "991", receptive_field_shift: "270" });
  }
  return g;
}

/** WeSpeaker ResNet34 with per-speaker weighted statistics pooling (or, for sherpa-onnx, pooling over every frame), as one graph. */
export function wespeakerGraph(config: { num_blocks: number[]; embedding_dimension: number }, w: Tensors, flavour: PyannoteGraphFlavour = "ours"): GraphBuilder {
  const g = new GraphBuilder("wespeaker_resnet34");
  const sherpa = flavour === "sherpa-onnx";
  const fbank = g.input(sherpa ? "feats" : "fbank", { type: "float32", shape: ["batch", "frames", 80] });
  // sherpa-onnx pools over every frame: weights of one.
  const weights = sherpa ? "" : g.input("weights", { type: "float32", shape: ["batch", "speakers", "out_frames"] });
  const init = (name: string) => g.initializer(name, weight(w, name));
  const conv = (x: string, name: string, kernel: number, stride: number) =>
    g.op("Conv", [x, init(`${name}.weight`), init(`${name}.bias`)], { kernel_shape: [kernel, kernel], strides: [stride, stride], pads: kernel === 3 ? [1, 1, 1, 1] : [0, 0, 0, 0] });
  // [B, T, F] → [B, 1, F, T]
  let h = g.op("Unsqueeze", [g.op("Transpose", [fbank], { perm: [0, 2, 1] }), g.constInt([1])]);
  h = g.op("Relu", [conv(h, "conv1", 3, 1)]);
  config.num_blocks.forEach((count, l) => {
    for (let b = 0; b < count; b++) {
      const pre = `layer${l + 1}.${b}`;
      const stride = b === 0 && l > 0 ? 2 : 1;
      const out = conv(g.op("Relu", [conv(h, `${pre}.conv1`, 3, stride)]), `${pre}.conv2`, 3, 1);
      const shortcut = w.has(`${pre}.shortcut.weight`) ? conv(h, `${pre}.shortcut`, 1, stride) : h;
      h = g.op("Relu", [g.op("Add", [out, shortcut])]);
    }
  });
  // [B, C, F', T'] → [B, 1, C·F', T'] (feature index c·F' + f, as pyannote's rearrange)
  const flat = g.op("Transpose", [g.op("Reshape", [g.op("Transpose", [h], { perm: [0, 3, 1, 2] }), g.constInt([0, 0, -1])])], { perm: [0, 2, 1] });
  const x = g.op("Unsqueeze", [flat, g.constInt([1])]);
  const allFrames = () => g.op("Unsqueeze", [g.op("ReduceSum", [g.op("Mul", [flat, g.constFloat([0], [])]), g.constInt([1])], { keepdims: 1 }), g.constInt([1])]); // [B, 1, 1, T'] of zeros
  const wts = sherpa ? g.op("Add", [allFrames(), g.constFloat([1], [])]) : g.op("Unsqueeze", [weights, g.constInt([2])]); // [B, S, 1, T']
  const last = g.constInt([-1]);
  const sum = (v: string) => g.op("ReduceSum", [v, last], { keepdims: 1 });
  const v1 = g.op("Add", [sum(wts), g.constFloat([1e-8], [])]);
  const mean = g.op("Div", [sum(g.op("Mul", [x, wts])), v1]); // [B, S, C·F', 1]
  const diff = g.op("Sub", [x, mean]);
  const v2 = sum(g.op("Mul", [wts, wts]));
  const variance = g.op("Div", [sum(g.op("Mul", [g.op("Mul", [diff, diff]), wts])), g.op("Add", [g.op("Sub", [v1, g.op("Div", [v2, v1])]), g.constFloat([1e-8], [])])]);
  const stats = g.op("Squeeze", [g.op("Concat", [mean, g.op("Sqrt", [variance])], { axis: 2 }), last]); // [B, S, 2·C·F']
  const seg = weight(w, "seg_1.weight");
  const [n, k] = seg.shape;
  const s = toFloat32(seg);
  const st = new Float32Array(k * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) st[c * n + r] = s[r * k + c];
  const embedding = g.op("Add", [g.op("MatMul", [stats, g.initializer("seg_1.weight.T", f32(st, [k, n]))]), init("seg_1.bias")]);
  if (sherpa) {
    g.output(g.op("Squeeze", [embedding, g.constInt([1])]), "embs", { type: "float32", shape: ["batch", config.embedding_dimension] });
    Object.assign(g.metadata, { framework: "wespeaker", output_dim: String(config.embedding_dimension), sample_rate: "16000", normalize_samples: "0", feature_normalize_type: "global-mean", language: "English", url: "converted by whisperx-mlx", comment: "WeSpeaker ResNet34 from a pyannote checkpoint" });
  } else g.output(embedding, "embeddings", { type: "float32", shape: ["batch", "speakers", config.embedding_dimension] });
  Object.assign(g.metadata, { "whisperx-mlx:graph": "wespeaker-resnet34" });
  return g;
}
