/** The shape of `report.json` (schema 1). */
import type { Calibration } from "../calibration.js";
import type { DiarizationResult } from "../workloads/diarization.js";
import type { ArchitectureResult } from "../workloads/architecture.js";
import type { MicroResult } from "../workloads/micro.js";
import type { PipelineResult } from "../workloads/pipeline.js";
import type { StreamMemoryResult } from "../workloads/stream-memory.js";
import type { StreamingResult } from "../workloads/streaming.js";
import type { LongFileResult } from "../workloads/long-file.js";
import type { LargeModelResult } from "../workloads/large-model.js";
import type { DecodingResult } from "../workloads/decoding.js";
import type { PeerComparison } from "../workloads/whisper-cpp-peer.js";

/** Where and on what a report was made. */
export interface Environment {
  /** Directory-safe machine class: CPU model slug and core count. */
  machine: string;
  cpuModel: string;
  cores: number;
  memoryGb: number;
  platform: string;
  arch: string;
  node: string;
  mlxVersion: string;
  commit: string;
}

/**
 * One comparable number. `value` is the typical (median) figure. `normalized` takes the fastest
 * sample where there are several and divides a higher-is-better throughput by the calibration
 * GFLOP/s (peak sgemm rate; or multiplies a lower-is-better time by it), so figures from machines
 * of different speed and load can be compared; accuracy and memory are not normalised.
 */
export interface Figure {
  id: string;
  label: string;
  unit: string;
  value: number;
  better: "higher" | "lower";
  normalized: number;
  /** Whether the regression gate checks this figure. */
  gated: boolean;
}

/** A roadmap target and whether this run meets it. */
export interface TargetResult {
  id: string;
  description: string;
  source: string;
  figure: string;
  op: ">=" | "<=";
  threshold: number;
  /** null: not measured (see `reason`). */
  value: number | null;
  pass: boolean | null;
  reason?: string;
}

/** WER of one split, under the references' normalisation and under `EnglishTextNormalizer`. */
export interface WerSplit {
  split: string;
  clips: number;
  refWords: number;
  ours: number;
  reference: number;
  oursEnglish: number;
  referenceEnglish: number;
}

/** A comparison engine that was or was not measured in this run. */
export interface BaselineStatus {
  name: string;
  measured: boolean;
  reason?: string;
}

/** Everything one `pnpm bench` run measured. */
export interface BenchReport {
  schema: 1;
  date: string;
  mode: "quick" | "full";
  environment: Environment;
  calibration: { before: Calibration; after: Calibration; gflops: number };
  architecture: ArchitectureResult[];
  pipeline: PipelineResult[];
  /** `--long`: a 2-hour file through the whole pipeline in a fresh process. */
  longFile?: LongFileResult[];
  /** `--streaming`: real-time streaming against offline on the visible clips. */
  streaming?: StreamingResult[];
  /** `--streaming --long`: an hour-long stream's buffer and memory. */
  streamMemory?: StreamMemoryResult[];
  /** `--diarization`: the visible synthetic conversations, both pipeline configurations. */
  diarization?: DiarizationResult[];
  /** `--large`: large-v3 / large-v3-turbo dims on both engines. */
  largeModels?: LargeModelResult[];
  /** `--peers`: our CLI against whisper.cpp's, whole processes in paired alternation. */
  peers?: PeerComparison;
  /** `--peers-only`: only the peer comparison ran (the gate then compares only its figures). */
  peersOnly?: boolean;
  /** Greedy vs beam-5 throughput of the ASR stage (absent in reports before it existed). */
  decoding?: DecodingResult[];
  wer: WerSplit[];
  micro: MicroResult[];
  baselines: BaselineStatus[];
  figures: Figure[];
  targets: TargetResult[];
  wallSeconds: number;
}
