/**
 * What pyannote's two clusterings share (`BaseClustering`): which embeddings train the clustering,
 * how the requested speaker counts bound it, and how every embedding is then assigned to a centroid.
 */
import type { ChunkSegmentations } from "./frames.js";
import { cosineDistance, type ChunkEmbeddings } from "./embeddings.js";
import { maximumAssignment } from "./linear-sum-assignment.js";

/** Speaker-count bounds, as `set_num_speakers` returns them (max may be Infinity). */
export interface SpeakerBounds {
  numSpeakers?: number;
  minSpeakers: number;
  maxSpeakers: number;
}

/** The clustering's answer, as pyannote's `clustering(...)` returns it. */
export interface ClusteringResult {
  /** Cluster per (chunk, local speaker), C × S. */
  hardClusters: Int32Array;
  /** One centroid per cluster (raw embedding space), K × dimension. */
  centroids: Float64Array;
  numClusters: number;
}

/** pyannote's `set_num_speakers`: `0` acts like "not given" (Python's `or`). */
export function speakerBounds(options: { numSpeakers?: number; minSpeakers?: number; maxSpeakers?: number }): SpeakerBounds {
  const minSpeakers = options.numSpeakers || options.minSpeakers || 1;
  const maxSpeakers = options.numSpeakers || options.maxSpeakers || Infinity;
  if (minSpeakers > maxSpeakers) throw new RangeError(`min_speakers must be smaller than (or equal to) max_speakers (here: min_speakers=${minSpeakers} and max_speakers=${maxSpeakers}).`);
  return { numSpeakers: minSpeakers === maxSpeakers ? minSpeakers : options.numSpeakers || undefined, minSpeakers, maxSpeakers };
}

/** `set_num_clusters`: the bounds clipped to the number of training embeddings. */
export function clusterBounds(numEmbeddings: number, bounds: SpeakerBounds): { numClusters?: number; minClusters: number; maxClusters: number } {
  const minClusters = Math.max(1, Math.min(numEmbeddings, bounds.numSpeakers || bounds.minSpeakers || 1));
  const maxClusters = Math.max(1, Math.min(numEmbeddings, bounds.numSpeakers || (Number.isFinite(bounds.maxSpeakers) ? bounds.maxSpeakers : 0) || numEmbeddings));
  if (minClusters > maxClusters) throw new RangeError(`min_clusters must be smaller than (or equal to) max_clusters (here: min_clusters=${minClusters} and max_clusters=${maxClusters}).`);
  return { numClusters: minClusters === maxClusters ? minClusters : bounds.numSpeakers, minClusters, maxClusters };
}

/** The training set: (chunk, speaker) pairs with a valid embedding that speak alone for ≥ 20 % of the chunk's frames. */
export interface TrainingSet {
  index: Int32Array;
  /** Raw embeddings of the training pairs, n × dimension. */
  embeddings: Float64Array;
  count: number;
}

/** pyannote's `filter_embeddings(min_active_ratio=0.2)`. */
export function trainingEmbeddings(embeddings: ChunkEmbeddings, segmentations: ChunkSegmentations, minActiveRatio = 0.2): TrainingSet {
  const { numChunks, numSpeakers, dimension, data } = embeddings;
  const { numFrames } = segmentations;
  const seg = segmentations.data;
  const index: number[] = [];
  for (let c = 0; c < numChunks; c++) {
    const clean = new Array<number>(numSpeakers).fill(0);
    for (let f = 0; f < numFrames; f++) {
      const base = (c * numFrames + f) * numSpeakers;
      let active = 0;
      for (let s = 0; s < numSpeakers; s++) active += seg[base + s];
      if (active !== 1) continue;
      for (let s = 0; s < numSpeakers; s++) clean[s] += seg[base + s];
    }
    for (let s = 0; s < numSpeakers; s++) {
      if (clean[s] < minActiveRatio * numFrames) continue;
      const offset = (c * numSpeakers + s) * dimension;
      let valid = true;
      for (let d = 0; d < dimension; d++) if (Number.isNaN(data[offset + d])) valid = false;
      if (valid) index.push(c * numSpeakers + s);
    }
  }
  const out = new Float64Array(index.length * dimension);
  index.forEach((p, i) => {
    for (let d = 0; d < dimension; d++) out[i * dimension + d] = data[p * dimension + d];
  });
  return { index: Int32Array.from(index), embeddings: out, count: index.length };
}

/** `2 − cosine distance` between every embedding and every centroid: C·S × K. */
export function similarityToCentroids(embeddings: ChunkEmbeddings, centroids: Float64Array, numClusters: number): Float64Array {
  const { numChunks, numSpeakers, dimension, data } = embeddings;
  const n = numChunks * numSpeakers;
  const soft = new Float64Array(n * numClusters);
  for (let i = 0; i < n; i++) for (let k = 0; k < numClusters; k++) soft[i * numClusters + k] = 2 - cosineDistance(data, i * dimension, centroids, k * dimension, dimension);
  return soft;
}

/** Each embedding to its most similar centroid (`np.argmax`: first on ties; NaN rows go to cluster 0). */
export function argmaxAssignment(soft: Float64Array, n: number, numClusters: number): Int32Array {
  const hard = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestValue = soft[i * numClusters];
    if (Number.isNaN(bestValue)) continue;
    for (let k = 1; k < numClusters; k++) {
      const v = soft[i * numClusters + k];
      if (Number.isNaN(v)) {
        best = k;
        break;
      }
      if (v > bestValue) {
        bestValue = v;
        best = k;
      }
    }
    hard[i] = best;
  }
  return hard;
}

/**
 * pyannote's `constrained_argmax`: within a chunk, local speakers go to distinct clusters
 * (maximum-weight matching); speakers left without a cluster get −2. NaN scores count as the minimum.
 */
export function constrainedAssignment(soft: Float64Array, numChunks: number, numSpeakers: number, numClusters: number): Int32Array {
  let min = Infinity;
  for (const v of soft) if (!Number.isNaN(v) && v < min) min = v;
  const hard = new Int32Array(numChunks * numSpeakers).fill(-2);
  const block = new Float64Array(numSpeakers * numClusters);
  for (let c = 0; c < numChunks; c++) {
    for (let i = 0; i < block.length; i++) {
      const v = soft[c * numSpeakers * numClusters + i];
      block[i] = Number.isNaN(v) ? min : v;
    }
    const assignment = maximumAssignment(block, numSpeakers, numClusters);
    for (let s = 0; s < numSpeakers; s++) if (assignment[s] >= 0) hard[c * numSpeakers + s] = assignment[s];
  }
  return hard;
}

/** Centroids as the mean raw embedding of each cluster's training members. */
export function clusterCentroids(training: TrainingSet, clusters: ArrayLike<number>, numClusters: number, dimension: number): Float64Array {
  const centroids = new Float64Array(numClusters * dimension);
  const sizes = new Float64Array(numClusters);
  for (let i = 0; i < training.count; i++) {
    const k = clusters[i];
    sizes[k]++;
    for (let d = 0; d < dimension; d++) centroids[k * dimension + d] += training.embeddings[i * dimension + d];
  }
  for (let k = 0; k < numClusters; k++) for (let d = 0; d < dimension; d++) centroids[k * dimension + d] /= sizes[k];
  return centroids;
}

/** Everything in one cluster (fewer than two speakers possible): pyannote's early exit. */
export function singleCluster(embeddings: ChunkEmbeddings, training: TrainingSet): ClusteringResult {
  const { numChunks, numSpeakers, dimension } = embeddings;
  const centroids = clusterCentroids(training, new Int32Array(training.count), 1, dimension);
  return { hardClusters: new Int32Array(numChunks * numSpeakers), centroids, numClusters: 1 };
}
