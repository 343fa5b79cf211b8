/**
 * pyannote speaker-diarization models → our layout. A pipeline (community-1 style directory, or a
 * 3.1 `config.yaml`) becomes
 *
 *     <out>/config.json                      the pipeline: clustering, overlap handling, batch sizes
 *     <out>/segmentation/{config.json, weights.safetensors}   PyanNet, Sinc filters precomputed
 *     <out>/embedding/{config.json, weights.safetensors}      WeSpeaker ResNet34, BatchNorm folded
 *     <out>/plda.json                        the PLDA with `vbx_setup`'s eigenproblem solved
 *
 * A single `pytorch_model.bin` (PyanNet or WeSpeaker, recognised from the checkpoint's own
 * `architecture` field) or a plain WeSpeaker `wespeaker.pt` becomes one sub-model directory.
 * The pickle reader allows exactly pyannote's `Specifications`/`Problem`/`Resolution` and torch's
 * `TorchVersion` beyond plain tensors; `config.yaml` is read against a fixed schema.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { pldaFromTwoCovariance } from "@whisperx-mlx/core";
import { ConvertError } from "../errors.js";
import { readTorchCheckpoint, isHostTensor, type CheckpointValue } from "../readers/torch.js";
import { readNpz } from "../readers/npz.js";
import { readSafetensors, writeSafetensors } from "../readers/safetensors.js";
import { pyannetGraph, wespeakerGraph } from "../onnx/pyannote-graphs.js";
import { readPyannoteConfig, type PyannotePipelineConfig } from "../readers/pyannote-config.js";
import { toFloat32, type HostTensor } from "../tensor.js";
import type { PickleValue } from "../readers/pickle.js";

/** The globals pyannote checkpoints need beyond tensors, and nothing else. */
export const PYANNOTE_PICKLE_GLOBALS = {
  dataClasses: ["pyannote.audio.core.task.Specifications"],
  values: {
    "torch.torch_version.TorchVersion": (args: PickleValue[]) => (typeof args[0] === "string" ? args[0] : ""),
    "pyannote.audio.core.task.Problem": (args: PickleValue[]) => (typeof args[0] === "number" ? args[0] : -1),
    "pyannote.audio.core.task.Resolution": (args: PickleValue[]) => (typeof args[0] === "number" ? args[0] : -1),
  },
} as const;

const BN_EPS = 1e-5;

function f32(data: Float32Array, shape: number[]): HostTensor {
  return { dtype: "float32", shape, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function record(v: CheckpointValue | undefined): { [key: string]: CheckpointValue } | undefined {
  return v && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array) && !isHostTensor(v) ? v : undefined;
}

/** A converted sub-model: its config and float32 tensors. */
export interface PyannoteSubModel {
  kind: "segmentation" | "embedding";
  config: Record<string, unknown>;
  tensors: Map<string, HostTensor>;
}

/** The tensors of a checkpoint's state dict (pyannote's Lightning layout, or a plain state dict). */
function stateDict(file: string, v: CheckpointValue): { tensors: Map<string, HostTensor>; meta?: { [key: string]: CheckpointValue } } {
  const root = record(v);
  if (!root) throw new ConvertError(file, "not a state-dict checkpoint");
  const sd = record(root.state_dict) ?? root;
  const tensors = new Map<string, HostTensor>();
  for (const [k, t] of Object.entries(sd)) if (isHostTensor(t)) tensors.set(k, t);
  if (tensors.size === 0) throw new ConvertError(file, "no tensors in the checkpoint");
  return { tensors, meta: record(root["pyannote.audio"]) };
}

function need(file: string, w: Map<string, HostTensor>, name: string, shape?: number[]): Float32Array {
  const t = w.get(name);
  if (!t) throw new ConvertError(file, `missing tensor '${name}'`);
  if (shape && (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))) throw new ConvertError(file, `tensor '${name}' has shape [${t.shape.join(", ")}], expected [${shape.join(", ")}]`);
  return toFloat32(t);
}

/** asteroid's ParamSincFB filters (80 × 1 × 251) from their parameters and buffers, as at inference. */
export function sincFilters(lowHz: Float32Array, bandHz: Float32Array, n: Float32Array, window: Float32Array, sampleRate = 16000, minLow = 50, minBand = 50): Float32Array {
  const half = n.length;
  const size = 2 * half + 1;
  const count = lowHz.length;
  const out = new Float32Array(2 * count * size);
  for (let f = 0; f < count; f++) {
    const low = Math.fround(minLow + Math.abs(lowHz[f]));
    const high = Math.fround(Math.min(Math.max(low + minBand + Math.abs(bandHz[f]), minLow), sampleRate / 2));
    const band = Math.fround(high - low);
    for (let i = 0; i < half; i++) {
      const ftLow = Math.fround(low * n[i]);
      const ftHigh = Math.fround(high * n[i]);
      const halfN = Math.fround(n[i] / 2);
      const cosLeft = Math.fround(Math.fround(Math.fround(Math.sin(ftHigh) - Math.sin(ftLow)) / halfN) * window[i]);
      const sinLeft = Math.fround(Math.fround(Math.fround(Math.cos(ftLow) - Math.cos(ftHigh)) / halfN) * window[i]);
      const scale = 2 * band;
      out[f * size + i] = cosLeft / scale;
      out[f * size + size - 1 - i] = cosLeft / scale;
      out[(count + f) * size + i] = sinLeft / scale;
      out[(count + f) * size + size - 1 - i] = -sinLeft / scale;
    }
    out[f * size + half] = (2 * band) / (2 * band);
    out[(count + f) * size + half] = 0;
  }
  return out;
}

/** PyanNet (segmentation-3.0 architecture) → our segmentation sub-model. */
export function pyannetSubModel(file: string, tensors: Map<string, HostTensor>, meta?: { [key: string]: CheckpointValue }, hparams?: { [key: string]: CheckpointValue }): PyannoteSubModel {
  const lstm = record(hparams?.lstm) ?? {};
  if (lstm.monolithic === false) throw new ConvertError(file, "a non-monolithic LSTM is not supported");
  if (lstm.bidirectional === false) throw new ConvertError(file, "a unidirectional LSTM is not supported");
  const specs = record(record(meta)?.specifications);
  if (specs && (specs.powerset_max_classes ?? 2) !== 2) throw new ConvertError(file, `powerset_max_classes ${String(specs.powerset_max_classes)} is not supported (2)`);
  let layers = 0;
  while (tensors.has(`lstm.weight_ih_l${layers}`)) layers++;
  let linearLayers = 0;
  while (tensors.has(`linear.${linearLayers}.weight`)) linearLayers++;
  const out = new Map<string, HostTensor>();
  const filters = sincFilters(
    need(file, tensors, "sincnet.conv1d.0.filterbank.low_hz_", [40, 1]),
    need(file, tensors, "sincnet.conv1d.0.filterbank.band_hz_", [40, 1]),
    need(file, tensors, "sincnet.conv1d.0.filterbank.n_", [1, 125]),
    need(file, tensors, "sincnet.conv1d.0.filterbank.window_", [125]),
  );
  out.set("sincnet.conv1d.0.weight", f32(filters, [80, 1, 251]));
  for (const [name, t] of tensors) {
    if (name.startsWith("sincnet.conv1d.0.filterbank.")) continue;
    if (!/^(sincnet\.|lstm\.|linear\.|classifier\.)/.test(name)) throw new ConvertError(file, `unexpected tensor '${name}' for PyanNet`);
    out.set(name, f32(toFloat32(t), t.shape));
  }
  const classes = Array.isArray(specs?.classes) ? specs.classes.length : 3;
  const hidden = out.get("lstm.weight_hh_l0")?.shape[1] ?? 128;
  const config = {
    model_type: "pyannet",
    sample_rate: 16000,
    duration: 10,
    num_frames: 589,
    receptive_field: { start: 0, duration: 0.0619375, step: 0.016875 },
    num_speakers: classes,
    powerset_max_classes: 2,
    num_classes: out.get("classifier.weight")?.shape[0] ?? 7,
    sincnet: { stride: 10 },
    lstm: { hidden_size: hidden, num_layers: layers, bidirectional: true },
    linear: { hidden_size: out.get("linear.0.weight")?.shape[0] ?? 128, num_layers: linearLayers },
  };
  if (config.num_classes !== 7 || classes !== 3) throw new ConvertError(file, `a powerset of ${classes} speakers with ${config.num_classes} classes is not supported (3 speakers, 7 classes)`);
  return { kind: "segmentation", config, tensors: out };
}

/** WeSpeaker ResNet34 (pyannote's `resnet.` layout or WeSpeaker's own) → our embedding sub-model, BatchNorm folded into the convs. */
export function wespeakerSubModel(file: string, source: Map<string, HostTensor>): PyannoteSubModel {
  const tensors = new Map<string, HostTensor>();
  for (const [name, t] of source) {
    const bare = name.startsWith("resnet.") ? name.slice("resnet.".length) : name;
    // The ArcMargin head (`projection.*`) trains the model and is not part of it.
    if (bare.startsWith("projection.") || bare.endsWith("num_batches_tracked")) continue;
    tensors.set(bare, t);
  }
  const out = new Map<string, HostTensor>();
  const fold = (conv: string, bn: string, target: string) => {
    const w = need(file, tensors, `${conv}.weight`);
    const shape = tensors.get(`${conv}.weight`)?.shape ?? [];
    const gamma = need(file, tensors, `${bn}.weight`);
    const beta = need(file, tensors, `${bn}.bias`);
    const mean = need(file, tensors, `${bn}.running_mean`);
    const variance = need(file, tensors, `${bn}.running_var`);
    const outC = shape[0];
    const per = w.length / outC;
    const folded = new Float32Array(w.length);
    const bias = new Float32Array(outC);
    for (let o = 0; o < outC; o++) {
      const s = gamma[o] / Math.sqrt(variance[o] + BN_EPS);
      for (let i = 0; i < per; i++) folded[o * per + i] = w[o * per + i] * s;
      bias[o] = beta[o] - mean[o] * s;
    }
    out.set(`${target}.weight`, f32(folded, shape));
    out.set(`${target}.bias`, f32(bias, [outC]));
  };
  fold("conv1", "bn1", "conv1");
  const blocks = [3, 4, 6, 3];
  blocks.forEach((count, l) => {
    for (let b = 0; b < count; b++) {
      const pre = `layer${l + 1}.${b}`;
      fold(`${pre}.conv1`, `${pre}.bn1`, `${pre}.conv1`);
      fold(`${pre}.conv2`, `${pre}.bn2`, `${pre}.conv2`);
      if (tensors.has(`${pre}.shortcut.0.weight`)) fold(`${pre}.shortcut.0`, `${pre}.shortcut.1`, `${pre}.shortcut`);
    }
  });
  const seg = tensors.get("seg_1.weight");
  if (!seg) throw new ConvertError(file, "missing tensor 'seg_1.weight' (not a WeSpeaker ResNet)");
  out.set("seg_1.weight", f32(toFloat32(seg), seg.shape));
  out.set("seg_1.bias", f32(need(file, tensors, "seg_1.bias"), [seg.shape[0]]));
  if (tensors.has("seg_2.weight")) throw new ConvertError(file, "a two-layer embedding head (seg_2) is not supported");
  const config = {
    model_type: "wespeaker-resnet34",
    sample_rate: 16000,
    num_mel_bins: 80,
    frame_length: 25,
    frame_shift: 10,
    window_type: "hamming",
    m_channels: out.get("conv1.weight")?.shape[0] ?? 32,
    num_blocks: blocks,
    embedding_dimension: seg.shape[0],
    // Fewer samples give no fbank frame (pyannote finds this bound by trial; 400 = one 25 ms frame).
    min_num_samples: 400,
  };
  return { kind: "embedding", config, tensors: out };
}

/** One checkpoint file → a sub-model, recognised from its `architecture` field (or WeSpeaker's plain keys). */
export function readPyannoteCheckpoint(file: string): PyannoteSubModel {
  const value = readTorchCheckpoint(file, { allow: PYANNOTE_PICKLE_GLOBALS });
  const { tensors, meta } = stateDict(file, value);
  const arch = record(meta?.architecture);
  const cls = typeof arch?.class === "string" ? arch.class : undefined;
  if (cls === "PyanNet") return pyannetSubModel(file, tensors, meta, record(record(value)?.hyper_parameters));
  if (cls === "WeSpeakerResNet34") return wespeakerSubModel(file, tensors);
  if (cls !== undefined) throw new ConvertError(file, `pyannote architecture '${cls}' is not supported (PyanNet, WeSpeakerResNet34)`);
  if (tensors.has("conv1.weight") && tensors.has("seg_1.weight")) return wespeakerSubModel(file, tensors);
  throw new ConvertError(file, "neither a pyannote checkpoint (no architecture field) nor a WeSpeaker ResNet state dict");
}

/** A sub-model reference of a pipeline config → a checkpoint file. */
function resolveSubModel(configFile: string, ref: string, what: string): string {
  const base = dirname(configFile);
  const path = ref.startsWith("$model/") ? join(base, ref.slice("$model/".length)) : ref.startsWith(".") || ref.startsWith("/") ? resolve(base, ref) : undefined;
  if (!path) throw new ConvertError(configFile, `${what} '${ref}' is a Hub id; download it and name the local directory in the config`);
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, "pytorch_model.bin") : path;
  if (!existsSync(file)) throw new ConvertError(configFile, `${what}: ${file} does not exist`);
  return file;
}

/** What `convertPyannote` wrote. */
export interface PyannoteSummary {
  kind: "pipeline" | "segmentation" | "embedding";
  tensors: number;
  parameters: number;
}

/** Writes files into a temp sibling of `dir`, then renames it into place (no partial output). */
function writeAtomically(dir: string, force: boolean | undefined, write: (tmp: string) => void): void {
  const target = resolve(dir);
  if (existsSync(target) && !force) throw new ConvertError(dir, "output already exists (use --force to overwrite)");
  mkdirSync(dirname(target), { recursive: true });
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now()}`);
  try {
    mkdirSync(tmp);
    write(tmp);
    if (existsSync(target)) rmSync(target, { recursive: true, force: true });
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (e instanceof ConvertError) throw e;
    throw new ConvertError(dir, `cannot write output (${(e as Error).message})`);
  }
}

function writeSubModel(dir: string, m: PyannoteSubModel): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config.json"), JSON.stringify(m.config, null, 2) + "\n");
  writeSafetensors(join(dir, "weights.safetensors"), m.tensors, { format: "pt" });
}

function pipelineConfig(c: PyannotePipelineConfig, source: string): Record<string, unknown> {
  return {
    model_type: "pyannote-diarization",
    source,
    pyannote_version: c.version,
    segmentation: "segmentation",
    embedding: "embedding",
    segmentation_step: c.segmentationStep,
    segmentation_batch_size: c.segmentationBatchSize,
    embedding_batch_size: c.embeddingBatchSize,
    embedding_exclude_overlap: c.embeddingExcludeOverlap,
    min_duration_off: c.minDurationOff,
    clustering:
      c.clustering === "VBxClustering"
        ? { method: "vbx", threshold: c.threshold, Fa: c.Fa, Fb: c.Fb, plda: "plda.json" }
        : { method: "agglomerative", linkage: c.method, threshold: c.threshold, min_cluster_size: c.minClusterSize },
  };
}

/** Reads `xvec_transform.npz` + `plda.npz` and solves `vbx_setup`'s eigenproblem once. */
export function readPlda(dir: string): ReturnType<typeof pldaFromTwoCovariance> {
  const xvec = readNpz(join(dir, "xvec_transform.npz"));
  const plda = readNpz(join(dir, "plda.npz"));
  const get = (m: Map<string, HostTensor>, key: string, file: string) => {
    const t = m.get(key);
    if (!t) throw new ConvertError(join(dir, file), `no array '${key}'`);
    return t.dtype === "float64" ? new Float64Array(t.data.slice().buffer) : Float64Array.from(toFloat32(t));
  };
  return pldaFromTwoCovariance(
    { mean1: get(xvec, "mean1", "xvec_transform.npz"), mean2: get(xvec, "mean2", "xvec_transform.npz"), lda: get(xvec, "lda", "xvec_transform.npz") },
    { mu: get(plda, "mu", "plda.npz"), tr: get(plda, "tr", "plda.npz"), psi: get(plda, "psi", "plda.npz") },
  );
}

/**
 * Converts a pyannote pipeline (a directory with `config.yaml`, or a `config.yaml` file) or a single
 * checkpoint (`pytorch_model.bin`, `wespeaker.pt`) into `mlxPath`.
 */
export function convertPyannote(options: { torchNameOrPath: string; mlxPath: string; force?: boolean }): PyannoteSummary {
  const src = options.torchNameOrPath;
  if (!existsSync(src)) throw new ConvertError(src, "no such file or directory");
  const isDir = statSync(src).isDirectory();
  const configFile = isDir ? join(src, "config.yaml") : /\.ya?ml$/.test(src) ? src : undefined;
  if (isDir && !existsSync(join(src, "config.yaml"))) throw new ConvertError(src, "a pipeline directory needs a config.yaml");
  if (!configFile) {
    const m = readPyannoteCheckpoint(src);
    writeAtomically(options.mlxPath, options.force, (tmp) => writeSubModel(tmp, m));
    return { kind: m.kind, tensors: m.tensors.size, parameters: [...m.tensors.values()].reduce((n, t) => n + t.data.length / 4, 0) };
  }
  const c = readPyannoteConfig(configFile);
  const segmentation = readPyannoteCheckpoint(resolveSubModel(configFile, c.segmentation, "segmentation"));
  const embedding = readPyannoteCheckpoint(resolveSubModel(configFile, c.embedding, "embedding"));
  if (segmentation.kind !== "segmentation") throw new ConvertError(configFile, `pipeline.params.segmentation '${c.segmentation}' is not a PyanNet checkpoint`);
  if (embedding.kind !== "embedding") throw new ConvertError(configFile, `pipeline.params.embedding '${c.embedding}' is not a WeSpeaker checkpoint`);
  let plda: ReturnType<typeof pldaFromTwoCovariance> | undefined;
  if (c.clustering === "VBxClustering") {
    if (!c.plda) throw new ConvertError(configFile, "VBxClustering needs pipeline.params.plda");
    const pldaRef = c.plda.startsWith("$model/") ? join(dirname(configFile), c.plda.slice("$model/".length)) : resolve(dirname(configFile), c.plda);
    plda = readPlda(pldaRef);
  }
  writeAtomically(options.mlxPath, options.force, (tmp) => {
    writeFileSync(join(tmp, "config.json"), JSON.stringify(pipelineConfig(c, basename(configFile)), null, 2) + "\n");
    writeSubModel(join(tmp, "segmentation"), segmentation);
    writeSubModel(join(tmp, "embedding"), embedding);
    if (plda) writeFileSync(join(tmp, "plda.json"), JSON.stringify(Object.fromEntries(Object.entries(plda).map(([k, v]) => [k, Array.from(v as Float64Array)]))) + "\n");
  });
  const tensors = segmentation.tensors.size + embedding.tensors.size;
  const parameters = [...segmentation.tensors.values(), ...embedding.tensors.values()].reduce((n, t) => n + t.data.length / 4, 0);
  return { kind: "pipeline", tensors, parameters };
}

/**
 * ONNX files of a converted pipeline's two networks in sherpa-onnx's conventions and metadata
 * (`segmentation.onnx`: `x` [N, 1, T] → log-softmax `y`; `embedding.onnx`: fbank [N, T, 80] →
 * [N, 256]), so sherpa-onnx's diarization can run the same weights. Our ONNX engine builds its own
 * graphs at load and does not need these.
 */
export function exportPyannoteOnnx(dir: string, outDir: string, options: { force?: boolean } = {}): string[] {
  const read = (sub: string) => {
    const file = join(dir, sub, "config.json");
    if (!existsSync(file)) throw new ConvertError(dir, `not a converted pyannote pipeline (no ${sub}/config.json)`);
    return { config: JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>, tensors: readSafetensors(join(dir, sub, "weights.safetensors")) };
  };
  const seg = read("segmentation");
  const emb = read("embedding");
  const written = ["segmentation.onnx", "embedding.onnx"];
  writeAtomically(outDir, options.force, (tmp) => {
    pyannetGraph(seg.config as Parameters<typeof pyannetGraph>[0], seg.tensors, "sherpa-onnx").writeTo(join(tmp, written[0]));
    wespeakerGraph(emb.config as Parameters<typeof wespeakerGraph>[0], emb.tensors, "sherpa-onnx").writeTo(join(tmp, written[1]));
  });
  return written.map((f) => join(outDir, f));
}
