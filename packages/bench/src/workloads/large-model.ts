/**
 * `pnpm bench --large`: Whisper large-v3 and large-v3-turbo dims with random fp16 weights (the
 * mlx-community format) on both engines, each step in a fresh process with its peak RSS: the
 * ONNX build (graphs past protobuf's 2 GiB limit keep their weights as external data; the
 * converter's peak against the weights' size), then one 30 s window on ONNX Runtime and on MLX.
 */
import { fileURLToPath } from "node:url";
import type { WhisperArchitecture } from "../random-whisper.js";
import { runMeasuredChild } from "./measured-child.js";

/** The large architectures `--large` runs. */
export const LARGE_ARCHITECTURES = ["large-v3", "large-v3-turbo"] as const satisfies readonly WhisperArchitecture[];

/** One large-model step as measured. */
export interface LargeModelResult {
  arch: (typeof LARGE_ARCHITECTURES)[number];
  /** `generate`: the random model; `onnx-build`: its ONNX graphs; `*-run`: load + one window. */
  task: "generate" | "onnx-build" | "onnx-run" | "mlx-run";
  /** Wall time of the process's work (excluding Node's start-up), s. */
  seconds: number;
  peakRssMib: number;
  /** fp16 weights file, bytes (generate). */
  weightsBytes?: number;
  /** Encoder and decoder graphs with their external data, bytes (onnx-build). */
  graphBytes?: { encoder: number; decoder: number };
  external?: boolean;
  /** One window (runs): encoder ms, decoder ms per step at batch 1, log-mel ms. */
  encoderMs?: number;
  decoderMsPerStep?: number;
  melMs?: number;
}

async function runChild(task: LargeModelResult["task"], arch: LargeModelResult["arch"]): Promise<LargeModelResult> {
  const child = fileURLToPath(new URL("./large-model-child.js", import.meta.url));
  const { result, peakRssMib } = await runMeasuredChild<Omit<LargeModelResult, "arch" | "task">>(child, [task, arch], `large model ${task} (${arch})`);
  return { ...result, arch, task, peakRssMib };
}

/** Runs every step for both large architectures, in order (each needs the previous one's files). */
export async function runLargeModels(onProgress?: (what: string) => void): Promise<LargeModelResult[]> {
  const out: LargeModelResult[] = [];
  for (const arch of LARGE_ARCHITECTURES) {
    for (const task of ["generate", "onnx-build", "onnx-run", "mlx-run"] as const) {
      onProgress?.(`${arch}: ${task}`);
      out.push(await runChild(task, arch));
    }
  }
  return out;
}
