/**
 * Workloads that need a fresh process for an honest peak RSS (long files, large models) run a
 * child script that prints one JSON line last; the parent polls its `VmHWM` meanwhile.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

/** Peak RSS of a live process in MiB (Linux `/proc/<pid>/status` VmHWM), or 0 once it is gone. */
export function vmHwmMib(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * This process's own peak RSS in MiB, for a measured child to print last. Not
 * `process.resourceUsage().maxRSS`: Linux carries the forking parent's high-water mark across
 * exec into it, so a child spawned by a 2.3 GB bench reported 2.3 GB however little it used.
 */
export function ownPeakRssMib(): number {
  return process.platform === "linux" ? vmHwmMib(process.pid) : process.resourceUsage().maxRSS / 1024;
}

/**
 * The environment a user's process would have for `engine`: `bench` itself runs relaunched with
 * glibc's MLX malloc tunables, which keep freed memory and so belong to MLX runs only (they took
 * an ONNX run of the 2-hour file from ~0.9 to 2.9 GiB).
 */
export function userEnvironment(engine: "mlx" | "onnx"): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (engine === "onnx") delete env.GLIBC_TUNABLES;
  return env;
}

/**
 * Runs `node <script> ...args` and resolves with its last stdout line parsed as JSON, the wall
 * time, and the peak RSS (the larger of the polled one and the `peakRssMib` the child reports).
 */
export function runMeasuredChild<T extends { peakRssMib: number }>(script: string, args: string[], what: string, env: NodeJS.ProcessEnv = process.env): Promise<{ result: T; seconds: number; peakRssMib: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, ["--expose-gc", script, ...args], { stdio: ["ignore", "pipe", "inherit"], env });
    let peak = 0;
    const poll = setInterval(() => (peak = Math.max(peak, vmHwmMib(p.pid ?? -1))), 100);
    let out = "";
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      // The child prints its own final VmHWM last, so the peak is exact even between polls.
      peak = Math.max(peak, vmHwmMib(p.pid ?? -1));
    });
    p.on("error", reject);
    p.on("close", (code) => {
      clearInterval(poll);
      if (code !== 0) return reject(new Error(`${what} exited with ${code}`));
      const result = JSON.parse(out.trim().split("\n").pop() ?? "{}") as T;
      resolve({ result, seconds: (performance.now() - t0) / 1000, peakRssMib: Math.max(peak, result.peakRssMib) });
    });
  });
}
