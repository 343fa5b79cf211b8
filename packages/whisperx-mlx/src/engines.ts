/**
 * Which engine runs the models. `auto` is MLX on Apple Silicon when MLX loads there (fetching its
 * Metal build on first use), and ONNX Runtime everywhere else, or when MLX cannot start on Apple
 * Silicon (with one notice saying why). `mlx` that cannot start is an error saying why.
 */
import { EngineError, type BackendChoice, type EngineName, type InferenceEngine } from "@whisperx-mlx/core";
import type { Host, MlxAvailability } from "@whisperx-mlx/mlx-native";

/** The engine to use, and a notice when `auto` fell back. */
export interface EngineDecision {
  engine: EngineName;
  notice?: string;
}

function appleSilicon(host: Host): boolean {
  return host.platform === "darwin" && host.arch === "arm64";
}

/** Whether deciding for `requested` on `host` needs to know if MLX can start. */
export function needsMlxProbe(requested: BackendChoice, host: Host): boolean {
  return requested === "mlx" || (requested === "auto" && appleSilicon(host));
}

/**
 * The decision, given whether MLX can start (asked only when `needsMlxProbe`). Throws
 * `EngineError` for `mlx` when it cannot.
 */
export function decideEngine(requested: BackendChoice, host: Host, mlx?: MlxAvailability): EngineDecision {
  if (requested === "onnx") return { engine: "onnx" };
  if (requested === "mlx") {
    if (mlx?.ok) return { engine: "mlx" };
    throw new EngineError(`--backend mlx: MLX cannot start: ${mlx?.reason ?? "not checked"}`);
  }
  if (!appleSilicon(host)) return { engine: "onnx" };
  if (mlx?.ok) return { engine: "mlx" };
  return { engine: "onnx", notice: `MLX cannot start (${mlx?.reason ?? "not checked"}); using ONNX Runtime` };
}

/** The engine object of a name; each engine package is imported only when used. */
export async function engineNamed(name: EngineName): Promise<InferenceEngine> {
  return name === "mlx" ? (await import("@whisperx-mlx/mlx-native")).mlxEngine : (await import("@whisperx-mlx/onnx")).onnxEngine;
}

/** Decides on this host (probing MLX only when the decision depends on it) and returns the engine. */
export async function selectEngine(requested: BackendChoice, options: { onLog?: (message: string) => void } = {}): Promise<InferenceEngine> {
  const host: Host = { platform: process.platform, arch: process.arch };
  const mlx = needsMlxProbe(requested, host) ? await (await import("@whisperx-mlx/mlx-native")).prepareMlx({ onLog: options.onLog }) : undefined;
  const decision = decideEngine(requested, host, mlx);
  if (decision.notice) options.onLog?.(decision.notice);
  return engineNamed(decision.engine);
}
