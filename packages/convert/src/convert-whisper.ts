import { readWhisperSource, whisperToMlx } from "./families/whisper.js";
import { writeMlxModel } from "./writers/mlx-model.js";
import { numel } from "./tensor.js";

/** Options of `convertWhisper`, named after mlx-examples' `convert.py` flags. */
export interface ConvertWhisperOptions {
  /** `.pt` file, Hugging Face directory or Hub id. */
  torchNameOrPath: string;
  /** Output directory. */
  mlxPath: string;
  dtype?: "float16" | "float32" | "bfloat16";
  /** Overwrite an existing output directory. */
  force?: boolean;
}

/** What a conversion did, for the summary line. */
export interface ConvertSummary {
  tensors: number;
  parameters: number;
  bytesOut: number;
}

/** Converts a Whisper checkpoint to an MLX model directory (atomically). */
export function convertWhisper(options: ConvertWhisperOptions): ConvertSummary {
  const src = readWhisperSource(options.torchNameOrPath);
  const { config, tensors } = whisperToMlx(src, options.dtype ?? "float16");
  writeMlxModel(options.mlxPath, config, tensors, { force: options.force });
  let parameters = 0;
  let bytesOut = 0;
  for (const t of tensors.values()) {
    parameters += numel(t.shape);
    bytesOut += t.data.length;
  }
  return { tensors: tensors.size, parameters, bytesOut };
}
