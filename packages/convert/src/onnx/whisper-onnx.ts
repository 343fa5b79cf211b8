/**
 * `convert … --to onnx` for Whisper: reads an MLX model directory (fp16/fp32/quantized), builds
 * the encoder and decoder graphs from float32 weights, and writes them atomically beside an
 * `onnx.json` that records the dims and the SHA-256 of the source weights (the cache key).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { ConvertError } from "../errors.js";
import type { WhisperDims } from "../families/whisper.js";
import { dequantizeAffine } from "../quantize.js";
import { readSafetensors } from "../readers/safetensors.js";
import { toFloat32, type HostTensor } from "../tensor.js";
import { logMelGraph } from "./mel-graph.js";
import { whisperDecoderGraph, whisperEncoderGraph } from "./whisper-graphs.js";

/** What `onnx.json` records. */
export interface WhisperOnnxManifest {
  format: "whisperx-mlx-onnx";
  family: "whisper";
  dims: WhisperDims;
  /** SHA-256 of the source `weights.safetensors`. */
  sourceSha256: string;
  graphs: { mel: string; encoder: string; decoder: string };
}

/** SHA-256 of a file, hex. */
export function fileSha256(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/** An MLX Whisper directory's dims and float32 weights (quantized ones dequantized). */
export function readMlxWhisper(dir: string): { dims: WhisperDims; weights: Map<string, HostTensor>; sourceDtype: string; weightsFile: string } {
  const configFile = join(dir, "config.json");
  const weightsFile = join(dir, "weights.safetensors");
  if (!existsSync(configFile) || !existsSync(weightsFile)) throw new ConvertError(dir, "not an MLX Whisper model directory (config.json + weights.safetensors)");
  const config = JSON.parse(readFileSync(configFile, "utf8")) as WhisperDims & { model_type?: string; quantization?: { group_size: number; bits: number } };
  if (config.model_type && config.model_type !== "whisper") throw new ConvertError(dir, `model_type is '${config.model_type}', not whisper`);
  const raw = readSafetensors(weightsFile);
  const weights = new Map<string, HostTensor>();
  let sourceDtype = "float32";
  for (const [name, t] of raw) {
    if (name.endsWith(".scales") || name.endsWith(".biases")) continue;
    const base = name.slice(0, -".weight".length);
    const scales = raw.get(`${base}.scales`);
    let f: Float32Array;
    if (scales && config.quantization) {
      f = dequantizeAffine({ weight: t, scales, biases: raw.get(`${base}.biases`) as HostTensor }, config.quantization.group_size, config.quantization.bits);
      weights.set(name, { dtype: "float32", shape: [t.shape[0], (t.shape[1] * 32) / config.quantization.bits], data: new Uint8Array(f.buffer) });
      continue;
    }
    if (name === "decoder.token_embedding.weight") sourceDtype = t.dtype;
    f = toFloat32(t);
    weights.set(name, { dtype: "float32", shape: t.shape, data: new Uint8Array(f.buffer, f.byteOffset, f.byteLength) });
  }
  const dims = Object.fromEntries(["n_mels", "n_audio_ctx", "n_audio_state", "n_audio_head", "n_audio_layer", "n_vocab", "n_text_ctx", "n_text_state", "n_text_head", "n_text_layer"].map((k) => [k, (config as unknown as Record<string, number>)[k]])) as unknown as WhisperDims;
  return { dims, weights, sourceDtype, weightsFile };
}

/** Builds and writes `mel.onnx`, `encoder.onnx`, `decoder.onnx` and `onnx.json` for an MLX Whisper directory. */
export function convertWhisperToOnnx(mlxDir: string, outDir: string, options: { force?: boolean } = {}): WhisperOnnxManifest {
  const target = resolve(outDir);
  if (existsSync(target) && !options.force) throw new ConvertError(outDir, "output already exists (use --force to overwrite)");
  const { dims, weights, sourceDtype, weightsFile } = readMlxWhisper(mlxDir);
  const manifest: WhisperOnnxManifest = { format: "whisperx-mlx-onnx", family: "whisper", dims, sourceSha256: fileSha256(weightsFile), graphs: { mel: "mel.onnx", encoder: "encoder.onnx", decoder: "decoder.onnx" } };
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now()}`);
  try {
    mkdirSync(tmp, { recursive: true });
    writeFileSync(join(tmp, "mel.onnx"), logMelGraph(dims.n_mels));
    writeFileSync(join(tmp, "encoder.onnx"), whisperEncoderGraph(dims, weights, { roundPositionsToHalf: sourceDtype === "float16" }));
    writeFileSync(join(tmp, "decoder.onnx"), whisperDecoderGraph(dims, weights));
    writeFileSync(join(tmp, "onnx.json"), JSON.stringify(manifest, null, 2) + "\n");
    if (existsSync(target)) rmSync(target, { recursive: true, force: true });
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (e instanceof ConvertError) throw e;
    throw new ConvertError(outDir, `cannot write ONNX graphs (${(e as Error).message})`);
  }
  return manifest;
}
