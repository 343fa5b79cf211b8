/**
 * Prints the plain closing line "N passed, N failed[, N skipped]" that CI reads, after
 * vitest's own summary (hence `onFinished`, which runs after the default reporter's output).
 */
import type { Reporter } from "vitest/reporters";

type Task = { type: string; result?: { state?: string }; tasks?: Task[]; mode?: string };

function count(tasks: Task[], acc = { passed: 0, failed: 0, skipped: 0 }) {
  for (const t of tasks) {
    if (t.type === "test") {
      const s = t.result?.state;
      if (s === "pass") acc.passed++;
      else if (s === "fail") acc.failed++;
      else acc.skipped++;
    } else if (t.tasks) {
      if (t.type === "suite" && t.result?.state === "fail" && t.tasks.length === 0) acc.failed++;
      count(t.tasks, acc);
    }
  }
  return acc;
}

export default class PlainSummaryReporter implements Reporter {
  onFinished(files: unknown[] = [], errors: unknown[] = []): void {
    const c = count(files as Task[]);
    // A file that failed to load has no tests; count it so the line cannot read "0 failed".
    for (const f of files as Task[]) if (f.result?.state === "fail" && !(f.tasks ?? []).length) c.failed++;
    if (errors.length) c.failed += errors.length;
    process.stdout.write(`\n${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ""}\n`);
  }
}
