/**
 * Where models come from: the Hugging Face Hub (into its own cache layout, through core's
 * `downloadRepoFiles`), torchaudio's download server, and the conversion cache
 * (`$XDG_CACHE_HOME/whisperx-mlx/models`), with WhisperX's `download_root` / `local_files_only`.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, realpathSync, renameSync, rmSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { basename, join } from "node:path";
import { convertModel, repackageMlxWhisper, type ModelFamily } from "@whisperx-mlx/convert";
import type { HubOptions } from "@whisperx-mlx/core";

/** A model name, Hub id or directory that cannot be resolved; the message is one line. */
export class ModelResolveError extends Error {
  override name = "ModelResolveError";
}

/** How models are fetched (WhisperX's `download_root`, `local_files_only`, `use_auth_token`). */
export interface ModelSourceOptions {
  /** The Hugging Face cache to download into (default: HF_HUB_CACHE, else ~/.cache/huggingface/hub). */
  downloadRoot?: string;
  /** Use cached files only, never the network. */
  localFilesOnly?: boolean;
  /** A Hugging Face token for gated or private repos (default: HF_TOKEN). */
  token?: string;
  /** One-line progress messages: downloads and conversions. */
  onLog?: (message: string) => void;
}

/** Core's Hub settings from WhisperX-style options (the environment fills in the rest). */
export function hubOverrides(o: ModelSourceOptions): Partial<HubOptions> {
  return { ...(o.downloadRoot ? { cacheDir: o.downloadRoot } : {}), ...(o.localFilesOnly ? { offline: true } : {}), ...(o.token ? { token: o.token } : {}) };
}

/** An MLX model directory: `config.json` and `weights.safetensors`. */
export function isMlxDir(dir: string): boolean {
  return existsSync(join(dir, "config.json")) && existsSync(join(dir, "weights.safetensors"));
}

/** Where converted models are kept. */
export function modelCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "whisperx-mlx", "models");
}

/** Converts `source` into the model cache under `key`, once (through a temp dir and a rename). */
export function convertOnce(family: ModelFamily, source: string, key: string, dtype: "float16" | "float32", onLog?: (message: string) => void): string {
  return writeOnce(key, `converting ${basename(source)} to MLX (${dtype})`, (tmp) => void convertModel({ family, torchNameOrPath: source, mlxPath: tmp, dtype, force: true }), onLog);
}

/**
 * Rewrites an MLX Whisper directory that is not in our layout (mlx-community's `weights.npz`)
 * into the model cache under `key`, once; tensors keep their dtype, quantized ones stay quantized.
 */
export function repackageOnce(source: string, key: string, onLog?: (message: string) => void): string {
  return writeOnce(key, `repackaging ${basename(source)} (weights.npz → weights.safetensors)`, (tmp) => void repackageMlxWhisper(source, tmp, { force: true }), onLog);
}

/** Writes a model directory into the cache once: into a temp dir, then a rename. */
function writeOnce(key: string, what: string, write: (tmp: string) => void, onLog?: (message: string) => void): string {
  return writeModelOnce(key, what, write, onLog, isMlxDir);
}

/** `writeOnce` for any layout: `complete` says whether a directory is a finished model. */
export function writeModelOnce(key: string, what: string, write: (tmp: string) => void, onLog: ((message: string) => void) | undefined, complete: (dir: string) => boolean): string {
  const out = join(modelCacheDir(), key);
  if (complete(out)) return out;
  mkdirSync(join(out, ".."), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  onLog?.(`${what} in ${out}`);
  try {
    write(tmp);
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    // Another process may have finished the same conversion first.
    if (complete(out)) return out;
    throw e;
  }
  return out;
}

/** A cache key part that changes when any of `files` is replaced: their sizes and modification times. */
export function filesStamp(files: string[]): string {
  const h = createHash("sha256");
  for (const f of files) {
    const st = statSync(f);
    h.update(`${realpathSync(f)}\0${st.size}\0${Math.round(st.mtimeMs)}\n`);
  }
  return h.digest("hex").slice(0, 16);
}
