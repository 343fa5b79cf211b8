/**
 * pyannote's PLDA front end for VBx (`core/plda.py`, `utils/vbx.py::vbx_setup`), with the generalised
 * eigenproblem already solved at conversion time: embeddings are centred, length-normalised, projected
 * by the LDA, normalised again, then rotated into the PLDA space where the between-speaker covariance
 * is diagonal (`phi`).
 */

import { generalizedSymmetricEigen, inverseSpd } from "./symmetric-eigen.js";

/** The PLDA as our converter stores it. */
export interface PldaParameters {
  /** xvec_transform.npz: `mean1` (D), `mean2` (L), `lda` (D × L, row-major). */
  mean1: Float64Array;
  mean2: Float64Array;
  lda: Float64Array;
  /** plda.npz `mu` (L). */
  mu: Float64Array;
  /** Rows are the generalised eigenvectors of eigh(B, W), largest eigenvalue first (L × L). */
  transform: Float64Array;
  /** The eigenvalues, descending: the between-speaker variances in PLDA space (L). */
  phi: Float64Array;
}

function scaleToNorm(v: Float64Array, norm: number): Float64Array {
  let s = 0;
  for (const x of v) s += x * x;
  const k = norm / Math.sqrt(s);
  return v.map((x) => x * k);
}

/** Embeddings (n × D) into PLDA space (n × L). */
export function pldaFeatures(plda: PldaParameters, embeddings: Float64Array, n: number): Float64Array {
  const D = plda.mean1.length;
  const L = plda.mean2.length;
  const out = new Float64Array(n * L);
  for (let i = 0; i < n; i++) {
    const centred = new Float64Array(D);
    for (let d = 0; d < D; d++) centred[d] = embeddings[i * D + d] - plda.mean1[d];
    const x = scaleToNorm(centred, Math.sqrt(D));
    const y = new Float64Array(L);
    for (let d = 0; d < D; d++) {
      const xd = x[d];
      for (let l = 0; l < L; l++) y[l] += xd * plda.lda[d * L + l];
    }
    for (let l = 0; l < L; l++) y[l] -= plda.mean2[l];
    const z = scaleToNorm(y, Math.sqrt(L));
    for (let l = 0; l < L; l++) z[l] -= plda.mu[l];
    for (let r = 0; r < L; r++) {
      let s = 0;
      for (let l = 0; l < L; l++) s += z[l] * plda.transform[r * L + l];
      out[i * L + r] = s;
    }
  }
  return out;
}

/**
 * The PLDA as pyannote's `vbx_setup` derives it from `xvec_transform.npz` and `plda.npz`
 * (`tr`, `psi` of a two-covariance model): W = (trᵀtr)⁻¹, B = ((trᵀ/psi)·tr)⁻¹, then eigh(B, W)
 * with the order reversed.
 */
export function pldaFromTwoCovariance(xvec: { mean1: ArrayLike<number>; mean2: ArrayLike<number>; lda: ArrayLike<number> }, plda: { mu: ArrayLike<number>; tr: ArrayLike<number>; psi: ArrayLike<number> }): PldaParameters {
  const L = plda.mu.length;
  const tr = Float64Array.from(plda.tr);
  const psi = Float64Array.from(plda.psi);
  const trtTr = new Float64Array(L * L);
  const scaled = new Float64Array(L * L);
  for (let i = 0; i < L; i++) for (let j = 0; j < L; j++) {
    let s = 0;
    let t = 0;
    for (let k = 0; k < L; k++) {
      s += tr[k * L + i] * tr[k * L + j];
      t += (tr[k * L + i] / psi[k]) * tr[k * L + j];
    }
    trtTr[i * L + j] = s;
    scaled[i * L + j] = t;
  }
  const W = inverseSpd(trtTr, L);
  const B = inverseSpd(scaled, L);
  const { values, vectors } = generalizedSymmetricEigen(B, W, L);
  const transform = new Float64Array(L * L);
  const phi = new Float64Array(L);
  for (let r = 0; r < L; r++) {
    const src = L - 1 - r;
    phi[r] = values[src];
    for (let k = 0; k < L; k++) transform[r * L + k] = vectors[k * L + src];
  }
  return { mean1: Float64Array.from(xvec.mean1), mean2: Float64Array.from(xvec.mean2), lda: Float64Array.from(xvec.lda), mu: Float64Array.from(plda.mu), transform, phi };
}
