/**
 * `loadAlignModel`: WhisperX's `load_align_model` — the wav2vec2 aligner for a language (its
 * default, or one named), on an engine. Loaded aligners are kept per directory and engine, so a
 * run over many files loads each once.
 */
import type { AlignModel, AsrPipeline, BackendChoice } from "@whisperx-mlx/core";
import { engineNamed, selectEngine } from "./engines.js";
import { defaultAlignModelName, resolveAlignModel } from "./models/align-models.js";
import type { ModelSourceOptions } from "./models/model-source.js";

/** Options of `loadAlignModel`. */
export interface LoadAlignModelOptions extends ModelSourceOptions {
  /** A directory, Hub id or torchaudio bundle (default: WhisperX's model for the language). */
  modelName?: string;
  /** The engine (default: the ASR model's when `asrModel` is given, else `auto`). */
  backend?: BackendChoice;
  /** The ASR pipeline the aligner will serve: its engine is reused, and the bundled demo model gets the bundled demo aligner. */
  asrModel?: AsrPipeline;
  /** The engine's intra-op threads. */
  threads?: number;
}

/** An alignment model with what WhisperX's metadata holds. */
export interface LoadedAlignModel extends AlignModel {
  language: string;
  /** The converted model directory. */
  dir: string;
}

const loaded = new Map<string, Promise<LoadedAlignModel>>();

/** Loads (or returns the already loaded) alignment model for `languageCode`. */
export async function loadAlignModel(languageCode: string, options: LoadAlignModelOptions = {}): Promise<LoadedAlignModel> {
  const name = options.modelName ?? defaultAlignModelName(languageCode, options.asrModel?.modelDir);
  const dir = await resolveAlignModel(name, options);
  const engine = options.asrModel && options.backend === undefined ? await engineNamed(options.asrModel.engine) : await selectEngine(options.backend ?? "auto", options);
  const key = `${engine.name}\u0000${dir}\u0000${languageCode}`;
  let model = loaded.get(key);
  if (!model) {
    model = engine.loadAligner(dir, { threads: options.threads, onLog: options.onLog }).then((m) => ({ ...m, language: languageCode, dir }));
    model.catch(() => loaded.delete(key));
    loaded.set(key, model);
  }
  return model;
}
