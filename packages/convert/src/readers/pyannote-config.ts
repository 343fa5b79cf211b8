/**
 * pyannote pipeline `config.yaml`, read against a fixed schema. pyannote instantiates whatever a
 * config names (a `preprocessors` entry can be `os.system`); here nothing is executed: only the
 * speaker-diarization pipeline's known keys and plain values are accepted, anything else is
 * refused by name.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { ConvertError } from "../errors.js";

/** What a speaker-diarization pipeline config says. */
export interface PyannotePipelineConfig {
  clustering: "AgglomerativeClustering" | "VBxClustering";
  /** Sub-model references: `$model/<dir>`, a path relative to the config, or a Hub id. */
  segmentation: string;
  embedding: string;
  plda?: string;
  segmentationBatchSize: number;
  embeddingBatchSize: number;
  embeddingExcludeOverlap: boolean;
  /** Segmentation step as a fraction of the 10 s window (pyannote's default 0.1). */
  segmentationStep: number;
  threshold: number;
  method?: string;
  minClusterSize?: number;
  Fa?: number;
  Fb?: number;
  minDurationOff: number;
  version?: string;
}

const PIPELINE_NAME = "pyannote.audio.pipelines.SpeakerDiarization";

type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

function isRecord(v: Plain | undefined): v is { [key: string]: Plain } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reads and validates a pipeline config; throws `ConvertError` (one line) on anything outside the schema. */
export function readPyannoteConfig(file: string): PyannotePipelineConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConvertError(file, `cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  // The core schema has no language-specific tags; an unknown tag (`!!python/name:…`) is a warning we refuse.
  // yaml is loaded on first use: only `convert pyannote` reads a config (~28 ms of every start-up otherwise).
  const doc = (createRequire(import.meta.url)("yaml") as typeof import("yaml")).parseDocument(text, { schema: "core", uniqueKeys: true, prettyErrors: false });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) throw new ConvertError(file, `not a plain YAML pipeline config (${problem.message.split("\n")[0]}); nothing in it was executed`);
  const root = doc.toJS() as Plain;
  if (!isRecord(root)) throw new ConvertError(file, "not a pyannote pipeline config (no mapping at the top level)");
  const refuse = (where: string, key: string) => {
    throw new ConvertError(file, `'${where}${key}' is not part of a speaker-diarization pipeline config (refused: pipeline configs can name callables, and nothing in this file is executed)`);
  };
  const only = (o: { [key: string]: Plain }, where: string, keys: readonly string[]) => {
    for (const k of Object.keys(o)) if (!keys.includes(k)) refuse(where, k);
  };
  only(root, "", ["version", "pipeline", "params"]);
  const pipeline = root.pipeline;
  if (!isRecord(pipeline)) throw new ConvertError(file, "no 'pipeline' mapping");
  only(pipeline, "pipeline.", ["name", "params"]);
  if (pipeline.name !== PIPELINE_NAME) throw new ConvertError(file, `pipeline.name is '${String(pipeline.name)}'; only ${PIPELINE_NAME} is supported`);
  const p = pipeline.params;
  if (!isRecord(p)) throw new ConvertError(file, "no 'pipeline.params' mapping");
  only(p, "pipeline.params.", ["clustering", "segmentation", "embedding", "plda", "segmentation_batch_size", "embedding_batch_size", "embedding_exclude_overlap", "segmentation_step", "der_variant"]);
  if (p.clustering !== "AgglomerativeClustering" && p.clustering !== "VBxClustering") throw new ConvertError(file, `pipeline.params.clustering '${String(p.clustering)}' is not supported (AgglomerativeClustering or VBxClustering)`);
  const str = (v: Plain | undefined, what: string): string => {
    if (typeof v !== "string" || v.length === 0) throw new ConvertError(file, `${what} must be a string`);
    return v;
  };
  const num = (v: Plain | undefined, what: string, fallback?: number): number => {
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== "number" || !Number.isFinite(v)) throw new ConvertError(file, `${what} must be a number`);
    return v;
  };
  const params = isRecord(root.params) ? root.params : {};
  if (root.params !== undefined && !isRecord(root.params)) throw new ConvertError(file, "'params' must be a mapping");
  only(params, "params.", ["clustering", "segmentation"]);
  const clustering = isRecord(params.clustering) ? params.clustering : {};
  only(clustering, "params.clustering.", ["method", "min_cluster_size", "threshold", "Fa", "Fb"]);
  const segmentation = isRecord(params.segmentation) ? params.segmentation : {};
  only(segmentation, "params.segmentation.", ["min_duration_off", "threshold"]);
  if (clustering.method !== undefined && clustering.method !== "centroid") throw new ConvertError(file, `params.clustering.method '${String(clustering.method)}' is not supported (centroid)`);
  if (p.embedding_exclude_overlap !== undefined && typeof p.embedding_exclude_overlap !== "boolean") throw new ConvertError(file, "pipeline.params.embedding_exclude_overlap must be true or false");
  const vbx = p.clustering === "VBxClustering";
  return {
    clustering: p.clustering,
    segmentation: str(p.segmentation, "pipeline.params.segmentation"),
    embedding: str(p.embedding, "pipeline.params.embedding"),
    plda: p.plda === undefined ? undefined : str(p.plda, "pipeline.params.plda"),
    segmentationBatchSize: num(p.segmentation_batch_size, "pipeline.params.segmentation_batch_size", 32),
    embeddingBatchSize: num(p.embedding_batch_size, "pipeline.params.embedding_batch_size", 32),
    embeddingExcludeOverlap: p.embedding_exclude_overlap ?? false,
    segmentationStep: num(p.segmentation_step, "pipeline.params.segmentation_step", 0.1),
    threshold: num(clustering.threshold, "params.clustering.threshold"),
    method: vbx ? undefined : "centroid",
    minClusterSize: vbx ? undefined : num(clustering.min_cluster_size, "params.clustering.min_cluster_size"),
    Fa: vbx ? num(clustering.Fa, "params.clustering.Fa") : undefined,
    Fb: vbx ? num(clustering.Fb, "params.clustering.Fb") : undefined,
    minDurationOff: num(segmentation.min_duration_off, "params.segmentation.min_duration_off", 0),
    version: typeof root.version === "string" ? root.version : undefined,
  };
}
