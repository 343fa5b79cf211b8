/**
 * pyannote's `VBxClustering` as speaker-diarization-community-1 configures it: AHC initialisation
 * (centroid linkage, threshold 0.6), VBx over PLDA features, centroids from the responsibilities of
 * the speakers VBx keeps, k-means when a requested count is not met, and a constrained
 * (one cluster per local speaker) assignment.
 */
import type { ChunkSegmentations } from "./frames.js";
import { l2Normalize, type ChunkEmbeddings } from "./embeddings.js";
import { centroidLinkage, fclusterDistance, renumber } from "./centroid-linkage.js";
import { argmaxAssignment, clusterCentroids, constrainedAssignment, similarityToCentroids, singleCluster, trainingEmbeddings, type ClusteringResult, type SpeakerBounds } from "./clustering.js";
import { pldaFeatures, type PldaParameters } from "./plda.js";
import { clusterVbx } from "./vbx.js";
import { kmeans } from "./kmeans.js";

/** The hyper-parameters of community-1's clustering. */
export interface VbxParameters {
  threshold: number;
  Fa: number;
  Fb: number;
}

export function vbxClustering(embeddings: ChunkEmbeddings, segmentations: ChunkSegmentations, params: VbxParameters, plda: PldaParameters, speakers: SpeakerBounds): ClusteringResult {
  const training = trainingEmbeddings(embeddings, segmentations);
  const { numChunks, numSpeakers, dimension } = embeddings;
  if (training.count < 2) return singleCluster(embeddings, training);

  const normalized = l2Normalize(training.embeddings, training.count, dimension);
  const Z = centroidLinkage(normalized, training.count, dimension);
  const ahc = renumber(fclusterDistance(Z, training.count, params.threshold).map((k) => k - 1));
  const features = pldaFeatures(plda, training.embeddings, training.count);
  const { gamma, pi } = clusterVbx(ahc, features, training.count, plda.phi, { Fa: params.Fa, Fb: params.Fb, maxIters: 20 });

  const S = pi.length;
  const kept = [...pi.keys()].filter((s) => pi[s] > 1e-7);
  let numClusters = kept.length;
  let centroids: Float64Array = new Float64Array(numClusters * dimension);
  kept.forEach((s, j) => {
    let w = 0;
    for (let i = 0; i < training.count; i++) w += gamma[i * S + s];
    for (let i = 0; i < training.count; i++) {
      const g = gamma[i * S + s];
      for (let d = 0; d < dimension; d++) centroids[j * dimension + d] += g * training.embeddings[i * dimension + d];
    }
    for (let d = 0; d < dimension; d++) centroids[j * dimension + d] /= w;
  });

  let constrained = true;
  let forced = speakers.numSpeakers;
  if (numClusters < speakers.minSpeakers) forced = speakers.minSpeakers;
  else if (numClusters > speakers.maxSpeakers) forced = speakers.maxSpeakers;
  if (forced && forced !== numClusters) {
    // A forced count turns the constrained assignment off (it could add clusters back).
    constrained = false;
    const labels = kmeans(normalized, training.count, dimension, forced, { nInit: 3, seed: 42 });
    numClusters = forced;
    centroids = clusterCentroids(training, labels, forced, dimension);
  }

  const soft = similarityToCentroids(embeddings, centroids, numClusters);
  if (!constrained) return { hardClusters: argmaxAssignment(soft, numChunks * numSpeakers, numClusters), centroids, numClusters };

  let min = Infinity;
  for (const v of soft) if (v < min) min = v;
  const { numFrames, data } = segmentations;
  for (let c = 0; c < numChunks; c++) {
    for (let s = 0; s < numSpeakers; s++) {
      let active = 0;
      for (let f = 0; f < numFrames; f++) active += data[(c * numFrames + f) * numSpeakers + s];
      if (active === 0) for (let k = 0; k < numClusters; k++) soft[(c * numSpeakers + s) * numClusters + k] = min - 1;
    }
  }
  return { hardClusters: constrainedAssignment(soft, numChunks, numSpeakers, numClusters), centroids, numClusters };
}
