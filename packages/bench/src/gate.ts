/**
 * The CI regression gate: compares a run's calibration-normalised figures with a committed
 * baseline report and names every gated figure that got worse by more than the tolerance.
 */
import type { BenchReport, Figure } from "./report/types.js";

/** One figure that regressed. */
export interface Regression {
  id: string;
  label: string;
  unit: string;
  baseline: number;
  now: number;
  /** now/baseline of the normalised figure, oriented so that < 1 is worse. */
  ratio: number;
}

/** Result of a gate check. */
export interface GateResult {
  checked: number;
  regressions: Regression[];
  /** Gated baseline figures this run did not produce. */
  missing: string[];
}

/** Compares `now` with `baseline`: a figure regresses when its oriented ratio < 1 − tolerance. */
export function checkRegressions(now: BenchReport, baseline: BenchReport, tolerance = 0.15): GateResult {
  const current = new Map(now.figures.map((f) => [f.id, f]));
  const regressions: Regression[] = [];
  const missing: string[] = [];
  let checked = 0;
  // Peer ratios exist only where the peer ran; a --peers-only run has nothing else.
  const compared = (id: string) => (id.startsWith("peer/") ? now.peers?.measured === true : !now.peersOnly);
  for (const b of baseline.figures.filter((f) => f.gated && compared(f.id))) {
    const n = current.get(b.id);
    if (!n) {
      missing.push(b.id);
      continue;
    }
    checked++;
    const ratio = orientedRatio(n, b);
    if (ratio < 1 - tolerance) regressions.push({ id: b.id, label: b.label, unit: b.unit, baseline: b.value, now: n.value, ratio });
  }
  return { checked, regressions, missing };
}

function orientedRatio(now: Figure, base: Figure): number {
  // Error rates can be 0; compare them with a floor of one percentage point.
  if (now.id.startsWith("wer/")) return (Math.max(base.normalized, 0) + 0.01) / (Math.max(now.normalized, 0) + 0.01);
  if (base.normalized === 0 || now.normalized === 0) return 1;
  return now.better === "higher" ? now.normalized / base.normalized : base.normalized / now.normalized;
}

/** One line per regression, for the console and CI logs. */
export function formatRegressions(g: GateResult, tolerance: number): string {
  const lines = g.regressions.map((r) => `regression: ${r.id} (${r.label}): baseline ${fmt(r.baseline)}${r.unit}, now ${fmt(r.now)}${r.unit}, normalised ratio ${r.ratio.toFixed(2)} (< ${(1 - tolerance).toFixed(2)})`);
  for (const m of g.missing) lines.push(`missing: ${m} is in the baseline but was not measured`);
  return lines.join("\n");
}

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toFixed(4);
}
