/** The pipeline configuration a converted pyannote diarization model carries. */
import type { AgglomerativeParameters } from "./agglomerative-clustering.js";
import type { PldaParameters } from "./plda.js";
import type { VbxParameters } from "./vbx-clustering.js";

/** Which clustering the pipeline runs: speaker-diarization-3.1 (AHC) or community-1 (VBx). */
export type DiarizationClustering = { method: "agglomerative"; params: AgglomerativeParameters } | { method: "vbx"; params: VbxParameters; plda: PldaParameters };

/** Everything between the two networks: the clustering, overlap handling, and post-processing. */
export interface DiarizationConfig {
  clustering: DiarizationClustering;
  /** Embeddings pool over frames where the speaker is alone (both published configs: true). */
  embeddingExcludeOverlap: boolean;
  /** Gaps shorter than this within a speaker are filled (both configs: 0, i.e. off). */
  minDurationOff: number;
}
