/**
 * The conversion pipeline shared by every family: read → map to MLX names/layouts → cast →
 * optionally quantize Linear/Embedding weights → write atomically → optionally verify.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ConvertError } from "./errors.js";
import { alignmentHeadsTensor, isMlxWhisperDir, readMlxWhisperDir, readWhisperSource, whisperToMlx } from "./families/whisper.js";
import { readWav2Vec2Source } from "./families/wav2vec2.js";
import { readSileroSource } from "./families/silero.js";
import { readMlxWeightsFloat32 } from "./readers/mlx-model.js";
import { quantizeAffine, dequantizeAffine } from "./quantize.js";
import { castFloat, numel, toFloat32, type HostTensor } from "./tensor.js";
import { writeMlxModel } from "./writers/mlx-model.js";

/** Model families `convert` knows. */
export const MODEL_FAMILIES = ["whisper", "wav2vec2", "silero-vad"] as const;
export type ModelFamily = (typeof MODEL_FAMILIES)[number];

/** Options of `convertModel`, named after mlx-examples' `convert.py` flags. */
export interface ConvertOptions {
  family: ModelFamily;
  /** A checkpoint file, a Hugging Face directory, an ONNX or TorchScript file. */
  torchNameOrPath: string;
  /**
   * Tensors already in memory, in MLX names and layouts (e.g. from `whisperToMlx`), used instead
   * of reading `torchNameOrPath` (which then only names the source in messages).
   */
  source?: { config: Record<string, unknown>; tensors: Map<string, HostTensor> };
  /** Output directory. */
  mlxPath: string;
  dtype?: "float16" | "float32" | "bfloat16";
  /** MLX affine quantization of Linear and Embedding weights. */
  quantize?: { bits: 4 | 8; groupSize: 32 | 64 | 128 };
  /** Overwrite an existing output directory. */
  force?: boolean;
  /** Reload the output and compare every tensor with the source. */
  verify?: boolean;
  /** Silero only: which sample-rate branch to convert. */
  sampleRate?: 8000 | 16000;
  /** Called as tensors are processed. */
  onProgress?: (done: number, total: number) => void;
}

/** What a conversion did. */
export interface ConvertSummary {
  tensors: number;
  parameters: number;
  bytesIn: number;
  bytesOut: number;
  quantized: number;
  /** The largest |output − source| over all tensors, from the in-memory result (casts, quantization). */
  maxError: number;
  /** With `verify`: the largest |output − source| per tensor family (layer indices as `*`), from the reloaded file. */
  maxErrorByFamily?: Record<string, number>;
}

function sizeOf(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path)
    .filter((f) => /\.(safetensors|bin|pt|pth|json)$/.test(f))
    .reduce((a, f) => a + statSync(join(path, f)).size, 0);
}

/** Which weights a family quantizes: Linear and Embedding matrices (not convs, norms, positions). */
function quantizable(family: ModelFamily, name: string, t: HostTensor): boolean {
  if (t.shape.length !== 2 || !name.endsWith(".weight")) return false;
  if (family === "whisper") return /\.(query|key|value|out|mlp1|mlp2)\.weight$/.test(name) || name === "decoder.token_embedding.weight";
  if (family === "wav2vec2") return /(_proj|_dense|projection|lm_head)\.weight$/.test(name);
  return false;
}

/** The family key of a tensor name for error reports: `encoder.blocks.3.attn.query.weight` → `encoder.blocks.*.attn.query.weight`. */
export function tensorFamily(name: string): string {
  return name.replace(/\.\d+\./g, ".*.");
}

function read(options: ConvertOptions): { config: Record<string, unknown>; tensors: Map<string, HostTensor> } {
  if (options.source) return { config: { ...options.source.config }, tensors: options.source.tensors };
  switch (options.family) {
    case "whisper": {
      // An MLX directory (ours or mlx-community's) is already in MLX names and layouts.
      if (isMlxWhisperDir(options.torchNameOrPath)) {
        const src = readMlxWhisperDir(options.torchNameOrPath, { dequantize: true });
        if (src.alignmentHeads) src.tensors.set("alignment_heads", alignmentHeadsTensor(src.alignmentHeads));
        return { config: { ...src.config }, tensors: src.tensors };
      }
      const { config, tensors } = whisperToMlx(readWhisperSource(options.torchNameOrPath), "float32");
      return { config: { ...config }, tensors };
    }
    case "wav2vec2": {
      const { config, tensors } = readWav2Vec2Source(options.torchNameOrPath);
      return { config: { ...config }, tensors };
    }
    case "silero-vad": {
      const { config, tensors } = readSileroSource(options.torchNameOrPath, options.sampleRate ?? 16000);
      return { config: { ...config }, tensors };
    }
  }
}

/** Converts a checkpoint to an MLX model directory. Throws `ConvertError` on bad input. */
export function convertModel(options: ConvertOptions): ConvertSummary {
  try {
    return convertUnchecked(options);
  } catch (e) {
    if (e instanceof ConvertError) throw e;
    // Anything else is a malformed input our checks did not name; keep it one line.
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw new ConvertError(options.torchNameOrPath, `malformed input (${msg})`);
  }
}

function convertUnchecked(options: ConvertOptions): ConvertSummary {
  const dtype = options.dtype ?? (options.family === "whisper" ? "float16" : "float32");
  const q = options.quantize;
  if (q && options.family === "silero-vad") throw new ConvertError(options.torchNameOrPath, "quantization is not supported for silero-vad (a 300 k-parameter model with an LSTM)");
  if (q && ![4, 8].includes(q.bits)) throw new ConvertError(options.torchNameOrPath, `--q-bits must be 4 or 8, got ${q.bits}`);
  if (q && ![32, 64, 128].includes(q.groupSize)) throw new ConvertError(options.torchNameOrPath, `--q-group-size must be 32, 64 or 128, got ${q.groupSize}`);
  const { config, tensors: source } = read(options);
  const out = new Map<string, HostTensor>();
  let parameters = 0;
  let quantized = 0;
  let done = 0;
  let maxError = 0;
  const errorOf = (src: HostTensor, got: Float32Array) => {
    const want = toFloat32(src);
    for (let i = 0; i < want.length; i++) {
      const d = Math.abs(want[i] - got[i]);
      if (d > maxError) maxError = d;
    }
  };
  for (const [name, t] of source) {
    parameters += numel(t.shape);
    const isFloat = t.dtype === "float32" || t.dtype === "float16" || t.dtype === "bfloat16" || t.dtype === "float64";
    if (q && quantizable(options.family, name, t) && t.shape[1] % q.groupSize === 0) {
      const base = name.slice(0, -".weight".length);
      const qt = quantizeAffine(castFloat(t.dtype === "float64" ? { ...t } : t, "float32"), q.groupSize, q.bits, dtype);
      out.set(`${base}.weight`, qt.weight);
      out.set(`${base}.scales`, qt.scales);
      out.set(`${base}.biases`, qt.biases);
      errorOf(t, dequantizeAffine(qt, q.groupSize, q.bits));
      quantized++;
    } else {
      const o = isFloat && t.dtype !== "float64" ? castFloat(t, dtype) : t;
      if (isFloat && o !== t) errorOf(t, toFloat32(o));
      out.set(name, o);
    }
    options.onProgress?.(++done, source.size);
  }
  if (q) config.quantization = { group_size: q.groupSize, bits: q.bits };
  writeMlxModel(options.mlxPath, config, out, { force: options.force });
  const summary: ConvertSummary = {
    tensors: out.size,
    parameters,
    bytesIn: options.source ? [...source.values()].reduce((a, t) => a + t.data.byteLength, 0) : sizeOf(options.torchNameOrPath),
    bytesOut: statSync(join(options.mlxPath, "weights.safetensors")).size,
    quantized,
    maxError,
  };
  if (options.verify) summary.maxErrorByFamily = verifyModel(options.mlxPath, source, q);
  return summary;
}

/** Reloads a written model and compares each tensor with its source (dequantizing quantized ones). */
export function verifyModel(dir: string, source: Map<string, HostTensor>, q?: { bits: number; groupSize: number }): Record<string, number> {
  const { weights: written } = readMlxWeightsFloat32(dir, q && { group_size: q.groupSize, bits: q.bits });
  const errors: Record<string, number> = {};
  for (const [name, src] of source) {
    const w = written.get(name);
    if (!w) throw new ConvertError(dir, `verify: '${name}' is missing from the output`);
    if (w.dtype !== "float32") continue;
    const got = toFloat32(w);
    const want = toFloat32(src);
    if (want.length !== got.length) throw new ConvertError(dir, `verify: '${name}' has ${got.length} values, the source ${want.length}`);
    let max = 0;
    for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(want[i] - got[i]));
    const fam = tensorFamily(name);
    errors[fam] = Math.max(errors[fam] ?? 0, max);
  }
  return errors;
}

/** Converts a Whisper checkpoint (shorthand of `convertModel({ family: "whisper", … })`). */
export function convertWhisper(options: Omit<ConvertOptions, "family">): ConvertSummary {
  return convertModel({ ...options, family: "whisper" });
}
