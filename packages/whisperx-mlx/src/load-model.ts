/**
 * `loadModel`: WhisperX's `load_model` — a Whisper model by name, Hub id or directory, on an
 * engine, with its VAD and decoding options, as an `AsrPipeline`.
 */
import {
  AsrPipeline,
  checkAsrOptions,
  DEFAULT_ASR_OPTIONS,
  InvalidOptionError,
  LANGUAGE_CODES,
  toLanguageCode,
  DEFAULT_VAD_OPTIONS,
  type AsrOptions,
  type BackendChoice,
  type ComputeType,
  type SpeechProbabilityModel,
  type Task,
  type VadMethod,
  type VadOptions,
} from "@whisperx-mlx/core";
import { existsSync } from "node:fs";
import { join } from "node:path";
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
  /** The language of every call that does not name one, as a code or a name ("de", "German"); default: detect on the first 30 s. */
  language?: string;
  task?: Task;
  /** Decoding options (WhisperX's `asr_options`); unset ones take WhisperX's defaults. */
  asrOptions?: Partial<AsrOptions>;
  /** `silero` (default): VAD-cut batched chunks; `none`: openai-whisper's sequential 30 s windows. */
  vadMethod?: VadMethod;
  vadOptions?: Partial<VadOptions>;
  /** Where Silero runs (default `onnx`: batched over all windows of a file). */
  vadRuntime?: VadRuntime;
  /**
   * A Silero model: a directory written by `pnpm convert silero-vad` (either runtime, batched) or
   * silero-vad's own `.onnx` file (onnx runtime, window by window); default: the bundled v6.
   */
  vadModel?: string;
  /** The engine's intra-op threads (0 or undefined: its default). */
  threads?: number;
}

/** Loads a Whisper model and returns its pipeline. */
export async function loadModel(nameOrPath: string, options: LoadModelOptions = {}): Promise<AsrPipeline> {
  const vadMethod = options.vadMethod ?? "silero";
  const asrOptions = { ...DEFAULT_ASR_OPTIONS, ...options.asrOptions };
  checkAsrOptions(asrOptions, options.asrOptions ?? {}, vadMethod);
  const language = options.language === undefined ? undefined : toLanguageCode(options.language);
  if (options.language !== undefined && language === undefined) throw new InvalidOptionError(`unsupported language '${options.language}' (a code such as "en" or a name such as "English")`);
  const modelDir = await resolveWhisperModel(nameOrPath, options);
  const engine = await selectEngine(options.backend ?? "auto", options);
  const load = { computeType: options.computeType, threads: options.threads, onLog: options.onLog };
  const backend = await engine.loadWhisper(modelDir, load);
  if (language !== undefined) checkModelLanguage(backend.dims.n_vocab, language, nameOrPath);
  let speechModel: SpeechProbabilityModel | undefined;
  if (vadMethod === "silero" && options.vadRuntime === "mlx") {
    const mlx = await engineNamed("mlx");
    speechModel = await mlx.loadSpeechModel?.(options.vadModel ?? (bundledModel(BUNDLED_SILERO_MLX) as string), { threads: options.threads, onLog: options.onLog });
  } else if (vadMethod === "silero" && (options.vadModel === undefined || isConvertedModel(options.vadModel))) {
    // Silero batched over all windows of a file on ONNX Runtime (a few calls per file); an
    // `.onnx` `vadModel` (silero-vad's own) runs window by window in the decoding worker instead.
    const onnx = await engineNamed("onnx");
    speechModel = await onnx.loadSpeechModel?.(options.vadModel ?? (bundledModel(BUNDLED_SILERO_MLX) as string), { threads: options.threads, onLog: options.onLog });
  }
  return new AsrPipeline({
    backend,
    engine: engine.name,
    modelDir,
    modelName: nameOrPath,
    language,
    task: options.task ?? "transcribe",
    asrOptions,
    vadMethod,
    vadOptions: { ...DEFAULT_VAD_OPTIONS, ...options.vadOptions },
    speechModel,
    vadModelPath: speechModel ? undefined : options.vadModel,
  });
}

/** Refuses a language the model has no token for (English-only models know only English; v3 adds Cantonese). */
export function checkModelLanguage(nVocab: number, language: string, modelName: string): void {
  const multilingual = nVocab >= 51865;
  const known = multilingual ? LANGUAGE_CODES.slice(0, nVocab - 51765 - 1) : ["en"];
  if (!(known as readonly string[]).includes(language)) {
    throw new InvalidOptionError(multilingual ? `model '${modelName}' has no language '${language}'` : `model '${modelName}' is English-only; it cannot transcribe '${language}'`);
  }
}

/** A directory written by `pnpm convert silero-vad` (rather than an `.onnx` file). */
function isConvertedModel(path: string): boolean {
  return existsSync(join(path, "config.json"));
}
