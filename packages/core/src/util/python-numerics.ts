/**
 * Python, numpy and pandas arithmetic that WhisperX's outputs depend on to the last digit:
 * `round()` on Python floats and on numpy floats differ, and pandas' mean sums pairwise.
 */
import { roundHalfEven } from "../writers/format.js";

/**
 * Python's `round(x, 3)`: the exact binary value rounded, halves to even. Exact thousandth
 * halves are the odd multiples of 1/16 (0.0625, 0.1875, …); every other x rounds as `toFixed`.
 */
export function pythonRound3(x: number): number {
  const sixteenths = x * 16;
  if (Number.isInteger(sixteenths) && sixteenths % 2 !== 0) {
    const k = Math.floor(x * 1000); // x·1000 = k + ½ exactly
    return (k % 2 === 0 ? k : k + 1) / 1000;
  }
  return Number(x.toFixed(3));
}

/** `round(np.float64(x), 3)`: numpy multiplies by 1000, rounds half to even, divides. */
export function numpyRound3(x: number): number {
  return roundHalfEven(x * 1000) / 1000;
}

/** numpy's pairwise float64 sum (8 accumulators up to 128 values, halves beyond). */
function pairwiseSum(a: readonly number[], from: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[from + i];
    return res;
  }
  if (n <= 128) {
    const r = a.slice(from, from + 8);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[from + i + j];
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[from + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, from, n2) + pairwiseSum(a, from + n2, n - n2);
}

/** pandas' `Series.mean()`: NaN/missing values count as 0 in the numpy sum and not in the count. */
export function pandasMean(values: readonly (number | undefined)[]): number {
  const filled = values.map((v) => (v === undefined || Number.isNaN(v) ? 0 : v));
  const count = values.filter((v) => v !== undefined && !Number.isNaN(v)).length;
  return count ? pairwiseSum(filled, 0, filled.length) / count : Number.NaN;
}
