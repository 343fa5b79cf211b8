/**
 * k-means as scikit-learn 1.2's `KMeans(n_clusters, n_init=3, random_state=42)` runs it, which
 * pyannote's VBx falls back to when a speaker count is forced: data centred, greedy k-means++
 * seeding (2 + ⌊ln k⌋ candidates per centre) driven by numpy's legacy `RandomState` stream (the
 * same Mersenne Twister, `randint` and `uniform`), Lloyd iterations to label convergence or
 * tolerance, best inertia of the runs. Float rounding in the distance sums differs from BLAS, so
 * the partitions match where the data leaves no near-ties.
 */
import { mersenne } from "pure-rand/generator/mersenne";

/** numpy's legacy `RandomState(seed)`: the draws k-means++ needs. */
class NumpyRandomState {
  private readonly mt;

  constructor(seed: number) {
    this.mt = mersenne(seed);
  }

  private uint32(): number {
    return this.mt.next() >>> 0;
  }

  /** `random_sample()`: 53-bit double from two draws (genrand_res53). */
  randomSample(): number {
    const a = this.uint32() >>> 5;
    const b = this.uint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** `randint(high)`: masked rejection sampling on 32-bit draws. */
  randint(high: number): number {
    const rng = high - 1;
    if (rng === 0) return 0;
    let mask = rng;
    for (let s = 1; s <= 16; s *= 2) mask |= mask >>> s;
    mask >>>= 0;
    for (;;) {
      const v = (this.uint32() & mask) >>> 0;
      if (v <= rng) return v;
    }
  }
}

function squaredDistances(points: Float64Array, n: number, dim: number, from: Float64Array, fromRow: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) {
      const x = points[i * dim + d] - from[fromRow * dim + d];
      s += x * x;
    }
    out[i] = s;
  }
  return out;
}

function kmeansPlusPlus(X: Float64Array, n: number, dim: number, k: number, random: NumpyRandomState): Float64Array {
  const centers = new Float64Array(k * dim);
  const trials = 2 + Math.floor(Math.log(k));
  const first = random.randint(n);
  centers.set(X.subarray(first * dim, (first + 1) * dim), 0);
  let closest = squaredDistances(X, n, dim, X, first);
  let potential = closest.reduce((a, b) => a + b, 0);
  for (let c = 1; c < k; c++) {
    const cumulative = new Float64Array(n);
    let acc = 0;
    for (let i = 0; i < n; i++) cumulative[i] = acc += closest[i];
    const candidates: number[] = [];
    for (let t = 0; t < trials; t++) {
      const v = random.randomSample() * potential;
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid] < v) lo = mid + 1;
        else hi = mid;
      }
      candidates.push(Math.min(lo, n - 1));
    }
    let bestPotential = Infinity;
    let bestDistances = closest;
    let best = candidates[0];
    for (const candidate of candidates) {
      const d = squaredDistances(X, n, dim, X, candidate);
      let p = 0;
      for (let i = 0; i < n; i++) p += d[i] = Math.min(closest[i], d[i]);
      if (p < bestPotential) {
        bestPotential = p;
        bestDistances = d;
        best = candidate;
      }
    }
    potential = bestPotential;
    closest = bestDistances;
    centers.set(X.subarray(best * dim, (best + 1) * dim), c * dim);
  }
  return centers;
}

/** Nearest centre per point (first on ties) and the inertia. */
function assign(X: Float64Array, n: number, dim: number, centers: Float64Array, k: number, labels: Int32Array): number {
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestD = Infinity;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let d = 0; d < dim; d++) {
        const x = X[i * dim + d] - centers[c * dim + d];
        s += x * x;
      }
      if (s < bestD) {
        bestD = s;
        best = c;
      }
    }
    labels[i] = best;
    inertia += bestD;
  }
  return inertia;
}

function updateCenters(X: Float64Array, n: number, dim: number, labels: Int32Array, k: number, previous: Float64Array): Float64Array {
  const centers = new Float64Array(k * dim);
  const sizes = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    sizes[labels[i]]++;
    for (let d = 0; d < dim; d++) centers[labels[i] * dim + d] += X[i * dim + d];
  }
  for (let c = 0; c < k; c++) {
    if (sizes[c] === 0) centers.set(previous.subarray(c * dim, (c + 1) * dim), c * dim);
    else for (let d = 0; d < dim; d++) centers[c * dim + d] /= sizes[c];
  }
  return centers;
}

function sameClustering(a: Int32Array, b: Int32Array, k: number): boolean {
  const mapping = new Int32Array(k).fill(-1);
  for (let i = 0; i < a.length; i++) {
    if (mapping[b[i]] === -1) mapping[b[i]] = a[i];
    else if (mapping[b[i]] !== a[i]) return false;
  }
  return true;
}

/** Cluster labels 0…k−1 of `points` (n × dim). */
export function kmeans(points: Float64Array, n: number, dim: number, k: number, options: { nInit?: number; seed?: number; maxIter?: number } = {}): Int32Array {
  const random = new NumpyRandomState(options.seed ?? 42);
  // sklearn centres the data first (for precision); distances are unchanged.
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d] += points[i * dim + d];
  for (let d = 0; d < dim; d++) mean[d] /= n;
  const X = points.map((v, j) => v - mean[j % dim]);
  let variance = 0;
  for (let d = 0; d < dim; d++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += X[i * dim + d] ** 2;
    variance += s / n;
  }
  const tol = (variance / dim) * 1e-4;

  let bestLabels: Int32Array | undefined;
  let bestInertia = Infinity;
  for (let run = 0; run < (options.nInit ?? 3); run++) {
    let centers = kmeansPlusPlus(X, n, dim, k, random);
    const labels = new Int32Array(n).fill(-1);
    const previous = new Int32Array(n).fill(-1);
    for (let iter = 0; iter < (options.maxIter ?? 300); iter++) {
      assign(X, n, dim, centers, k, labels);
      const next = updateCenters(X, n, dim, labels, k, centers);
      let shift = 0;
      for (let j = 0; j < next.length; j++) shift += (next[j] - centers[j]) ** 2;
      centers = next;
      if (labels.every((v, i) => v === previous[i])) break;
      if (shift <= tol) break;
      previous.set(labels);
    }
    // The final E-step, so labels match the final centres.
    const inertia = assign(X, n, dim, centers, k, labels);
    if (bestLabels === undefined || (inertia < bestInertia && !sameClustering(labels, bestLabels, k))) {
      bestLabels = labels.slice();
      bestInertia = inertia;
    }
  }
  return bestLabels ?? new Int32Array(n);
}
