/**
 * Hub repos → MLX directories. Repos in MLX layout (mlx-community: `config.json` with
 * `weights.safetensors` or `weights.npz`) are used as downloaded (npz repackaged once); repos in
 * transformers layout are downloaded and converted once.
 */
import { join } from "node:path";
import type { ModelFamily } from "@whisperx-mlx/convert";
import { downloadRepoFiles, HubError, type HubFile } from "@whisperx-mlx/core";
import { convertOnce, hubOverrides, isMlxDir, ModelResolveError, repackageOnce, type ModelSourceOptions } from "./model-source.js";

/** A Hub id: `org/name`. */
export const HUB_ID = /^[\w.-]+\/[\w.-]+$/;

/**
 * A repo's weights: MLX layout (`weights.safetensors`, else `weights.npz`, as mlx_whisper's
 * loader prefers them), one safetensors file, a shard index with its shards, or pytorch_model.bin.
 */
export function pickWeights(files: HubFile[], extra: string[]): string[] {
  const has = (p: string) => files.some((f) => f.path === p);
  if (!has("config.json")) return [];
  if (has("weights.safetensors")) return ["config.json", "weights.safetensors"];
  if (has("weights.npz")) return ["config.json", "weights.npz"];
  const meta = ["config.json", ...extra.filter(has)];
  if (has("model.safetensors")) return [...meta, "model.safetensors"];
  if (has("model.safetensors.index.json")) return [...meta, "model.safetensors.index.json", ...files.filter((f) => /^model-\d+-of-\d+\.safetensors$/.test(f.path)).map((f) => f.path)];
  if (has("pytorch_model.bin")) return [...meta, "pytorch_model.bin"];
  return [];
}

/** Downloads a Hub repo's model files into the Hub cache; an MLX directory of them, converted once if need be. */
export async function convertedFromHub(repo: string, family: ModelFamily, options: ModelSourceOptions): Promise<string> {
  const extra = family === "whisper" ? ["generation_config.json"] : ["vocab.json"];
  try {
    const snap = await downloadRepoFiles(repo, (files) => pickWeights(files, extra), { ...hubOverrides(options), onProgress: options.onLog });
    const key = (suffix: string) => join(repo.replace("/", "--"), `${snap.commit.slice(0, 12)}-${suffix}`);
    if (family === "whisper" && snap.files.includes("weights.safetensors") && isMlxDir(snap.dir)) return snap.dir;
    if (family === "whisper" && snap.files.includes("weights.npz")) return repackageOnce(snap.dir, key("mlx"), options.onLog);
    if (snap.files.some((f) => f.startsWith("weights."))) throw new HubError(`${repo}: MLX-layout weights are read for Whisper models only`);
    if (family === "wav2vec2" && !snap.files.includes("vocab.json")) throw new HubError(`${repo}: no vocab.json (not a Wav2Vec2ForCTC repo)`);
    const dtype = family === "whisper" ? "float16" : "float32";
    return convertOnce(family, snap.dir, key(dtype), dtype, options.onLog);
  } catch (e) {
    if (e instanceof HubError) throw new ModelResolveError(`model '${repo}': ${e.message}`);
    throw e;
  }
}
