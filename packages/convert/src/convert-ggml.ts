/**
 * `convert whisper --to ggml`: any Whisper source we read (OpenAI `.pt`, Hugging Face directory,
 * MLX directory) → a whisper.cpp model file, with the mel filterbank and vocabulary openai-whisper
 * ships (vendored in core), so whisper.cpp can run the very checkpoint our engines run.
 */
import { melFiltersPath, readTiktokenRanks } from "@whisperx-mlx/core";
import { ConvertError } from "./errors.js";
import { isMlxWhisperDir, mlxWhisperToOpenAi, readWhisperSource } from "./families/whisper.js";
import { readNpyFloat32 } from "./readers/npy.js";
import { writeGgmlWhisper, type GgmlWeightType } from "./writers/ggml-whisper.js";

/** Options of `convertWhisperToGgml`. */
export interface GgmlConvertOptions {
  /** An OpenAI `.pt`, a Hugging Face Whisper directory or an MLX Whisper directory. */
  source: string;
  /** The output file. */
  ggmlPath: string;
  /** Weight format: f16 (whisper.cpp's default), f32, or ggml's Q8_0 / Q4_0 blocks. */
  type: GgmlWeightType;
  force?: boolean;
}

/** The BPE ranks' byte strings in rank order (the file's order, as the Python converter writes them). */
function tiktokenVocabulary(nVocab: number): Uint8Array[] {
  return readTiktokenRanks(nVocab >= 51865 ? "multilingual" : "gpt2").map((tok) => new Uint8Array(Buffer.from(tok, "base64")));
}

/** Converts a Whisper checkpoint to a whisper.cpp model file. Throws `ConvertError` on bad input. */
export function convertWhisperToGgml(options: GgmlConvertOptions): { tensors: number; bytesOut: number } {
  try {
    const src = isMlxWhisperDir(options.source) ? mlxWhisperToOpenAi(options.source) : readWhisperSource(options.source);
    const mel = readNpyFloat32(melFiltersPath(src.dims.n_mels));
    const { bytes, tensors } = writeGgmlWhisper(
      options.ggmlPath,
      { dims: src.dims, tensors: src.tensors, melFilters: { rows: mel.shape[0], cols: mel.shape[1], data: mel.data }, vocabulary: tiktokenVocabulary(src.dims.n_vocab) },
      options.type,
      { force: options.force },
    );
    return { tensors, bytesOut: bytes };
  } catch (e) {
    if (e instanceof ConvertError) throw e;
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw new ConvertError(options.source, `malformed input (${msg})`);
  }
}
