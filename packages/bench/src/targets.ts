/** The roadmap targets (`assets/targets.json`) evaluated against a run's figures. */
import { readFileSync } from "node:fs";
import type { BaselineStatus, Figure, TargetResult } from "./report/types.js";

interface TargetSpec {
  id: string;
  description: string;
  figure: string;
  op: ">=" | "<=";
  threshold: number;
  source: string;
}

/** The targets file shipped with this package. */
export function loadTargets(file = new URL("../assets/targets.json", import.meta.url)): { source: string; targets: TargetSpec[] } {
  return JSON.parse(readFileSync(file, "utf8")) as { source: string; targets: TargetSpec[] };
}

/**
 * Pass/fail per target. A target whose figure this run did not measure is "not measured", with
 * the reason from `notMeasured` (figure id → reason) or a generic one; never a made-up value.
 */
export function evaluateTargets(figures: Figure[], notMeasured: Record<string, string> = {}): TargetResult[] {
  const byId = new Map(figures.map((f) => [f.id, f]));
  return loadTargets().targets.map((t) => {
    const f = byId.get(t.figure);
    if (!f) return { ...t, value: null, pass: null, reason: notMeasured[t.figure] ?? "not measured in this run" };
    return { ...t, value: f.value, pass: t.op === ">=" ? f.value >= t.threshold : f.value <= t.threshold };
  });
}

/** Which comparison engines this run measured. */
export function baselineStatus(): BaselineStatus[] {
  const appleSilicon = process.platform === "darwin" && process.arch === "arm64";
  return [
    appleSilicon
      ? { name: "CPU baseline (MLX on the CPU device)", measured: false, reason: "MLX's CPU device is not run separately on Apple Silicon yet; the pipeline runs on MLX (Metal) and ONNX Runtime" }
      : { name: "CPU baseline (MLX on the CPU)", measured: true, reason: "on Linux MLX runs on the CPU; the default engine here is ONNX Runtime, measured side by side" },
  ];
}
