/**
 * Diarization pipelines: a converted directory, a pyannote pipeline directory or `config.yaml`
 * (converted once into the model cache), or a Hub repo in pyannote's community-1 layout
 * (`config.yaml`, `segmentation/`, `embedding/`, `plda/`), downloaded into the Hub cache and
 * converted once.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { convertPyannote } from "@whisperx-mlx/convert";
import { downloadRepoFiles, HubError, type HubFile } from "@whisperx-mlx/core";
import { HUB_ID } from "./hub-models.js";
import { filesStamp, hubOverrides, ModelResolveError, writeModelOnce, type ModelSourceOptions } from "./model-source.js";

/** WhisperX's default diarization pipeline (HEAD; 3.7.x used pyannote/speaker-diarization-3.1). */
export const DEFAULT_DIARIZE_MODEL = "pyannote/speaker-diarization-community-1";

/** The files of a pipeline repo that conversion reads. */
const PIPELINE_FILES = ["config.yaml", "segmentation/pytorch_model.bin", "embedding/pytorch_model.bin", "plda/plda.npz", "plda/xvec_transform.npz"];

function isConvertedPipeline(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as { model_type?: string }).model_type === "pyannote-diarization";
  } catch {
    return false;
  }
}

/** The files a pipeline config's conversion reads (for the cache key). */
function pipelineSources(configFile: string): string[] {
  const base = dirname(configFile);
  return [configFile, ...PIPELINE_FILES.slice(1).map((f) => join(base, f)).filter(existsSync)];
}

function convertedPipeline(configFile: string, key: string, options: ModelSourceOptions): string {
  return writeModelOnce(join("pyannote", `${key}-${filesStamp(pipelineSources(configFile))}`), `converting ${configFile} (pyannote pipeline)`, (tmp) => void convertPyannote({ torchNameOrPath: configFile, mlxPath: tmp, force: true }), options.onLog, isConvertedPipeline);
}

/** The converted directory of a diarization pipeline given by directory, `config.yaml` or Hub id. */
export async function resolveDiarizeModel(name: string, options: ModelSourceOptions = {}): Promise<string> {
  if (existsSync(name)) {
    const isDir = statSync(name).isDirectory();
    if (isDir && isConvertedPipeline(name)) return name;
    const config = isDir ? join(name, "config.yaml") : name;
    if (!existsSync(config) || !/\.ya?ml$/.test(config)) throw new ModelResolveError(`diarize model '${name}': not a converted pipeline (config.json), a pyannote pipeline directory (config.yaml) or a config.yaml file`);
    return convertedPipeline(config, config.replace(/[^\w.-]+/g, "_").slice(-80), options);
  }
  if (!HUB_ID.test(name)) throw new ModelResolveError(`diarize model '${name}': not a directory, config.yaml or Hub id`);
  try {
    const snap = await downloadRepoFiles(name, (files: HubFile[]) => PIPELINE_FILES.filter((p) => files.some((f) => f.path === p)), { ...hubOverrides(options), onProgress: options.onLog });
    if (!snap.files.includes("config.yaml")) throw new HubError(`${name}: no config.yaml (not a pyannote pipeline repo)`);
    return convertedPipeline(join(snap.dir, "config.yaml"), `${name.replace("/", "--")}-${snap.commit.slice(0, 12)}`, options);
  } catch (e) {
    if (e instanceof HubError) throw new ModelResolveError(`diarize model '${name}': ${e.message}${options.token ? "" : " (pyannote's pipelines are gated: accept their terms on the Hub and pass --hf_token)"}`);
    throw e;
  }
}
