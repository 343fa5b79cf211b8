/**
 * Centroid-linkage agglomerative clustering with scipy's exact semantics: `linkage(X,
 * method="centroid", metric="euclidean")` (Müllner's generic algorithm, as scipy's `fast_linkage`,
 * with its distance update and heap) and `fcluster(Z, t, criterion="distance")` (cut on the
 * largest merge height inside each subtree, clusters numbered in scipy's depth-first order).
 *
 * Memory is the condensed distance matrix: n(n−1)/2 float64 values (about 100 MB for 5000
 * embeddings). Callers bound n.
 */

/** A linkage matrix: row i = [left id, right id, height, size], as scipy's `Z`. */
export type LinkageMatrix = Float64Array;

function condensedIndex(n: number, i: number, j: number): number {
  if (i > j) [i, j] = [j, i];
  return n * i - (i * (i + 1)) / 2 + (j - i - 1);
}

/** scipy's `_centroid` distance update (Lance–Williams on Euclidean distances). */
function centroidUpdate(dxi: number, dyi: number, dxy: number, sx: number, sy: number): number {
  return Math.sqrt((sx * dxi * dxi + sy * dyi * dyi - (sx * sy * dxy * dxy) / (sx + sy)) / (sx + sy));
}

/** scipy's indexed binary min-heap (`_structures.pxi`), so ties resolve as scipy resolves them. */
class IndexedMinHeap {
  private readonly indexByKey: Int32Array;
  private readonly keyByIndex: Int32Array;
  private readonly values: Float64Array;
  private size: number;

  constructor(values: Float64Array) {
    this.size = values.length;
    this.values = values.slice();
    this.indexByKey = Int32Array.from({ length: this.size }, (_, i) => i);
    this.keyByIndex = Int32Array.from({ length: this.size }, (_, i) => i);
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  minKey(): number {
    return this.keyByIndex[0];
  }

  minValue(): number {
    return this.values[0];
  }

  removeMin(): void {
    this.swap(0, this.size - 1);
    this.size--;
    this.siftDown(0);
  }

  changeValue(key: number, value: number): void {
    const index = this.indexByKey[key];
    const old = this.values[index];
    this.values[index] = value;
    if (value < old) this.siftUp(index);
    else this.siftDown(index);
  }

  private siftUp(index: number): void {
    let parent = (index - 1) >> 1;
    while (index > 0 && this.values[parent] > this.values[index]) {
      this.swap(index, parent);
      index = parent;
      parent = (index - 1) >> 1;
    }
  }

  private siftDown(index: number): void {
    let child = index * 2 + 1;
    while (child < this.size) {
      if (child + 1 < this.size && this.values[child + 1] < this.values[child]) child++;
      if (this.values[index] > this.values[child]) {
        this.swap(index, child);
        index = child;
        child = index * 2 + 1;
      } else break;
    }
  }

  private swap(i: number, j: number): void {
    const vi = this.values[i];
    this.values[i] = this.values[j];
    this.values[j] = vi;
    const ki = this.keyByIndex[i];
    const kj = this.keyByIndex[j];
    this.keyByIndex[i] = kj;
    this.keyByIndex[j] = ki;
    this.indexByKey[kj] = i;
    this.indexByKey[ki] = j;
  }
}

/** Euclidean distances between the rows of `points` (n × dim), condensed as scipy's `pdist`. */
export function condensedEuclidean(points: Float64Array, n: number, dim: number): Float64Array {
  const d = new Float64Array((n * (n - 1)) / 2);
  let p = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) {
        const diff = points[i * dim + k] - points[j * dim + k];
        s += diff * diff;
      }
      d[p++] = Math.sqrt(s);
    }
  }
  return d;
}

/** scipy's `linkage(points, method="centroid", metric="euclidean")`. */
export function centroidLinkage(points: Float64Array, n: number, dim: number): LinkageMatrix {
  const D = condensedEuclidean(points, n, dim);
  const Z = new Float64Array((n - 1) * 4);
  const size = new Int32Array(n).fill(1);
  const clusterId = Int32Array.from({ length: n }, (_, i) => i);
  const neighbor = new Int32Array(Math.max(0, n - 1));
  const minDist = new Float64Array(Math.max(0, n - 1));

  const findMinDist = (x: number): [number, number] => {
    let best = Infinity;
    let y = -1;
    for (let i = x + 1; i < n; i++) {
      if (size[i] === 0) continue;
      const dist = D[condensedIndex(n, x, i)];
      if (dist < best) {
        best = dist;
        y = i;
      }
    }
    if (y === -1) throw new Error("centroid linkage: no finite distance left (NaN or infinite embeddings?)");
    return [y, best];
  };

  for (let x = 0; x < n - 1; x++) [neighbor[x], minDist[x]] = findMinDist(x);
  const heap = new IndexedMinHeap(minDist);

  for (let k = 0; k < n - 1; k++) {
    let x = 0;
    let y = 0;
    let dist = 0;
    for (let i = 0; i < n - k; i++) {
      x = heap.minKey();
      dist = heap.minValue();
      y = neighbor[x];
      if (dist === D[condensedIndex(n, x, y)]) break;
      [y, dist] = findMinDist(x);
      neighbor[x] = y;
      minDist[x] = dist;
      heap.changeValue(x, dist);
    }
    heap.removeMin();

    let idX = clusterId[x];
    let idY = clusterId[y];
    const nx = size[x];
    const ny = size[y];
    if (idX > idY) [idX, idY] = [idY, idX];
    Z[k * 4] = idX;
    Z[k * 4 + 1] = idY;
    Z[k * 4 + 2] = dist;
    Z[k * 4 + 3] = nx + ny;

    size[x] = 0;
    size[y] = nx + ny;
    clusterId[y] = n + k;

    for (let z = 0; z < n; z++) {
      const nz = size[z];
      if (nz === 0 || z === y) continue;
      D[condensedIndex(n, z, y)] = centroidUpdate(D[condensedIndex(n, z, x)], D[condensedIndex(n, z, y)], dist, nx, ny);
    }
    for (let z = 0; z < x; z++) if (size[z] > 0 && neighbor[z] === x) neighbor[z] = y;
    for (let z = 0; z < y; z++) {
      if (size[z] === 0) continue;
      const dz = D[condensedIndex(n, z, y)];
      if (dz < minDist[z]) {
        neighbor[z] = y;
        minDist[z] = dz;
        heap.changeValue(z, dz);
      }
    }
    if (y < n - 1) {
      const [z, dz] = findMinDist(y);
      if (z !== -1) {
        neighbor[y] = z;
        minDist[y] = dz;
        heap.changeValue(y, dz);
      }
    }
  }
  return Z;
}

/**
 * scipy's `fcluster(Z, cutoff, criterion="distance")`: 1-based flat cluster ids. A subtree is one
 * cluster when the largest merge height inside it is ≤ cutoff (centroid linkage is not monotonic).
 */
export function fclusterDistance(Z: LinkageMatrix, n: number, cutoff: number): Int32Array {
  const T = new Int32Array(n);
  if (n === 1) {
    T[0] = 1;
    return T;
  }
  const maxDist = new Float64Array(n - 1);
  // Children are always created before parents, so one forward pass gives each subtree's maximum.
  for (let i = 0; i < n - 1; i++) {
    let m = Z[i * 4 + 2];
    const l = Z[i * 4];
    const r = Z[i * 4 + 1];
    if (l >= n) m = Math.max(m, maxDist[l - n]);
    if (r >= n) m = Math.max(m, maxDist[r - n]);
    maxDist[i] = m;
  }
  // scipy's cluster_monocrit: depth-first from the root, left child first.
  const visited = new Uint8Array(2 * n - 1);
  const stack = [2 * n - 2];
  let numClusters = 0;
  let leader = -1;
  while (stack.length > 0) {
    const root = stack[stack.length - 1] - n;
    const lc = Z[root * 4];
    const rc = Z[root * 4 + 1];
    if (leader === -1 && maxDist[root] <= cutoff) {
      leader = root;
      numClusters++;
    }
    if (lc >= n && !visited[lc]) {
      visited[lc] = 1;
      stack.push(lc);
      continue;
    }
    if (rc >= n && !visited[rc]) {
      visited[rc] = 1;
      stack.push(rc);
      continue;
    }
    if (lc < n) {
      if (leader === -1) numClusters++;
      T[lc] = numClusters;
    }
    if (rc < n) {
      if (leader === -1) numClusters++;
      T[rc] = numClusters;
    }
    if (leader === root) leader = -1;
    stack.pop();
  }
  return T;
}

/** numpy's `np.unique(x, return_inverse=True)[1]`: labels renumbered 0… in sorted order. */
export function renumber(labels: ArrayLike<number>): Int32Array {
  const unique = [...new Set(Array.from(labels))].sort((a, b) => a - b);
  const index = new Map(unique.map((v, i) => [v, i]));
  return Int32Array.from(labels, (v) => index.get(v) ?? 0);
}
