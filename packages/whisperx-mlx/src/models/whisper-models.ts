/**
 * Whisper model names → converted MLX directories: a directory is used as it is; the bundled
 * demo by its name; a Whisper name (`tiny` … `large-v3-turbo`) or a Hub id is downloaded and
 * converted once.
 */
import { existsSync, statSync } from "node:fs";
import { bundledModel } from "./bundled.js";
import { convertedFromHub, HUB_ID } from "./hub-models.js";
import { ModelResolveError, type ModelSourceOptions } from "./model-source.js";

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

/** The MLX directory of a Whisper model given by directory, bundled name, Whisper name or Hub id. */
export async function resolveWhisperModel(nameOrPath: string, options: ModelSourceOptions = {}): Promise<string> {
  if (existsSync(nameOrPath) && statSync(nameOrPath).isDirectory()) return nameOrPath;
  const bundled = bundledModel(nameOrPath);
  if (bundled) return bundled;
  const repo = WHISPER_REPOS[nameOrPath] ?? (HUB_ID.test(nameOrPath) ? nameOrPath : undefined);
  if (!repo) throw new ModelResolveError(`model '${nameOrPath}': no such model directory`);
  if (/faster-whisper|ctranslate2/i.test(repo)) throw new ModelResolveError(`model '${nameOrPath}': CTranslate2 (faster-whisper) weights cannot run here; use the Whisper name or a transformers/OpenAI Whisper repo`);
  return convertedFromHub(repo, "whisper", options);
}
