/**
 * The MLX engine behind core's stage interfaces: Whisper, wav2vec2 and Silero on MLX (Metal on
 * Apple Silicon, the CPU elsewhere). Loading makes the runtime ready first (`prepareMlx`).
 */
import { EngineError, type EngineLoadOptions, type InferenceEngine } from "@whisperx-mlx/core";
import { MlxRuntimeError, prepareMlx } from "./runtime.js";
import { SileroVadMlx } from "./vad/silero.js";
import { Wav2Vec2Mlx } from "./wav2vec2/model.js";
import { MlxWhisperBackend } from "./whisper/backend.js";
import { PyannetMlx } from "./diarize/pyannet.js";
import { WeSpeakerMlx } from "./diarize/wespeaker.js";

let threadsSet: number | undefined;

/**
 * Readies MLX for a load: checks the compute type (this engine computes in float32 and reads
 * quantized or fp16 weights by converting them at load) and the thread count, which OpenBLAS
 * reads once, when MLX is first loaded.
 */
async function ready(options: EngineLoadOptions): Promise<void> {
  const compute = options.computeType ?? "default";
  if (compute !== "default" && compute !== "float32") {
    throw new EngineError(`--compute_type ${compute} is not available on the MLX engine (it computes in float32); use --backend onnx for int8/int4, or default`);
  }
  if (options.threads && options.threads > 0) {
    if (threadsSet === undefined && process.env.OPENBLAS_NUM_THREADS === undefined) {
      process.env.OPENBLAS_NUM_THREADS = String(options.threads);
      threadsSet = options.threads;
    } else if ((threadsSet ?? Number(process.env.OPENBLAS_NUM_THREADS)) !== options.threads) {
      throw new EngineError(`--threads ${options.threads}: MLX already runs with ${threadsSet ?? process.env.OPENBLAS_NUM_THREADS} threads in this process`);
    }
  }
  const status = await prepareMlx({ onLog: options.onLog });
  if (!status.ok) throw new MlxRuntimeError(`MLX cannot start: ${status.reason}`);
}

/** Whisper, wav2vec2, Silero and the diarization networks on MLX. */
export const mlxEngine: InferenceEngine = {
  name: "mlx",
  async loadWhisper(dir, options = {}) {
    await ready(options);
    return MlxWhisperBackend.load(dir);
  },
  async loadAligner(dir, options = {}) {
    await ready(options);
    const model = Wav2Vec2Mlx.load(dir);
    return { vocab: model.config.vocab, emissions: (audio) => model.emissions(audio) };
  },
  async loadSpeechModel(dir, options = {}) {
    await ready({ ...options, computeType: "default" });
    return SileroVadMlx.load(dir);
  },
  async loadSegmentation(dir, options = {}) {
    await ready(options);
    return PyannetMlx.load(dir);
  },
  async loadSpeakerEmbedding(dir, options = {}) {
    await ready(options);
    return WeSpeakerMlx.load(dir);
  },
};
