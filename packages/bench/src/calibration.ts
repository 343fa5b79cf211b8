/**
 * The calibration kernel: an fp32 sgemm of fixed size on MLX, run before and after the workloads
 * in the same process. Throughputs are also reported relative to it, so figures from machines of
 * different speed, or from one machine under different load, can be compared.
 */
import { loadMlx } from "@whisperx-mlx/mlx-native";
import { summarize, type SampleStats } from "./stats.js";

/** Matrix size of the calibration sgemm (n × n @ n × n). */
export const CALIBRATION_N = 1024;

/** One calibration measurement: GFLOP/s of the sgemm. */
export interface Calibration {
  n: number;
  gflops: SampleStats;
}

/** Times `iterations` sgemms of n × n (after a warm-up) and reports GFLOP/s per run. */
export function calibrate(iterations = 20, n = CALIBRATION_N): Calibration {
  const mx = loadMlx();
  mx.random.seed(0);
  const a = mx.random.normal([n, n], mx.float32);
  const b = mx.random.normal([n, n], mx.float32);
  mx.eval(a, b);
  // Warm-up until MLX's buffer cache holds the output: a fresh 4 MB buffer costs ~1000 page
  // faults, which would make a cold process look half as fast.
  for (let i = 0; i < 8; i++) mx.eval(mx.matmul(a, b));
  const gflops: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    mx.eval(mx.matmul(a, b));
    const s = (performance.now() - t0) / 1000;
    gflops.push((2 * n * n * n) / s / 1e9);
  }
  return { n, gflops: summarize(gflops) };
}
