/**
 * Vitest global setup: every test file, worker and CLI subprocess of a run writes its temporary
 * files under one directory (TMPDIR, which os.tmpdir() reads), removed when the run ends. Tests
 * make models, graphs, tarballs and installs there — gigabytes per run, which filled the disk of
 * a machine that runs the suite often.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "whisperx-mlx-tests-"));
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
