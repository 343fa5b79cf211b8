/**
 * `convert … --to onnx`: reads an MLX model directory (fp16/fp32/quantized) of Whisper or wav2vec2,
 * builds its ONNX graphs from float32 weights, and writes them atomically beside an `onnx.json`
 * that records the family, the graph version, the model's config and the SHA-256 of the source
 * weights (the cache key).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { ConvertError } from "../errors.js";
import type { Wav2Vec2Config } from "@whisperx-mlx/core";
import { checkDims, type WhisperDims } from "../families/whisper.js";
import { readMlxWeightsFloat32 } from "../readers/mlx-model.js";
import type { HostTensor } from "../tensor.js";
import type { WeightFormat } from "./graph-builder.js";
import { logMelGraph } from "./mel-graph.js";
import { wav2vec2Graph } from "./wav2vec2-graph.js";
import { whisperDecoderGraph, whisperEncoderGraph } from "./whisper-graphs.js";

/** Version of each family's graph layout and interface; caches of another version are rebuilt. */
export const ONNX_GRAPH_VERSION = { whisper: 7, wav2vec2: 1 } as const;

/** What `onnx.json` records. */
export type OnnxManifest = {
  format: "whisperx-mlx-onnx";
  graphVersion: number;
  /** SHA-256 of the source `weights.safetensors`. */
  sourceSha256: string;
} & ({ family: "whisper"; dims: WhisperDims; weights: WeightFormat; graphs: { mel: string; encoder: string; decoder: string } } | { family: "wav2vec2"; config: Wav2Vec2Config; graphs: { wav2vec2: string } });

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

/**
 * Builds and writes the ONNX graphs and `onnx.json` for an MLX Whisper or wav2vec2 directory
 * (`sourceSha256`: the weights' hash when the caller already has it).
 */
export function convertMlxToOnnx(mlxDir: string, outDir: string, options: { force?: boolean; weights?: WeightFormat; sourceSha256?: string } = {}): OnnxManifest {
  const weightFormat = options.weights ?? "float32";
  const target = resolve(outDir);
  if (existsSync(target) && !options.force) throw new ConvertError(outDir, "output already exists (use --force to overwrite)");
  const configFile = join(mlxDir, "config.json");
  if (!existsSync(configFile)) throw new ConvertError(mlxDir, "not an MLX model directory (no config.json)");
  const type = (JSON.parse(readFileSync(configFile, "utf8")) as { model_type?: string }).model_type;
  const files = new Map<string, Uint8Array>();
  let manifest: OnnxManifest;
  if (type === "wav2vec2") {
    if (weightFormat !== "float32") throw new ConvertError(mlxDir, "quantised ONNX graphs are built for Whisper only");
    const config = JSON.parse(readFileSync(configFile, "utf8")) as Wav2Vec2Config;
    const { weights } = readMlxWeightsFloat32(mlxDir, config.quantization);
    files.set("wav2vec2.onnx", wav2vec2Graph(config, weights));
    // The graph holds float32 weights, so the manifest's config has no quantization.
    const plain = { ...config };
    delete plain.quantization;
    manifest = { format: "whisperx-mlx-onnx", family: "wav2vec2", graphVersion: ONNX_GRAPH_VERSION.wav2vec2, sourceSha256: options.sourceSha256 ?? fileSha256(join(mlxDir, "weights.safetensors")), config: plain, graphs: { wav2vec2: "wav2vec2.onnx" } };
  } else {
    const { dims, weights, sourceDtype, weightsFile } = readMlxWhisper(mlxDir);
    files.set("mel.onnx", logMelGraph(dims.n_mels));
    files.set("encoder.onnx", whisperEncoderGraph(dims, weights, { roundPositionsToHalf: sourceDtype === "float16", weights: weightFormat }));
    files.set("decoder.onnx", whisperDecoderGraph(dims, weights, { weights: weightFormat }));
    manifest = { format: "whisperx-mlx-onnx", family: "whisper", graphVersion: ONNX_GRAPH_VERSION.whisper, sourceSha256: options.sourceSha256 ?? fileSha256(weightsFile), dims, weights: weightFormat, graphs: { mel: "mel.onnx", encoder: "encoder.onnx", decoder: "decoder.onnx" } };
  }
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now()}`);
  try {
    mkdirSync(tmp, { recursive: true });
    for (const [name, bytes] of files) writeFileSync(join(tmp, name), bytes);
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
