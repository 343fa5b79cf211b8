/**
 * Whisper model names → MLX directories. A directory is used as it is when in MLX layout,
 * repackaged once when it holds mlx-community's `weights.npz`, converted once when it holds a
 * transformers or OpenAI checkpoint; the bundled demo by its name; a Whisper name, a `distil-*`
 * name, a `-q4`/`-q8` name or a Hub id is downloaded (and converted if need be) once.
 */
import { existsSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { findHfWeights, isMlxWhisperDir, mlxWeightsFile } from "@whisperx-mlx/convert";
import { bundledModel } from "./bundled.js";
import { convertedFromHub, HUB_ID } from "./hub-models.js";
import { convertOnce, filesStamp, isMlxDir, ModelResolveError, repackageOnce, type ModelSourceOptions } from "./model-source.js";

/** openai-whisper's model names and their Hugging Face repos (transformers format, converted here). */
export const WHISPER_REPOS: Readonly<Record<string, string>> = {
  tiny: "openai/whisper-tiny",
  "tiny.en": "openai/whisper-tiny.en",
  base: "openai/whisper-base",
  "base.en": "openai/whisper-base.en",
  small: "openai/whisper-small",
  "small.en": "openai/whisper-small.en",
  medium: "openai/whisper-medium",
  "medium.en": "openai/whisper-medium.en",
  "large-v1": "openai/whisper-large",
  "large-v2": "openai/whisper-large-v2",
  "large-v3": "openai/whisper-large-v3",
  large: "openai/whisper-large-v3",
  "large-v3-turbo": "openai/whisper-large-v3-turbo",
  turbo: "openai/whisper-large-v3-turbo",
};

/** Distil-Whisper's names (as faster-whisper and WhisperX take them) and their transformers repos. */
export const DISTIL_REPOS: Readonly<Record<string, string>> = {
  "distil-large-v2": "distil-whisper/distil-large-v2",
  "distil-medium.en": "distil-whisper/distil-medium.en",
  "distil-small.en": "distil-whisper/distil-small.en",
  "distil-large-v3": "distil-whisper/distil-large-v3",
  "distil-large-v3.5": "distil-whisper/distil-large-v3.5",
};

/** The names mlx-community publishes 4- and 8-bit conversions of: `mlx-community/whisper-<name>-mlx-<bits>bit`. */
export const MLX_COMMUNITY_QUANTIZED = ["tiny", "base", "small", "medium", "large", "large-v2", "large-v3"] as const;

/** The Hub repo of a model name (`tiny`, `distil-large-v3`, `small-q4`), or undefined for other names. */
export function whisperRepoOf(name: string): string | undefined {
  const repo = WHISPER_REPOS[name] ?? DISTIL_REPOS[name];
  if (repo) return repo;
  const q = /^(.+)-q([48])$/.exec(name);
  if (!q) return undefined;
  if (!(MLX_COMMUNITY_QUANTIZED as readonly string[]).includes(q[1])) throw new ModelResolveError(`model '${name}': mlx-community publishes ${q[2]}-bit conversions of ${MLX_COMMUNITY_QUANTIZED.join(", ")} only; for others convert with 'pnpm convert -q --q-bits ${q[2]}'`);
  return `mlx-community/whisper-${q[1]}-mlx-${q[2]}bit`;
}

/** The MLX directory of a Whisper model given by directory, bundled name, model name or Hub id. */
export async function resolveWhisperModel(nameOrPath: string, options: ModelSourceOptions = {}): Promise<string> {
  if (existsSync(nameOrPath)) return localWhisperModel(nameOrPath, options);
  const bundled = bundledModel(nameOrPath);
  if (bundled) return bundled;
  const repo = whisperRepoOf(nameOrPath) ?? (HUB_ID.test(nameOrPath) ? nameOrPath : undefined);
  if (!repo) throw new ModelResolveError(`model '${nameOrPath}': no such model directory, model name or Hub id`);
  if (/faster-whisper|ctranslate2/i.test(repo)) throw new ModelResolveError(`model '${nameOrPath}': CTranslate2 (faster-whisper) weights cannot run here; use the Whisper name or a transformers/OpenAI Whisper repo`);
  return convertedFromHub(repo, "whisper", options);
}

/** A local model: an MLX directory as is, mlx-community npz repackaged once, a checkpoint converted once. */
function localWhisperModel(path: string, options: ModelSourceOptions): string {
  const name = basename(path.replace(/\/+$/, "")) || "model";
  if (statSync(path).isDirectory()) {
    if (isMlxDir(path)) return path;
    if (isMlxWhisperDir(path)) return repackageOnce(path, join("local", `${name}-${filesStamp([join(path, "config.json"), mlxWeightsFile(path) as string])}-mlx`), options.onLog);
    const weights = existsSync(join(path, "config.json")) ? findHfWeights(path) : undefined;
    if (!weights) throw new ModelResolveError(`model '${path}': not a model directory (no config.json with weights.safetensors, weights.npz, model.safetensors or pytorch_model.bin)`);
    const stamped = [join(path, "config.json"), weights, ...["generation_config.json"].map((f) => join(path, f)).filter(existsSync)];
    return convertOnce("whisper", path, join("local", `${name}-${filesStamp(stamped)}-float16`), "float16", options.onLog);
  }
  if (/\.(pt|pth|bin)$/.test(path)) return convertOnce("whisper", path, join("local", `${name}-${filesStamp([path])}-float16`), "float16", options.onLog);
  throw new ModelResolveError(`model '${path}': a file, not a model directory (give the directory, or an OpenAI .pt checkpoint)`);
}
