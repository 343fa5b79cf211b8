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

/** Why the comparison engines are or are not in this run. */
export function baselineStatus(): BaselineStatus[] {
  return [
    {
      name: "CPU baseline",
      measured: false,
      reason: "end to end, only MLX runs the pipeline so far (on Linux MLX itself runs on the CPU; MLX's CPU device is the baseline on a Mac). ONNX Runtime is measured on the architecture workload (tiny dims, fp32) side by side with MLX",
    },
  ];
}
