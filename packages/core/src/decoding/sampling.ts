/**
 * Sampling at a temperature, with a seedable random stream (so a run can be repeated, on either
 * engine): softmax(logits / T) in float64, inverse-CDF with one uniform draw.
 */
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { mersenne } from "pure-rand/generator/mersenne";

/** Uniform draws in [0, 1). */
export type UniformRandom = () => number;

/** A reproducible stream of uniform draws (Mersenne Twister: unlike xoroshiro128+, its first draws from small seeds are already well mixed). */
export function seededRandom(seed: number): UniformRandom {
  const rng = mersenne(seed | 0);
  return () => uniformFloat64(rng);
}

/** Samples a token from `logits[from, from + n)` at `temperature` > 0. */
export function sampleToken(logits: ArrayLike<number>, from: number, n: number, temperature: number, random: UniformRandom): number {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (logits[from + i] > max) max = logits[from + i];
  let sum = 0;
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) sum += p[i] = Math.exp((logits[from + i] - max) / temperature);
  let r = random() * sum;
  let last = 0;
  for (let i = 0; i < n; i++) {
    if (p[i] === 0) continue;
    last = i;
    if ((r -= p[i]) < 0) return i;
  }
  return last;
}

/** log softmax(logits[from, from + n))[index]. */
export function logSoftmaxAt(logits: ArrayLike<number>, from: number, n: number, index: number): number {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (logits[from + i] > max) max = logits[from + i];
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(logits[from + i] - max);
  return logits[from + index] - max - Math.log(sum);
}
