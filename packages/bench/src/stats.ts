/** Samples of one measurement and their order statistics. */
export interface SampleStats {
  samples: number[];
  median: number;
  min: number;
  max: number;
}

/** Median/min/max of a non-empty sample list. */
export function summarize(samples: number[]): SampleStats {
  if (samples.length === 0) throw new Error("summarize: no samples");
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { samples, median, min: s[0], max: s[s.length - 1] };
}

/** Runs `fn` `n` times and returns the wall times in milliseconds. */
export async function timeRuns(n: number, fn: () => unknown | Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}
