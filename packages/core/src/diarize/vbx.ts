/**
 * VBx in its GMM form, as pyannote runs it (`utils/vbx.py`: `VBx`, `cluster_vbx`): Bayesian speaker
 * models over PLDA features, initialised from the AHC clusters, iterated until the ELBO gain is
 * below 1e-4 or 20 iterations.
 */

function logSumExpRow(values: Float64Array, offset: number, length: number): number {
  let max = -Infinity;
  for (let i = 0; i < length; i++) max = Math.max(max, values[offset + i]);
  if (!Number.isFinite(max)) return max;
  let s = 0;
  for (let i = 0; i < length; i++) s += Math.exp(values[offset + i] - max);
  return max + Math.log(s);
}

/** Responsibilities (n × S) and speaker priors (S) after VBx. */
export function clusterVbx(ahcClusters: Int32Array, features: Float64Array, n: number, phi: Float64Array, options: { Fa: number; Fb: number; maxIters?: number; initSmoothing?: number }): { gamma: Float64Array; pi: Float64Array } {
  const D = phi.length;
  let S = 0;
  for (const k of ahcClusters) S = Math.max(S, k + 1);
  const { Fa, Fb } = options;
  const maxIters = options.maxIters ?? 20;
  const smoothing = options.initSmoothing ?? 7.0;
  // softmax(7 · one-hot) per row.
  let gamma = new Float64Array(n * S);
  const on = Math.exp(smoothing);
  for (let i = 0; i < n; i++) {
    const z = on + (S - 1);
    for (let s = 0; s < S; s++) gamma[i * S + s] = (s === ahcClusters[i] ? on : 1) / z;
  }
  let pi = new Float64Array(S).fill(1 / S);

  const G = new Float64Array(n);
  const V = phi.map(Math.sqrt);
  const rho = new Float64Array(n * D);
  for (let i = 0; i < n; i++) {
    let sq = 0;
    for (let d = 0; d < D; d++) {
      const x = features[i * D + d];
      sq += x * x;
      rho[i * D + d] = x * V[d];
    }
    G[i] = -0.5 * (sq + D * Math.log(2 * Math.PI));
  }

  let previousElbo = 0;
  for (let iter = 0; iter < maxIters; iter++) {
    const invL = new Float64Array(S * D);
    const alpha = new Float64Array(S * D);
    for (let s = 0; s < S; s++) {
      let gs = 0;
      for (let i = 0; i < n; i++) gs += gamma[i * S + s];
      for (let d = 0; d < D; d++) invL[s * D + d] = 1 / (1 + (Fa / Fb) * gs * phi[d]);
      for (let d = 0; d < D; d++) {
        let acc = 0;
        for (let i = 0; i < n; i++) acc += gamma[i * S + s] * rho[i * D + d];
        alpha[s * D + d] = (Fa / Fb) * invL[s * D + d] * acc;
      }
    }
    const logP = new Float64Array(n * S);
    const penalty = new Float64Array(S);
    for (let s = 0; s < S; s++) {
      let p = 0;
      for (let d = 0; d < D; d++) p += (invL[s * D + d] + alpha[s * D + d] ** 2) * phi[d];
      penalty[s] = 0.5 * p;
    }
    for (let i = 0; i < n; i++) {
      for (let s = 0; s < S; s++) {
        let dot = 0;
        for (let d = 0; d < D; d++) dot += rho[i * D + d] * alpha[s * D + d];
        logP[i * S + s] = Fa * (dot - penalty[s] + G[i]);
      }
    }
    const lpi = pi.map((p) => Math.log(p + 1e-8));
    let logPX = 0;
    const next = new Float64Array(n * S);
    const shifted = new Float64Array(S);
    for (let i = 0; i < n; i++) {
      for (let s = 0; s < S; s++) shifted[s] = logP[i * S + s] + lpi[s];
      const lse = logSumExpRow(shifted, 0, S);
      logPX += lse;
      for (let s = 0; s < S; s++) next[i * S + s] = Math.exp(shifted[s] - lse);
    }
    gamma = next;
    const newPi = new Float64Array(S);
    for (let i = 0; i < n; i++) for (let s = 0; s < S; s++) newPi[s] += gamma[i * S + s];
    let total = 0;
    for (const p of newPi) total += p;
    pi = newPi.map((p) => p / total);

    let reg = 0;
    for (let j = 0; j < S * D; j++) reg += Math.log(invL[j]) - invL[j] - alpha[j] ** 2 + 1;
    const elbo = logPX + Fb * 0.5 * reg;
    if (iter > 0 && elbo - previousElbo < 1e-4) break;
    previousElbo = elbo;
  }
  return { gamma, pi };
}
