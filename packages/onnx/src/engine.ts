/**
 * The ONNX Runtime engine behind core's stage interfaces: Whisper and wav2vec2 graphs built by
 * `convert` from the MLX model directories (once, cached by the weights' hash), on the CPU.
 */
import { EngineError, type EngineLoadOptions, type InferenceEngine } from "@whisperx-mlx/core";
import type { WeightFormat } from "@whisperx-mlx/convert";
import { Wav2Vec2Onnx } from "./wav2vec2/model.js";
import { OnnxWhisperBackend } from "./whisper/backend.js";
import { PyannetOnnx } from "./diarize/segmentation.js";
import { WeSpeakerOnnx } from "./diarize/speaker-embedding.js";
import { SileroVadBatchedOnnx } from "./vad/silero.js";

/** The graphs' weight format for a compute type; fp16 is refused as CTranslate2 refuses it on a CPU. */
function weightFormat(options: EngineLoadOptions): WeightFormat {
  switch (options.computeType ?? "default") {
    case "default":
    case "float32":
      return "float32";
    case "int8":
      return "int8";
    case "int4":
      return "int4";
    case "float16":
      throw new EngineError("--compute_type float16 is not available on the ONNX Runtime CPU engine; use float32 (default), int8 or int4");
  }
}

/** Whisper, wav2vec2, Silero VAD and the diarization networks on ONNX Runtime's CPU execution provider. */
export const onnxEngine: InferenceEngine = {
  name: "onnx",
  async loadWhisper(dir, options = {}) {
    return OnnxWhisperBackend.load(dir, { weights: weightFormat(options), threads: options.threads, onBuild: options.onLog });
  },
  async loadAligner(dir, options = {}) {
    // wav2vec2 has only float32 graphs; the compute type applies to Whisper.
    const model = await Wav2Vec2Onnx.load(dir, { threads: options.threads, onBuild: options.onLog });
    return { vocab: model.config.vocab, emissions: (audio) => model.emissions(audio) };
  },
  async loadSegmentation(dir, options = {}) {
    return PyannetOnnx.load(dir, { threads: options.threads });
  },
  async loadSpeakerEmbedding(dir, options = {}) {
    return WeSpeakerOnnx.load(dir, { threads: options.threads });
  },
  async loadSpeechModel(dir, options = {}) {
    return SileroVadBatchedOnnx.load(dir, { threads: options.threads });
  },
};
