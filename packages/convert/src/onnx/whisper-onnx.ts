/**
 * `convert … --to onnx` for Whisper: reads an MLX model directory (fp16/fp32/quantized), builds
 * the encoder and decoder graphs from float32 weights, and writes them atomically beside an
 * `onnx.json` that records the dims and the SHA-256 of the source weights (the cache key).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { ConvertError } from "../errors.js";
import { checkDims, type WhisperDims } from "../families/whisper.js";
import { readMlxWeightsFloat32 } from "../readers/mlx-model.js";
import type { HostTensor } from "../tensor.js";
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
  const { weights, sourceDtypes } = readMlxWeightsFloat32(dir, config.quantization);
  const sourceDtype = sourceDtypes.get("decoder.token_embedding.weight") ?? "float32";
  return { dims: checkDims(config as unknown as Record<string, unknown>, configFile), weights, sourceDtype, weightsFile };
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
