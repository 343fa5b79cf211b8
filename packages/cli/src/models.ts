/**
 * Model names → local MLX directories. A directory is used as it is; a Whisper name (`tiny` …
 * `large-v3-turbo`) or a Hub id (`org/name`) is fetched into the Hugging Face cache and converted
 * once into `$XDG_CACHE_HOME/whisperx-mlx/models/<repo>/<commit>-<dtype>`; torchaudio's English
 * aligner comes from download.pytorch.org into torch's own checkpoint cache.
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { basename, join } from "node:path";
import { convertModel, type ModelFamily } from "@whisperx-mlx/convert";
import { downloadRepoFiles, downloadUrl, HubError, hubOptionsFromEnv, type HubFile, type HubOptions } from "@whisperx-mlx/core";
import { UsageError } from "./args.js";
import { DEFAULT_ALIGN_MODELS } from "./align-models.js";
import { BUNDLED_ALIGN_MODEL, BUNDLED_MODEL } from "./paths.js";

/** openai-whisper's model names and their Hugging Face repos (transformers format, converted here). */
export const WHISPER_REPOS: Record<string, string> = {
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

/** torchaudio's checkpoint files of the bundles our converter reads (their labels are built in). */
const TORCHAUDIO_FILES: Record<string, string> = { WAV2VEC2_ASR_BASE_960H: "wav2vec2_fairseq_base_ls960_asr_ls960.pth" };

const HUB_ID = /^[\w.-]+\/[\w.-]+$/;

/** Progress lines (downloads, conversions) go here. */
export type Log = (message: string) => void;

/** How models are fetched: progress lines, and Hub settings over the environment's (`--model_dir`, `--model_cache_only`). */
export interface FetchOptions {
  log: Log;
  hub?: Partial<HubOptions>;
}

function isMlxDir(dir: string): boolean {
  return existsSync(join(dir, "config.json")) && existsSync(join(dir, "weights.safetensors"));
}

/** Where converted models are kept. */
export function modelCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "whisperx-mlx", "models");
}

/** A repo's weights: one safetensors file, a shard index with its shards, or pytorch_model.bin. */
function pickWeights(files: HubFile[], extra: string[]): string[] {
  const has = (p: string) => files.some((f) => f.path === p);
  if (!has("config.json")) return [];
  const meta = ["config.json", ...extra.filter(has)];
  if (has("model.safetensors")) return [...meta, "model.safetensors"];
  if (has("model.safetensors.index.json")) return [...meta, "model.safetensors.index.json", ...files.filter((f) => /^model-\d+-of-\d+\.safetensors$/.test(f.path)).map((f) => f.path)];
  if (has("pytorch_model.bin")) return [...meta, "pytorch_model.bin"];
  return [];
}

/** Converts `source` into the model cache once (through a temp dir and a rename). */
function convertOnce(family: ModelFamily, source: string, key: string, dtype: "float16" | "float32", log: Log): string {
  const out = join(modelCacheDir(), key);
  if (isMlxDir(out)) return out;
  mkdirSync(join(out, ".."), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  log(`converting ${basename(source)} to MLX (${dtype}) in ${out}`);
  try {
    convertModel({ family, torchNameOrPath: source, mlxPath: tmp, dtype, force: true });
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    // Another process may have finished the same conversion first.
    if (isMlxDir(out)) return out;
    throw e;
  }
  return out;
}

/** Downloads a Hub repo's model files and converts them once. */
async function fromHub(repo: string, family: ModelFamily, { log, hub }: FetchOptions): Promise<string> {
  const extra = family === "whisper" ? ["generation_config.json"] : ["vocab.json"];
  try {
    const snap = await downloadRepoFiles(repo, (files) => pickWeights(files, extra), { ...hub, onProgress: log });
    if (family === "wav2vec2" && !snap.files.includes("vocab.json")) throw new HubError(`${repo}: no vocab.json (not a Wav2Vec2ForCTC repo)`);
    const dtype = family === "whisper" ? "float16" : "float32";
    return convertOnce(family, snap.dir, join(repo.replace("/", "--"), `${snap.commit.slice(0, 12)}-${dtype}`), dtype, log);
  } catch (e) {
    if (e instanceof HubError) throw new UsageError(`model '${repo}': ${e.message}`);
    throw e;
  }
}

/** `--model`: the bundled demo model (none given), an MLX directory, a Whisper name or a Hub id. */
export async function resolveWhisperModel(name: string | null, fetch: FetchOptions): Promise<string> {
  if (name === null) return BUNDLED_MODEL;
  if (existsSync(name) && statSync(name).isDirectory()) return name;
  const repo = WHISPER_REPOS[name] ?? (HUB_ID.test(name) ? name : undefined);
  if (!repo) throw new UsageError(`model '${name}': no such model directory`);
  if (/faster-whisper|ctranslate2/i.test(repo)) throw new UsageError(`model '${name}': CTranslate2 (faster-whisper) weights cannot run here; use the Whisper name or a transformers/OpenAI Whisper repo`);
  return fromHub(repo, "whisper", fetch);
}

/**
 * `--align_model`, or WhisperX's default for the language (reference-semantics §1.4). English
 * with the bundled demo Whisper model uses the bundled demo aligner (both are trained on the same
 * synthetic speech); with a real model, torchaudio's WAV2VEC2_ASR_BASE_960H, as WhisperX does.
 */
export async function resolveAlignModel(name: string | null, language: string, whisperDir: string, fetch: FetchOptions): Promise<string> {
  if (name !== null) {
    if (existsSync(name) && statSync(name).isDirectory()) return name;
    if (HUB_ID.test(name)) return fromHub(name, "wav2vec2", fetch);
    if (name.startsWith("torchaudio:") || name in TORCHAUDIO_FILES) return fromTorchaudio(name.replace(/^torchaudio:/, ""), fetch);
    throw new UsageError(`align model '${name}': not a model directory, Hub id or torchaudio bundle`);
  }
  if (language === "en" && sameDir(whisperDir, BUNDLED_MODEL)) return BUNDLED_ALIGN_MODEL;
  const id = DEFAULT_ALIGN_MODELS[language];
  if (!id) throw new UsageError(`no default alignment model for language '${language}'; pass --align_model or --no_align`);
  return id.startsWith("torchaudio:") ? fromTorchaudio(id.slice("torchaudio:".length), fetch) : fromHub(id, "wav2vec2", fetch);
}

function sameDir(a: string, b: string): boolean {
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** A torchaudio bundle's checkpoint, from `$TORCH_HOME/hub/checkpoints` (torch's cache) or downloaded there. */
async function fromTorchaudio(bundle: string, { log, hub }: FetchOptions): Promise<string> {
  const file = TORCHAUDIO_FILES[bundle];
  if (!file) throw new UsageError(`torchaudio bundle ${bundle} is not supported yet (its label set is not built in); pass --align_model <Hub id or converted dir>`);
  const torchHome = process.env.TORCH_HOME ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "torch");
  const dest = join(torchHome, "hub", "checkpoints", file);
  const base = (process.env.WHISPERX_TORCHAUDIO_URL ?? "https://download.pytorch.org/torchaudio/models").replace(/\/+$/, "");
  try {
    await downloadUrl(`${base}/${file}`, dest, { onProgress: log, offline: hub?.offline ?? hubOptionsFromEnv().offline });
  } catch (e) {
    if (e instanceof HubError) throw new UsageError(`align model torchaudio:${bundle}: ${e.message}`);
    throw e;
  }
  return convertOnce("wav2vec2", dest, join(`torchaudio--${bundle}`, "float32"), "float32", log);
}
