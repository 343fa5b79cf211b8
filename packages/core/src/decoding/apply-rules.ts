/**
 * The logit filters of a decode step applied to host-memory logits (for engines whose logits
 * come back to JavaScript, like ONNX Runtime): SuppressBlank at the first sampled position,
 * SuppressTokens, and the per-step timestamp rules, with openai-whisper's semantics.
 */
import type { LogitRules, StepMask } from "./logit-rules.js";

/** log Σ exp(x) over x[from, to). */
function logSumExp(x: Float32Array, from = 0, to = x.length): number {
  let m = -Infinity;
  for (let i = from; i < to; i++) if (x[i] > m) m = x[i];
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let i = from; i < to; i++) s += Math.exp(x[i] - m);
  return m + Math.log(s);
}

/** Applies the rules in place to one row of logits, given the tokens sampled so far. */
export function applyLogitRules(logits: Float32Array, rules: LogitRules, sampled: readonly number[]): Float32Array {
  if (sampled.length === 0) for (const t of rules.suppressedAtBegin) logits[t] = -Infinity;
  for (const t of rules.alwaysSuppressed) logits[t] = -Infinity;
  return applyStepMask(logits, rules.stepMask(sampled), rules.timestampBegin);
}

/** Applies one step's timestamp rules in place to one row of logits (already suppressed). */
export function applyStepMask(logits: Float32Array, step: StepMask, timestampBegin: number): Float32Array {
  for (const [lo, hi] of step.ranges) logits.fill(-Infinity, lo, Math.min(hi, logits.length));
  if (step.checkTimestampProbability) {
    // If the timestamps together are more likely than any single text token, sample a timestamp.
    const ts = timestampBegin;
    const z = logSumExp(logits);
    const tsLogprob = logSumExp(logits, ts) - z;
    let maxText = -Infinity;
    for (let i = 0; i < ts; i++) if (logits[i] > maxText) maxText = logits[i];
    if (tsLogprob > maxText - z) logits.fill(-Infinity, 0, ts);
  }
  return logits;
}

/** Greedy choice: the argmax and its log-probability under the (filtered) logits. */
export function greedyToken(logits: Float32Array): { token: number; logprob: number } {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return { token: best, logprob: logits[best] - logSumExp(logits) };
}

/** Softmax probability of `index` in a row of logits. */
export function softmaxAt(logits: Float32Array, index: number): number {
  return Math.exp(logits[index] - logSumExp(logits));
}

/** The `k` most likely tokens of a row of (filtered) logits, best first (equals: lower id first), with their log-probabilities. */
export function topKTokens(logits: Float32Array, k: number): { tokens: number[]; logprobs: number[] } {
  const z = logSumExp(logits);
  const best: number[] = [];
  for (let i = 0; i < logits.length; i++) {
    if (best.length === k && !(logits[i] > logits[best[k - 1]])) continue;
    let j = best.length === k ? k - 1 : best.length;
    if (best.length < k) best.push(i);
    while (j > 0 && logits[i] > logits[best[j - 1]]) {
      best[j] = best[j - 1];
      j--;
    }
    best[j] = i;
  }
  return { tokens: best, logprobs: best.map((t) => logits[t] - z) };
}
