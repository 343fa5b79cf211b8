import type { AudioSamples } from "../audio/audio-samples.js";
import type { LogitRules } from "../decoding/logit-rules.js";
import type { DecodeStrategy } from "../decoding/run-decoding.js";
import type { WhisperDims } from "../types.js";

/** A log-mel spectrogram held by a backend (on its device); `frames` counts mel frames. */
export interface MelHandle {
  readonly frames: number;
}

/** What a backend returns for one decoded window, before core turns it into a result. */
export interface RawDecode {
  /** Sampled tokens up to, not including, `<|endoftext|>`. */
  tokens: number[];
  /** Sum of the log-probabilities of the sampled tokens, `<|endoftext|>` included. */
  sumLogprob: number;
  /** Probability of `<|nospeech|>` at the SOT position of the first step. */
  noSpeechProb: number;
}

/** Options of `WhisperBackend.decodeChunks`: how tokens are chosen, and how many chunks decode together. */
export interface DecodeChunksOptions extends DecodeStrategy {
  batchSize: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * The stages a Whisper backend (MLX, ONNX Runtime, …) provides. Core drives them; the tensors
 * never leave the backend.
 */
export interface WhisperBackend {
  readonly dims: WhisperDims;
  /** The model's tuned cross-attention heads (`[layer, head]`) for DTW word timestamps, when its weights carry them. */
  readonly alignmentHeads?: [number, number][];
  /** Log-mel of `audio` with `padding` zero samples appended (openai-whisper semantics). */
  melSpectrogram(audio: Float32Array, padding: number): Promise<MelHandle>;
  /**
   * Decodes mel frames [seek, seek + size) zero-padded to 3000 frames, under `rules`, choosing
   * tokens as `strategy` says (core's `runDecoding`).
   */
  decodeWindow(mel: MelHandle, seek: number, size: number, rules: LogitRules, strategy: DecodeStrategy): Promise<RawDecode>;
  /**
   * Decodes independent audio chunks (each ≤ 30 s, zero-padded to 30 s, its own log-mel) under
   * the same `rules`, `batchSize` at a time (each with its beams or samples), as WhisperX's
   * batched pipeline does. Requires rules without timestamps. Results are in chunk order and do
   * not depend on the batch size. `onProgress` hears the chunks done after each batch.
   */
  decodeChunks(chunks: readonly AudioSamples[], rules: LogitRules, options: DecodeChunksOptions): Promise<RawDecode[]>;
  /**
   * For cross-attention DTW: runs the decoder on `tokens` over the window [seek, seek + size),
   * and returns the alignment heads' cross-attention (softmax over the window's first size/2
   * frames), heads × tokens × frames, plus the probability of each token in
   * [textStart, textEnd) under the text vocabulary.
   */
  alignmentWeights(
    mel: MelHandle,
    seek: number,
    size: number,
    tokens: number[],
    heads: [number, number][],
    textStart: number,
    textEnd: number,
  ): Promise<{ weights: Float32Array; tokenCount: number; frames: number; textTokenProbs: number[] }>;
  /** The logits of `languageTokens` after `<|startoftranscript|>` on the window starting at `seek` (for openai's `detect_language`). */
  detectLanguage(mel: MelHandle, seek: number, languageTokens: number[], sot: number): Promise<number[]>;
  /** Frees the device memory of a mel. */
  release(mel: MelHandle): void;
}
