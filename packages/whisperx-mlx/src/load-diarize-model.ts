/**
 * `loadDiarizationPipeline`: WhisperX's `DiarizationPipeline(model_name, token, device)` — a pyannote
 * speaker-diarization pipeline (community-1 by default, or 3.1) on an engine.
 */
import { DiarizationPipeline, type BackendChoice } from "@whisperx-mlx/core";
import { selectEngine } from "./engines.js";
import { DEFAULT_DIARIZE_MODEL, resolveDiarizeModel } from "./models/diarize-models.js";
import type { ModelSourceOptions } from "./models/model-source.js";

/** Options of `loadDiarizationPipeline`. */
export interface LoadDiarizationOptions extends ModelSourceOptions {
  /** The engine (default `auto`: MLX on Apple Silicon, ONNX Runtime elsewhere). */
  backend?: BackendChoice;
  /** The engine's intra-op threads. */
  threads?: number;
}

/** Loads a diarization pipeline: a Hub id (default WhisperX's), a pyannote pipeline directory or `config.yaml`, or a converted directory. */
export async function loadDiarizationPipeline(nameOrPath: string = DEFAULT_DIARIZE_MODEL, options: LoadDiarizationOptions = {}): Promise<DiarizationPipeline> {
  const dir = await resolveDiarizeModel(nameOrPath, options);
  const engine = await selectEngine(options.backend ?? "auto", options);
  return DiarizationPipeline.load(dir, engine, { threads: options.threads, onLog: options.onLog });
}
