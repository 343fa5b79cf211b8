/**
 * The stage interface an inference engine (MLX, ONNX Runtime) implements. The pipeline and the
 * public API load models only through it, so an engine plugs in without touching either.
 */
import type { AlignModel } from "../align/align.js";
import type { WhisperBackend } from "../transcribe/backend.js";
import type { SpeechProbabilityModel } from "../vad/speech-model.js";
import type { SegmentationModel, SpeakerEmbeddingModel } from "../diarize/diarization-models.js";

/** The engines this project has. */
export type EngineName = "mlx" | "onnx";

/** What `--backend` accepts: an engine, or `auto` (MLX on Apple Silicon when it loads, else ONNX Runtime). */
export type BackendChoice = EngineName | "auto";

/** WhisperX's `compute_type` values, plus `int4`. */
export type ComputeType = "default" | "float16" | "float32" | "int8" | "int4";

/** Options every engine load takes. */
export interface EngineLoadOptions {
  /** Precision of the linear layers. Engines refuse what they cannot compute (one-line error). */
  computeType?: ComputeType;
  /** Intra-op threads (0 or undefined: the engine's default). */
  threads?: number;
  /** One-line progress messages (graph builds, runtime downloads). */
  onLog?: (message: string) => void;
}

/** An inference engine: loads each stage's model from a converted model directory. */
export interface InferenceEngine {
  readonly name: EngineName;
  /** Whisper encoder/decoder for the ASR stage. */
  loadWhisper(dir: string, options?: EngineLoadOptions): Promise<WhisperBackend>;
  /** A wav2vec2 CTC emission model for the alignment stage. */
  loadAligner(dir: string, options?: EngineLoadOptions): Promise<AlignModel>;
  /**
   * Silero VAD run in this process on the engine (MLX). Engines without one leave it out; the
   * pipeline then runs Silero on ONNX Runtime in a worker thread.
   */
  loadSpeechModel?(dir: string, options?: EngineLoadOptions): Promise<SpeechProbabilityModel>;
  /** PyanNet for the diarization stage, from a converted pipeline's `segmentation/` directory. */
  loadSegmentation(dir: string, options?: EngineLoadOptions): Promise<SegmentationModel>;
  /** WeSpeaker ResNet for the diarization stage, from a converted pipeline's `embedding/` directory. */
  loadSpeakerEmbedding(dir: string, options?: EngineLoadOptions): Promise<SpeakerEmbeddingModel>;
}

/** Thrown when an engine cannot do what it was asked (a compute type, a missing runtime); one line. */
export class EngineError extends Error {
  override name = "EngineError";
}
