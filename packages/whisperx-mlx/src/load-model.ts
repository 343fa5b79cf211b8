/**
 * `loadModel`: WhisperX's `load_model` — a Whisper model by name, Hub id or directory, on an
 * engine, with its VAD and decoding options, as an `AsrPipeline`.
 */
import {
  AsrPipeline,
  DEFAULT_ASR_OPTIONS,
  DEFAULT_VAD_OPTIONS,
  type AsrOptions,
  type BackendChoice,
  type ComputeType,
  type SpeechProbabilityModel,
  type Task,
  type VadMethod,
  type VadOptions,
} from "@whisperx-mlx/core";
import { engineNamed, selectEngine } from "./engines.js";
import { bundledModel, BUNDLED_SILERO_MLX } from "./models/bundled.js";
import type { ModelSourceOptions } from "./models/model-source.js";
import { resolveWhisperModel } from "./models/whisper-models.js";

/** Where Silero runs: ONNX Runtime in a worker thread (default), or MLX in this process. */
export type VadRuntime = "onnx" | "mlx";

/** Options of `loadModel` (WhisperX's `load_model` arguments in camelCase). */
export interface LoadModelOptions extends ModelSourceOptions {
  /** `auto` (default): MLX on Apple Silicon, ONNX Runtime elsewhere. */
  backend?: BackendChoice;
  computeType?: ComputeType;
  /** The language of every call that does not name one (default: detect on the first 30 s). */
  language?: string;
  task?: Task;
  /** Decoding options (WhisperX's `asr_options`); unset ones take WhisperX's defaults. */
  asrOptions?: Partial<AsrOptions>;
  /** `silero` (default): VAD-cut batched chunks; `none`: openai-whisper's sequential 30 s windows. */
  vadMethod?: VadMethod;
  vadOptions?: Partial<VadOptions>;
  /** Where Silero runs (default `onnx`). */
  vadRuntime?: VadRuntime;
  /** A Silero model: an `.onnx` file (onnx runtime) or a converted directory (mlx runtime); default: the bundled v6. */
  vadModel?: string;
  /** The engine's intra-op threads (0 or undefined: its default). */
  threads?: number;
}

/** Loads a Whisper model and returns its pipeline. */
export async function loadModel(nameOrPath: string, options: LoadModelOptions = {}): Promise<AsrPipeline> {
  const modelDir = await resolveWhisperModel(nameOrPath, options);
  const engine = await selectEngine(options.backend ?? "auto", options);
  const load = { computeType: options.computeType, threads: options.threads, onLog: options.onLog };
  const backend = await engine.loadWhisper(modelDir, load);
  const vadMethod = options.vadMethod ?? "silero";
  let speechModel: SpeechProbabilityModel | undefined;
  if (vadMethod === "silero" && options.vadRuntime === "mlx") {
    const mlx = await engineNamed("mlx");
    speechModel = await mlx.loadSpeechModel?.(options.vadModel ?? (bundledModel(BUNDLED_SILERO_MLX) as string), { threads: options.threads, onLog: options.onLog });
  }
  return new AsrPipeline({
    backend,
    engine: engine.name,
    modelDir,
    modelName: nameOrPath,
    language: options.language,
    task: options.task ?? "transcribe",
    asrOptions: { ...DEFAULT_ASR_OPTIONS, ...options.asrOptions },
    vadMethod,
    vadOptions: { ...DEFAULT_VAD_OPTIONS, ...options.vadOptions },
    speechModel,
    vadModelPath: options.vadRuntime === "mlx" ? undefined : options.vadModel,
  });
}
