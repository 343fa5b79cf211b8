/**
 * `convert … --to onnx`: reads an MLX model directory (fp16/fp32/quantized) of Whisper or wav2vec2,
 * builds its ONNX graphs from float32 weights, and writes them atomically beside an `onnx.json`
 * that records the family, the graph version, the model's config and the SHA-256 of the source
 * weights (the cache key).
 */
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { ConvertError } from "../errors.js";
import type { Wav2Vec2Config } from "@whisperx-mlx/core";
import { readMlxWhisperDir, whisperDimsOf, type WhisperDims } from "../families/whisper.js";
import { openMlxWeightsFloat32, readMlxWeightsFloat32 } from "../readers/mlx-model.js";
import type { HostTensor } from "../tensor.js";
import { EXTERNAL_DATA_THRESHOLD, type WeightFormat } from "./graph-builder.js";
import { logMelGraph } from "./mel-graph.js";
import { wav2vec2Graph } from "./wav2vec2-graph.js";
import { whisperDecoderGraph, whisperEncoderGraph } from "./whisper-graphs.js";

/** Version of each family's graph layout and interface; caches of another version are rebuilt. */
export const ONNX_GRAPH_VERSION = { whisper: 8, wav2vec2: 1 } as const;

/** What `onnx.json` records. */
export type OnnxManifest = {
  format: "whisperx-mlx-onnx";
  graphVersion: number;
  /** SHA-256 of the source `weights.safetensors`. */
  sourceSha256: string;
} & ({ family: "whisper"; dims: WhisperDims; weights: WeightFormat; graphs: { mel: string; encoder: string; decoder: string }; alignment_heads?: [number, number][] } | { family: "wav2vec2"; config: Wav2Vec2Config; graphs: { wav2vec2: string } });

/** SHA-256 of a file, hex (read in 16 MiB pieces: weights files pass 2 GiB). */
export function fileSha256(file: string): string {
  const h = createHash("sha256");
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.allocUnsafe(16 << 20);
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest("hex");
}

/** An MLX Whisper directory's dims, float32 weights (quantized ones dequantized; those `only` accepts) and alignment heads. */
export function readMlxWhisper(dir: string, only?: (name: string) => boolean): { dims: WhisperDims; weights: Map<string, HostTensor>; sourceDtype: string; weightsFile: string; alignmentHeads?: [number, number][] } {
  const src = readMlxWhisperDir(dir, { dequantize: true, only });
  const dims = whisperDimsOf(src.config);
  return { dims, weights: src.tensors, sourceDtype: src.sourceDtype, weightsFile: src.weightsFile, alignmentHeads: src.alignmentHeads };
}

/**
 * About how many bytes of float32 weights each Whisper graph holds: the encoder (convs, blocks,
 * and every cross-attention's K/V projection) and the decoder (blocks, token embedding used twice).
 */
export function whisperGraphFloat32Bytes(d: WhisperDims): { encoder: number; decoder: number } {
  const A = d.n_audio_state;
  const T = d.n_text_state;
  return {
    encoder: 4 * (3 * A * d.n_mels + 3 * A * A + d.n_audio_layer * 12 * A * A + d.n_text_layer * 2 * T * T),
    decoder: 4 * (2 * d.n_vocab * T + d.n_text_ctx * T + d.n_text_layer * 14 * T * T),
  };
}

/**
 * Builds and writes the ONNX graphs and `onnx.json` for an MLX Whisper or wav2vec2 directory
 * (`sourceSha256`: the weights' hash when the caller already has it). Whisper's encoder and
 * decoder are built one after the other, each from its own weights, and written as soon as built,
 * so the peak is about one graph's float32 weights; graphs past protobuf's 2 GiB limit keep their
 * weights in `<graph>.onnx.data` (ONNX external data; `externalData: true` forces it).
 */
export function convertMlxToOnnx(mlxDir: string, outDir: string, options: { force?: boolean; weights?: WeightFormat; sourceSha256?: string; externalData?: boolean } = {}): OnnxManifest {
  const weightFormat = options.weights ?? "float32";
  const target = resolve(outDir);
  if (existsSync(target) && !options.force) throw new ConvertError(outDir, "output already exists (use --force to overwrite)");
  const configFile = join(mlxDir, "config.json");
  if (!existsSync(configFile)) throw new ConvertError(mlxDir, "not an MLX model directory (no config.json)");
  const type = (JSON.parse(readFileSync(configFile, "utf8")) as { model_type?: string }).model_type;
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now()}`);
  const external = options.externalData === true ? { external: true } : {};
  try {
    mkdirSync(tmp, { recursive: true });
    let manifest: OnnxManifest;
    if (type === "wav2vec2") {
      if (weightFormat !== "float32") throw new ConvertError(mlxDir, "quantised ONNX graphs are built for Whisper only");
      const config = JSON.parse(readFileSync(configFile, "utf8")) as Wav2Vec2Config;
      const { weights } = readMlxWeightsFloat32(mlxDir, config.quantization);
      wav2vec2Graph(config, weights).writeTo(join(tmp, "wav2vec2.onnx"), external);
      // The graph holds float32 weights, so the manifest's config has no quantization.
      const plain = { ...config };
      delete plain.quantization;
      manifest = { format: "whisperx-mlx-onnx", family: "wav2vec2", graphVersion: ONNX_GRAPH_VERSION.wav2vec2, sourceSha256: options.sourceSha256 ?? fileSha256(join(mlxDir, "weights.safetensors")), config: plain, graphs: { wav2vec2: "wav2vec2.onnx" } };
    } else {
      // Config, heads and the token embedding's stored dtype (it decides the encoder's position
      // rounding) first; then each graph reads its weights one by one as it is built.
      const { dims, sourceDtype, weightsFile, alignmentHeads } = readMlxWhisper(mlxDir, (n) => n === "decoder.token_embedding.weight");
      const quantization = readMlxWhisperDir(mlxDir, { only: () => false }).config.quantization;
      logMelGraph(dims.n_mels).writeTo(join(tmp, "mel.onnx"));
      const weights = openMlxWeightsFloat32(mlxDir, quantization);
      // A graph that will pass protobuf's limit streams its weights to disk as they are made.
      const size = whisperGraphFloat32Bytes(dims);
      const sinkFor = (graph: "encoder" | "decoder") => (options.externalData || size[graph] > EXTERNAL_DATA_THRESHOLD ? join(tmp, `${graph}.onnx.data`) : undefined);
      try {
        whisperEncoderGraph(dims, weights, { roundPositionsToHalf: sourceDtype === "float16", weights: weightFormat, externalData: sinkFor("encoder") }).writeTo(join(tmp, "encoder.onnx"), external);
        whisperDecoderGraph(dims, weights, { weights: weightFormat, externalData: sinkFor("decoder") }).writeTo(join(tmp, "decoder.onnx"), external);
      } finally {
        weights.close();
      }
      manifest = { format: "whisperx-mlx-onnx", family: "whisper", graphVersion: ONNX_GRAPH_VERSION.whisper, sourceSha256: options.sourceSha256 ?? fileSha256(weightsFile), dims, weights: weightFormat, graphs: { mel: "mel.onnx", encoder: "encoder.onnx", decoder: "decoder.onnx" }, ...(alignmentHeads ? { alignment_heads: alignmentHeads } : {}) };
    }
    writeFileSync(join(tmp, "onnx.json"), JSON.stringify(manifest, null, 2) + "\n");
    if (existsSync(target)) rmSync(target, { recursive: true, force: true });
    renameSync(tmp, target);
    return manifest;
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (e instanceof ConvertError) throw e;
    throw new ConvertError(outDir, `cannot write ONNX graphs (${(e as Error).message})`);
  }
}
