import { writeFileSync } from "node:fs";

/** Real-time factor: seconds of audio processed per second of wall clock. */
export function realTimeFactor(audioSeconds: number, wallSeconds: number): number {
  return wallSeconds > 0 ? audioSeconds / wallSeconds : Number.POSITIVE_INFINITY;
}

/** Peak resident set size of this process so far, in MB (Linux `VmHWM`). */
export async function peakRssMb(): Promise<number> {
  try {
    const { readFile } = await import("node:fs/promises");
    const status = await readFile("/proc/self/status", "utf8");
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux: fall back to the current RSS
  }
  return process.memoryUsage().rss / 1e6;
}

/**
 * Resets the kernel's peak-RSS mark of this process (Linux: writing 5 to `clear_refs`), so the
 * next `peakRssMb` covers only what ran since. Returns false where that is not possible.
 */
export function resetPeakRss(): boolean {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}
