import { spawnSync } from "node:child_process";

/**
 * glibc malloc settings measured to speed MLX on Linux (fewer fresh page faults: MLX allocates a
 * new buffer for every op output). They only take effect when set before the process starts.
 */
export const GLIBC_TUNABLES = "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296";

/**
 * On Linux, re-runs this script in a child process with the tunables and `--expose-gc`, unless
 * they are already set (or WHISPERX_NO_RELAUNCH is) or `needed` says this run will not use MLX.
 * Returns true when the child ran; the caller then just exits with `process.exitCode`, which
 * mirrors the child's.
 */
export function relaunchTuned(needed: (argv: string[]) => boolean = () => true): boolean {
  if (process.platform !== "linux" || process.env.GLIBC_TUNABLES !== undefined || process.env.WHISPERX_NO_RELAUNCH) return false;
  if (!needed(process.argv.slice(2))) return false;
  const r = spawnSync(process.execPath, [...process.execArgv, "--expose-gc", process.argv[1], ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, GLIBC_TUNABLES },
  });
  process.exitCode = r.status ?? (r.signal ? 128 + 15 : 1);
  return true;
}

/**
 * True when a whisperx command line selects MLX (`--backend mlx`, `--vad_backend mlx`). On
 * Linux `auto` is ONNX Runtime, which the tunables do not help and whose memory they keep: they
 * stop glibc from returning freed memory (a 2-hour file peaked at 1.69 GB with them, 1.38 GB
 * without).
 */
export function selectsMlx(argv: string[]): boolean {
  return argv.some((a, i) => /^--(?:backend|vad_backend|vad-backend)(?:=mlx)$/.test(a) || (/^--(?:backend|vad_backend|vad-backend)$/.test(a) && argv[i + 1] === "mlx"));
}
