/**
 * whisper.cpp's model file (`ggml-model*.bin`), written as its own `convert-pt-to-ggml.py` and
 * `quantize` tool write it, so whisper.cpp loads our conversion of any checkpoint we read:
 *
 *   magic "ggml" · 11 int32 hparams (dims…, ftype) · mel filters (n_mel, n_fft, float32 rows) ·
 *   vocabulary (count, then length + bytes per BPE rank) · tensors (n_dims, name length, type,
 *   dims innermost first, name, data).
 *
 * Tensors keep the source's order and OpenAI names. As the Python converter does, 1-D tensors,
 * the conv biases (stored as [n, 1]) and both positional embeddings are float32, the rest float16;
 * a quantised file then turns every other 2-D tensor into Q8_0 or Q4_0 blocks as `quantize` does.
 */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { ConvertError } from "../errors.js";
import { castFloat, toFloat32, type HostTensor } from "../tensor.js";
import { GGML_FTYPE, GGML_TYPE, quantizeQ4_0, quantizeQ8_0 } from "../ggml-quants.js";
import type { WhisperDims } from "../families/whisper.js";

/** The weight formats of a whisper.cpp model file. */
export const GGML_WEIGHT_TYPES = ["f16", "f32", "q8_0", "q4_0"] as const;
export type GgmlWeightType = (typeof GGML_WEIGHT_TYPES)[number];

/** What goes into a whisper.cpp model file besides the tensors. */
export interface GgmlWhisperModel {
  dims: WhisperDims;
  /** OpenAI names, in the order to write them. */
  tensors: Map<string, HostTensor>;
  /** n_mels × n_fft/2+1 filterbank, row-major (openai-whisper's `mel_filters.npz`). */
  melFilters: { rows: number; cols: number; data: Float32Array };
  /** Byte strings of the BPE ranks, in rank order (the tiktoken file's lines). */
  vocabulary: Uint8Array[];
}

/** ggml's quantisation-format version, folded into a quantised file's ftype as `quantize` does. */
const GGML_QNT_VERSION = 2;
const GGML_QNT_VERSION_FACTOR = 1000;
const MAGIC = 0x67676d6c;

/** Tensors the Python converter keeps in float32 whatever their rank (and `quantize` skips). */
const FLOAT32_TENSORS = new Set(["encoder.conv1.bias", "encoder.conv2.bias", "encoder.positional_embedding", "decoder.positional_embedding"]);

/** One tensor's type and bytes in the file. */
function encodeTensor(name: string, t: HostTensor, type: GgmlWeightType): { shape: number[]; ggmlType: number; data: Uint8Array } {
  // squeeze(), then the conv biases as [n, 1], as convert-pt-to-ggml.py does.
  let shape = t.shape.filter((d) => d !== 1);
  if (name === "encoder.conv1.bias" || name === "encoder.conv2.bias") shape = [shape[0], 1];
  const keepFloat32 = type === "f32" || shape.length < 2 || FLOAT32_TENSORS.has(name);
  if (keepFloat32) return { shape, ggmlType: GGML_TYPE.f32, data: castFloat(t, "float32").data };
  if (type === "f16" || shape.length !== 2) return { shape, ggmlType: GGML_TYPE.f16, data: castFloat(t, "float16").data };
  // `quantize` reads the float16 values back, so quantise what the f16 file would hold.
  const values = toFloat32(castFloat(t, "float16"));
  if (type === "q8_0") return { shape, ggmlType: GGML_TYPE.q8_0, data: quantizeQ8_0(values) };
  return { shape, ggmlType: GGML_TYPE.q4_0, data: quantizeQ4_0(values) };
}

function int32s(values: number[]): Uint8Array {
  return new Uint8Array(Int32Array.from(values).buffer);
}

/**
 * Writes a whisper.cpp model file atomically (a sibling temp file renamed into place); an
 * existing file is kept unless `force`.
 */
export function writeGgmlWhisper(path: string, model: GgmlWhisperModel, type: GgmlWeightType, options: { force?: boolean } = {}): { bytes: number; tensors: number } {
  const target = resolve(path);
  if (existsSync(target) && !options.force) throw new ConvertError(path, "output already exists (use --force to overwrite)");
  mkdirSync(dirname(target), { recursive: true });
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now()}`);
  const d = model.dims;
  const ftype = type === "f32" || type === "f16" ? GGML_FTYPE[type] : GGML_QNT_VERSION * GGML_QNT_VERSION_FACTOR + GGML_FTYPE[type];
  let bytes = 0;
  const fd = openSync(tmp, "w");
  try {
    const put = (b: Uint8Array) => {
      writeSync(fd, b);
      bytes += b.byteLength;
    };
    put(int32s([MAGIC, d.n_vocab, d.n_audio_ctx, d.n_audio_state, d.n_audio_head, d.n_audio_layer, d.n_text_ctx, d.n_text_state, d.n_text_head, d.n_text_layer, d.n_mels, ftype]));
    const mel = model.melFilters;
    put(int32s([mel.rows, mel.cols]));
    put(new Uint8Array(mel.data.buffer, mel.data.byteOffset, mel.rows * mel.cols * 4));
    put(int32s([model.vocabulary.length]));
    for (const token of model.vocabulary) {
      put(int32s([token.byteLength]));
      put(token);
    }
    for (const [name, t] of model.tensors) {
      const e = encodeTensor(name, t, type);
      const nameBytes = new TextEncoder().encode(name);
      put(int32s([e.shape.length, nameBytes.byteLength, e.ggmlType, ...[...e.shape].reverse()]));
      put(nameBytes);
      put(e.data);
    }
    closeSync(fd);
    renameSync(tmp, target);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(tmp, { force: true });
    if (e instanceof ConvertError) throw e;
    throw new ConvertError(path, `cannot write output (${(e as Error).message})`);
  }
  return { bytes, tensors: model.tensors.size };
}
