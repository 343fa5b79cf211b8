/**
 * The two networks of a pyannote diarization pipeline, as an engine (MLX, ONNX Runtime) provides
 * them. Everything around them (chunking, powerset decoding, fbank, masks, clustering) is core's.
 */

/** `segmentation/config.json` of a converted pipeline (PyanNet). */
export interface SegmentationModelConfig {
  model_type: "pyannet";
  sample_rate: number;
  /** Window length in seconds (10). */
  duration: number;
  /** Output frames per window (589). */
  num_frames: number;
  receptive_field: { start: number; duration: number; step: number };
  /** Local speakers per window (3). */
  num_speakers: number;
  powerset_max_classes: number;
  /** Powerset classes (7). */
  num_classes: number;
  lstm: { hidden_size: number; num_layers: number; bidirectional: boolean };
  linear: { hidden_size: number; num_layers: number };
}

/** `embedding/config.json` of a converted pipeline (WeSpeaker ResNet34). */
export interface SpeakerEmbeddingModelConfig {
  model_type: "wespeaker-resnet34";
  sample_rate: number;
  num_mel_bins: number;
  m_channels: number;
  num_blocks: number[];
  embedding_dimension: number;
  min_num_samples: number;
}

/** PyanNet: fixed-length windows → per-frame powerset log-probabilities. */
export interface SegmentationModel {
  readonly config: SegmentationModelConfig;
  /** `count` windows of `duration·sample_rate` samples each → count × num_frames × num_classes. */
  logProbabilities(windows: Float32Array, count: number): Promise<Float32Array>;
  release(): Promise<void>;
}

/**
 * WeSpeaker ResNet: the trunk runs once per window, then statistics are pooled once per local
 * speaker with that speaker's frame weights (identical numbers to pyannote's one run per speaker).
 */
export interface SpeakerEmbeddingModel {
  readonly config: SpeakerEmbeddingModelConfig;
  /** Trunk output frames for `fbankFrames` input frames (998 → 125). */
  outputFrames(fbankFrames: number): number;
  /**
   * `fbank`: count × fbankFrames × num_mel_bins; `weights`: count × speakers × outputFrames(fbankFrames).
   * Returns count × speakers × embedding_dimension.
   */
  embed(fbank: Float32Array, count: number, fbankFrames: number, weights: Float32Array, speakers: number): Promise<Float32Array>;
  release(): Promise<void>;
}

/** Output frames of the ResNet trunk: three stride-2 stages (3×3, padding 1). */
export function resnetOutputFrames(fbankFrames: number): number {
  let t = fbankFrames;
  for (let i = 0; i < 3; i++) t = Math.floor((t + 2 - 3) / 2) + 1;
  return t;
}
