/** Writes a run's three report files atomically into `reports/<date>-<machine>/`. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "@whisperx-mlx/core";
import { historyPoint, readHistory } from "./history.js";
import { renderHtml } from "./html.js";
import { renderMarkdown } from "./markdown.js";
import type { BenchReport } from "./types.js";

/** The directory name of a report: `<YYYY-MM-DD>-<machine>`. */
export function reportDirName(r: BenchReport): string {
  return `${r.date.slice(0, 10)}-${r.environment.machine}${r.peersOnly ? "-peers" : ""}`;
}

/**
 * Writes report.json, report.md and report.html into `dir`; the HTML's history is every report
 * under `reportsDir` plus this one. Returns the three paths.
 */
export function writeReport(r: BenchReport, dir: string, reportsDir: string): { json: string; md: string; html: string } {
  mkdirSync(dir, { recursive: true });
  const history = readHistory(reportsDir).filter((h) => h.date !== r.date);
  history.push(historyPoint(r));
  history.sort((a, b) => a.date.localeCompare(b.date));
  const md = renderMarkdown(r);
  const paths = { json: join(dir, "report.json"), md: join(dir, "report.md"), html: join(dir, "report.html") };
  writeFileAtomic(paths.json, JSON.stringify(r, null, 2) + "\n");
  writeFileAtomic(paths.md, md);
  writeFileAtomic(paths.html, renderHtml(r, history, md));
  return paths;
}

/** Keeps the JSON of a files or batch-size run as `<dir>/<kind>-<timestamp>.json`; returns its path. */
export function writeRunReport(dir: string, kind: string, report: object): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${kind}-${Date.now()}.json`);
  writeFileAtomic(path, JSON.stringify(report, null, 2) + "\n");
  return path;
}
