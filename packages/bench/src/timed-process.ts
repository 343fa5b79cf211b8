/**
 * Whole-process timing for peer comparisons: wall time from spawn to exit and the process's own
 * peak RSS, read by GNU time (`/usr/bin/time -f %M`). GNU time sits between us and the command
 * because Linux carries a forking parent's high-water mark into a child's `ru_maxrss`: spawned
 * straight from a large bench process, every command would report the bench's size.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const GNU_TIME = "/usr/bin/time";

/** One timed run. */
export interface TimedRun {
  seconds: number;
  /** Peak RSS of the largest single process of the command (a relaunched child included), MiB. */
  peakRssMib: number;
}

/** Whether GNU time is installed (Debian package `time`). */
export function gnuTimeAvailable(): boolean {
  return existsSync(GNU_TIME);
}

/** Runs `command args…` to completion; rejects with its last stderr line on a non-zero exit. */
export function runTimed(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<TimedRun> {
  const dir = mkdtempSync(join(tmpdir(), "wx-timed-"));
  const out = join(dir, "time.txt");
  return new Promise<TimedRun>((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(GNU_TIME, ["-f", "%M", "-o", out, command, ...args], { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    p.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    p.on("error", reject);
    p.on("close", (code) => {
      const seconds = (performance.now() - t0) / 1000;
      if (code !== 0) return reject(new Error(`${command} exited with ${code}: ${stderr.trim().split("\n").pop() ?? ""}`));
      const kib = Number(readFileSync(out, "utf8").trim().split("\n").pop());
      resolve({ seconds, peakRssMib: kib / 1024 });
    });
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
}
