/** Earlier reports under `reports/` (committed ones), for the history chart. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchReport } from "./types.js";

/** One point of history: a report's date, machine and its figures by id. */
export interface HistoryPoint {
  date: string;
  machine: string;
  mode: string;
  figures: Record<string, number>;
}

/** Reads `<reportsDir>/*\/report.json`, oldest first; unreadable files are skipped. */
export function readHistory(reportsDir: string): HistoryPoint[] {
  if (!existsSync(reportsDir)) return [];
  const out: HistoryPoint[] = [];
  for (const d of readdirSync(reportsDir)) {
    const f = join(reportsDir, d, "report.json");
    if (!existsSync(f)) continue;
    try {
      out.push(historyPoint(JSON.parse(readFileSync(f, "utf8")) as BenchReport));
    } catch {
      // a hand-edited or older report: not part of the history
    }
  }
  return out.sort((a, b) => a.date.localeCompare(b.date));
}

/** The history point of one report. */
export function historyPoint(r: BenchReport): HistoryPoint {
  return { date: r.date, machine: r.environment.machine, mode: r.mode, figures: Object.fromEntries(r.figures.map((f) => [f.id, f.value])) };
}
