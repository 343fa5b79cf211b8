/**
 * whisperx-mlx: WhisperX's Python API for TypeScript.
 *
 * ```ts
 * import { loadModel, loadAudio, loadAlignModel, align } from "whisperx-mlx";
 * const model = await loadModel("small");
 * const audio = await loadAudio("talk.mp3");
 * const result = await model.transcribe(audio, { batchSize: 8 });
 * const aligned = await align(result.segments, await loadAlignModel(result.language), audio);
 * const diarization = await (await loadDiarizationPipeline()).diarize(audio);
 * assignWordSpeakers(diarization.turns, aligned);
 * ```
 */
export { loadModel, type LoadModelOptions, type VadRuntime } from "./load-model.js";
export { loadAlignModel, type LoadAlignModelOptions, type LoadedAlignModel } from "./load-align-model.js";
export { loadDiarizationPipeline, type LoadDiarizationOptions } from "./load-diarize-model.js";
export { DEFAULT_DIARIZE_MODEL, resolveDiarizeModel } from "./models/diarize-models.js";
export { decideEngine, needsMlxProbe, selectEngine, engineNamed, type EngineDecision } from "./engines.js";
export { DEMO_MODEL, DEMO_ALIGN_MODEL, BUNDLED_SILERO_MLX, bundledModel, bundledModelsDir } from "./models/bundled.js";
export { WHISPER_REPOS, DISTIL_REPOS, MLX_COMMUNITY_QUANTIZED, whisperRepoOf, resolveWhisperModel } from "./models/whisper-models.js";
export { DEFAULT_ALIGN_MODELS, alignModelSource, type AlignModelSource, defaultAlignModelName, resolveAlignModel } from "./models/align-models.js";
export { TORCHAUDIO_BUNDLES, type TorchaudioBundle } from "@whisperx-mlx/convert";
export { ModelResolveError, modelCacheDir, type ModelSourceOptions } from "./models/model-source.js";
export { VERSION } from "./version.js";
export { runtimeVersions } from "./versions.js";
export { checkModelLanguage } from "./load-model.js";

// The stages and types of the data path, from core.
export {
  AsrPipeline,
  type AsrPipelineConfig,
  type TranscribeCallOptions,
  type FileTranscription,
  type Task,
  type AsrOptions,
  DEFAULT_ASR_OPTIONS,
  type VadMethod,
  type VadOptions,
  DEFAULT_VAD_OPTIONS,
  type BackendChoice,
  type ComputeType,
  type EngineName,
  InvalidOptionError,
  checkAsrOptions,
  toLanguageCode,
  LANGUAGE_NAMES,
  type LanguageDetection,
  seededRandom,
  PromptTooLongError,
  type InferenceEngine,
  EngineError,
  type Progress,
  type ProgressCallback,
  type ProgressStage,
  loadAudio,
  openAudio,
  type AudioStream,
  loadPcm16,
  openAudioSamples,
  type AudioSamples,
  Pcm16Audio,
  WavFileAudio,
  pcmBlocks,
  decodePcm,
  type PcmFormat,
  isStreamInput,
  AudioLoadError,
  SAMPLE_RATE,
  align,
  type AlignModel,
  type AlignOptions,
  type AlignedResult,
  type AlignedSegment,
  type CharAlignment,
  type InterpolateMethod,
  writeResult,
  getWriter,
  renderResult,
  type ResultWriter,
  type OutputFormat,
  ALL_FORMATS,
  type SubtitleOptions,
  formatTimestamp,
  LANGUAGE_CODES,
  type Segment,
  type Word,
  type TranscriptionResult,
  type WhisperDims,
  HubError,
  VadWorkerError,
  temperatureSchedule,
  transcribeStream,
  type StreamOptions,
  type StreamModel,
  type StreamUpdate,
  type StreamWord,
  OnlineTranscriber,
  type OnlinePolicyOptions,
  LocalAgreement,
  cutRepetitionLoop,
  VoiceActivityGate,
  type VacOptions,
  SileroVadOnnx,
  DiarizationPipeline,
  type DiarizeOptions,
  type Diarization,
  type DiarizationTurn,
  type DiarizationTimings,
  DiarizationModelError,
  assignWordSpeakers,
  type AssignWordSpeakersOptions,
  formatRttm,
  parseRttm,
  serializeDiarization,
  pythonJson,
  writeFileAtomic,
} from "@whisperx-mlx/core";
export { MlxRuntimeError, ModelLoadError, prepareMlx, type MlxAvailability } from "@whisperx-mlx/mlx-native";
export { OnnxModelError } from "@whisperx-mlx/onnx";
