/**
 * pyannote's `AgglomerativeClustering` as speaker-diarization-3.1 configures it: centroid linkage
 * on unit-normalised embeddings, a distance threshold, small clusters folded into the nearest
 * large one, and the requested number of speakers met by walking the dendrogram.
 */
import type { ChunkSegmentations } from "./frames.js";
import { roundHalfEven } from "../writers/format.js";
import { l2Normalize, meanOfRows, cosineDistance, type ChunkEmbeddings } from "./embeddings.js";
import { centroidLinkage, fclusterDistance, renumber, type LinkageMatrix } from "./centroid-linkage.js";
import {
  argmaxAssignment,
  clusterBounds,
  clusterCentroids,
  similarityToCentroids,
  singleCluster,
  trainingEmbeddings,
  type ClusteringResult,
  type SpeakerBounds,
} from "./clustering.js";

/** The hyper-parameters of the 3.1 pipeline's clustering. */
export interface AgglomerativeParameters {
  threshold: number;
  minClusterSize: number;
}


function largeAndSmall(clusters: Int32Array, minClusterSize: number): { large: number[]; small: number[] } {
  const counts = new Map<number, number>();
  for (const k of clusters) counts.set(k, (counts.get(k) ?? 0) + 1);
  const unique = [...counts.keys()].sort((a, b) => a - b);
  return { large: unique.filter((k) => (counts.get(k) ?? 0) >= minClusterSize), small: unique.filter((k) => (counts.get(k) ?? 0) < minClusterSize) };
}

function cutAt(Z: LinkageMatrix, n: number, t: number): Int32Array {
  return fclusterDistance(Z, n, t).map((k) => k - 1);
}

/** `AgglomerativeClustering.cluster`: cluster ids 0… for the (normalised) training embeddings. */
export function agglomerativeCluster(
  normalized: Float64Array,
  n: number,
  dimension: number,
  params: AgglomerativeParameters,
  bounds: { numClusters?: number; minClusters: number; maxClusters: number },
): Int32Array {
  const minClusterSize = Math.min(params.minClusterSize, Math.max(1, roundHalfEven(0.1 * n)));
  if (n === 1) return new Int32Array(1);
  const Z = centroidLinkage(normalized, n, dimension);
  let clusters = cutAt(Z, n, params.threshold);
  let { large, small } = largeAndSmall(clusters, minClusterSize);
  let numClusters = bounds.numClusters;
  if (large.length < bounds.minClusters) numClusters = bounds.minClusters;
  else if (large.length > bounds.maxClusters) numClusters = bounds.maxClusters;

  if (numClusters !== undefined && large.length !== numClusters) {
    // Cut by merge index instead of height, trying the merges nearest the threshold first.
    const byIteration = Z.slice();
    for (let i = 0; i < n - 1; i++) byIteration[i * 4 + 2] = i;
    const order = Array.from({ length: n - 1 }, (_, i) => i).sort((a, b) => Math.abs(Z[a * 4 + 2] - params.threshold) - Math.abs(Z[b * 4 + 2] - params.threshold) || a - b);
    let bestIteration = n - 1;
    let bestNumLarge = 1;
    for (const iteration of order) {
      if (byIteration[iteration * 4 + 3] < minClusterSize) continue;
      clusters = cutAt(byIteration, n, iteration);
      ({ large, small } = largeAndSmall(clusters, minClusterSize));
      if (Math.abs(large.length - numClusters) < Math.abs(bestNumLarge - numClusters)) {
        bestIteration = iteration;
        bestNumLarge = large.length;
      }
      if (large.length === numClusters) break;
    }
    if (bestNumLarge !== numClusters) {
      clusters = cutAt(byIteration, n, bestIteration);
      ({ large, small } = largeAndSmall(clusters, minClusterSize));
    }
  }

  if (large.length === 0) return new Int32Array(n);
  if (small.length === 0) return clusters;

  const membersOf = (k: number) => [...clusters.keys()].filter((i) => clusters[i] === k);
  const largeCentroids = large.map((k) => meanOfRows(normalized, dimension, membersOf(k)));
  const smallCentroids = small.map((k) => meanOfRows(normalized, dimension, membersOf(k)));
  const target = new Map<number, number>();
  smallCentroids.forEach((sc, j) => {
    let best = 0;
    let bestDistance = Infinity;
    largeCentroids.forEach((lc, i) => {
      const d = cosineDistance(lc, 0, sc, 0, dimension);
      if (d < bestDistance) {
        bestDistance = d;
        best = i;
      }
    });
    target.set(small[j], large[best]);
  });
  return renumber(clusters.map((k) => target.get(k) ?? k));
}

/** The whole AHC clustering step (`AgglomerativeClustering.__call__`, argmax assignment). */
export function agglomerativeClustering(embeddings: ChunkEmbeddings, segmentations: ChunkSegmentations, params: AgglomerativeParameters, speakers: SpeakerBounds): ClusteringResult {
  const training = trainingEmbeddings(embeddings, segmentations);
  const bounds = clusterBounds(training.count, speakers);
  const { dimension, numChunks, numSpeakers } = embeddings;
  if (bounds.maxClusters < 2) return singleCluster(embeddings, training);
  const normalized = l2Normalize(training.embeddings, training.count, dimension);
  const clusters = agglomerativeCluster(normalized, training.count, dimension, params, bounds);
  let numClusters = 0;
  for (const k of clusters) numClusters = Math.max(numClusters, k + 1);
  const centroids = clusterCentroids(training, clusters, numClusters, dimension);
  const soft = similarityToCentroids(embeddings, centroids, numClusters);
  return { hardClusters: argmaxAssignment(soft, numChunks * numSpeakers, numClusters), centroids, numClusters };
}
