/**
 * pyannote's `SpeakerDiarization.apply` after the two networks: speaker count, clustering,
 * reconstruction, the regular and exclusive outputs, labels and speaker embeddings.
 */
import type { ChunkSegmentations } from "./frames.js";
import type { ChunkEmbeddings } from "./embeddings.js";
import { speakerCount } from "./speaker-count.js";
import { speakerBounds, type ClusteringResult } from "./clustering.js";
import { agglomerativeClustering } from "./agglomerative-clustering.js";
import { vbxClustering } from "./vbx-clustering.js";
import { binarize, speakerLabels, toDiarization, INACTIVE_SPEAKER, type SpeakerTurn } from "./reconstruct.js";
import type { DiarizationConfig } from "./diarization-config.js";

/** A labelled speaker turn (times in seconds, unrounded, as pyannote's Annotation holds them). */
export interface DiarizationTurn {
  start: number;
  end: number;
  speaker: string;
}

/** How many speakers to look for (`num_speakers`, `min_speakers`, `max_speakers`). */
export interface SpeakerCountOptions {
  numSpeakers?: number;
  minSpeakers?: number;
  maxSpeakers?: number;
}

/** The diarization of one file, with the intermediate results the parity tests check. */
export interface Diarization {
  /** Overlapping turns: what WhisperX uses. */
  turns: DiarizationTurn[];
  /** At most one speaker at a time. */
  exclusiveTurns: DiarizationTurn[];
  /** One embedding per label, in label order (SPEAKER_00 first); left out unless asked for (`returnEmbeddings`). */
  speakerEmbeddings?: Map<string, Float32Array>;
  /** Frame-level speaker count before the max_speakers cap. */
  count: Uint8Array;
  /** Cluster per (chunk, local speaker) as reconstruction received it (−2: inactive). */
  hardClusters: Int32Array;
  /** Frames where choosing the top-`count` clusters was a tie (regular, exclusive output). */
  tiedFrames: { regular: Uint8Array; exclusive: Uint8Array };
}

/** Runs the clustering the config names. */
export function clusterEmbeddings(embeddings: ChunkEmbeddings, segmentations: ChunkSegmentations, config: DiarizationConfig, options: SpeakerCountOptions = {}): ClusteringResult {
  const bounds = speakerBounds(options);
  const c = config.clustering;
  return c.method === "vbx" ? vbxClustering(embeddings, segmentations, c.params, c.plda, bounds) : agglomerativeClustering(embeddings, segmentations, c.params, bounds);
}

function labelTurns(turns: SpeakerTurn[], labels: Map<number, string>): DiarizationTurn[] {
  return turns.map((t) => ({ start: t.start, end: t.end, speaker: labels.get(t.speaker) ?? `SPEAKER_${t.speaker}` }));
}

/** Turns with gaps shorter than `collar` inside one speaker filled (pyannote's `support(collar)`). */
function fillGaps(turns: SpeakerTurn[], collar: number): SpeakerTurn[] {
  if (collar <= 0) return turns;
  const bySpeaker = new Map<number, SpeakerTurn[]>();
  for (const t of turns) bySpeaker.set(t.speaker, [...(bySpeaker.get(t.speaker) ?? []), { ...t }]);
  const out: SpeakerTurn[] = [];
  for (const list of bySpeaker.values()) {
    list.sort((a, b) => a.start - b.start);
    let current = list[0];
    for (const t of list.slice(1)) {
      if (t.start - current.end < collar) current.end = Math.max(current.end, t.end);
      else {
        out.push(current);
        current = t;
      }
    }
    out.push(current);
  }
  return out.sort((a, b) => a.start - b.start || a.end - b.end || a.speaker - b.speaker);
}

/** Diarization from the segmentation network's hard output and the per-(chunk, speaker) embeddings. */
export function diarizeFromEmbeddings(segmentations: ChunkSegmentations, embeddings: ChunkEmbeddings, config: DiarizationConfig, options: SpeakerCountOptions = {}): Diarization {
  const bounds = speakerBounds(options);
  const count = speakerCount(segmentations);
  let maxCount = 0;
  for (const c of count) maxCount = Math.max(maxCount, c);
  if (maxCount === 0) return { turns: [], exclusiveTurns: [], speakerEmbeddings: new Map(), count, hardClusters: new Int32Array(segmentations.numChunks * segmentations.numSpeakers).fill(INACTIVE_SPEAKER), tiedFrames: { regular: new Uint8Array(0), exclusive: new Uint8Array(0) } };

  const { hardClusters, centroids, numClusters } = clusterEmbeddings(embeddings, segmentations, config, options);
  const { numChunks, numFrames, numSpeakers, data } = segmentations;
  for (let c = 0; c < numChunks; c++) {
    for (let s = 0; s < numSpeakers; s++) {
      let active = 0;
      for (let f = 0; f < numFrames; f++) active += data[(c * numFrames + f) * numSpeakers + s];
      if (active === 0) hardClusters[c * numSpeakers + s] = INACTIVE_SPEAKER;
    }
  }
  const capped = count.map((c) => Math.min(c, bounds.maxSpeakers));
  const regular = toDiarization(segmentations, hardClusters, capped);
  const turns = fillGaps(binarize(regular.binary, regular.numFrames, regular.numClusters), config.minDurationOff);
  const exclusive = toDiarization(segmentations, hardClusters, capped.map((c) => Math.min(c, 1)));
  const exclusiveTurns = fillGaps(binarize(exclusive.binary, exclusive.numFrames, exclusive.numClusters), config.minDurationOff);

  const labels = speakerLabels(turns);
  const dimension = embeddings.dimension;
  const speakerEmbeddings = new Map<string, Float32Array>();
  // Labels beyond the clusters (more simultaneous speakers than clusters) get zero vectors, as in pyannote.
  for (const [k, label] of labels) speakerEmbeddings.set(label, k < numClusters ? Float32Array.from(centroids.subarray(k * dimension, (k + 1) * dimension)) : new Float32Array(dimension));
  const sortedEmbeddings = new Map([...speakerEmbeddings].sort(([a], [b]) => (a < b ? -1 : 1)));
  return { turns: labelTurns(turns, labels), exclusiveTurns: labelTurns(exclusiveTurns, labels), speakerEmbeddings: sortedEmbeddings, count, hardClusters, tiedFrames: { regular: regular.ambiguous, exclusive: exclusive.ambiguous } };
}
