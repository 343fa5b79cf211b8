/**
 * Whisper: OpenAI `.pt` and Hugging Face `WhisperForConditionalGeneration` checkpoints →
 * mlx-community layout (`config.json` with OpenAI `ModelDimensions` + `weights.safetensors`).
 * The name mapping follows mlx-examples' `convert.py` (see shared/docs/reference-semantics.md §3).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ConvertError } from "../errors.js";
import { readTorchCheckpoint, isHostTensor, type CheckpointValue } from "../readers/torch.js";
import { findHfWeights } from "../readers/safetensors.js";
import { readStateDict } from "../readers/state-dict.js";
import { mlxWeightsFile, readMlxTensors, readMlxWeightsFloat32 } from "../readers/mlx-model.js";
import { castFloat, floatToHalf, halfToFloat, permute, type HostTensor } from "../tensor.js";
import { writeMlxModel } from "../writers/mlx-model.js";
import type { WhisperDims } from "@whisperx-mlx/core";

/** OpenAI's `ModelDimensions` (the type lives in core). */
export type { WhisperDims };

const DIM_KEYS: (keyof WhisperDims)[] = ["n_mels", "n_audio_ctx", "n_audio_state", "n_audio_head", "n_audio_layer", "n_vocab", "n_text_ctx", "n_text_state", "n_text_head", "n_text_layer"];

/** A Whisper checkpoint in OpenAI names, whatever file it came from. */
export interface WhisperSource {
  dims: WhisperDims;
  tensors: Map<string, HostTensor>;
  /** `[layer, head]` pairs when the source names alignment heads. */
  alignmentHeads?: [number, number][];
}

/** Just the ten dims of a config that has more keys (`model_type`, `quantization`). */
export function whisperDimsOf(c: WhisperDims): WhisperDims {
  const { n_mels, n_audio_ctx, n_audio_state, n_audio_head, n_audio_layer, n_vocab, n_text_ctx, n_text_state, n_text_head, n_text_layer } = c;
  return { n_mels, n_audio_ctx, n_audio_state, n_audio_head, n_audio_layer, n_vocab, n_text_ctx, n_text_state, n_text_head, n_text_layer };
}

/** Validates and picks OpenAI's `ModelDimensions` from a config object. */
export function checkDims(d: Record<string, unknown>, file: string): WhisperDims {
  for (const k of DIM_KEYS) if (!Number.isInteger(d[k]) || (d[k] as number) <= 0) throw new ConvertError(file, `Whisper dims: '${k}' is missing or not a positive integer`);
  return Object.fromEntries(DIM_KEYS.map((k) => [k, d[k]])) as unknown as WhisperDims;
}

/** Reads an OpenAI-format `.pt` (`{"dims", "model_state_dict"}`). */
export function readOpenAiWhisper(file: string): WhisperSource {
  const ckpt = readTorchCheckpoint(file);
  if (!ckpt || typeof ckpt !== "object" || Array.isArray(ckpt) || isHostTensor(ckpt)) throw new ConvertError(file, "checkpoint is not a dict");
  const root = ckpt as { [k: string]: CheckpointValue };
  const dims = root.dims;
  const sd = root.model_state_dict;
  if (!dims || typeof dims !== "object" || Array.isArray(dims) || isHostTensor(dims)) throw new ConvertError(file, "checkpoint has no 'dims' dict (not an OpenAI Whisper checkpoint)");
  if (!sd || typeof sd !== "object" || Array.isArray(sd) || isHostTensor(sd)) throw new ConvertError(file, "checkpoint has no 'model_state_dict'");
  const tensors = new Map<string, HostTensor>();
  for (const [k, v] of Object.entries(sd)) {
    if (!isHostTensor(v)) throw new ConvertError(file, `state dict entry '${k}' is not a tensor`);
    tensors.set(k, v);
  }
  return { dims: checkDims(dims as Record<string, unknown>, file), tensors };
}

const HF_RENAMES: [RegExp, string][] = [
  [/\.layers\./g, ".blocks."],
  [/\.self_attn_layer_norm\./g, ".attn_ln."],
  [/\.self_attn\./g, ".attn."],
  [/\.encoder_attn_layer_norm\./g, ".cross_attn_ln."],
  [/\.encoder_attn\./g, ".cross_attn."],
  [/\.final_layer_norm\./g, ".mlp_ln."],
  [/\.q_proj\./g, ".query."],
  [/\.k_proj\./g, ".key."],
  [/\.v_proj\./g, ".value."],
  [/\.out_proj\./g, ".out."],
  [/\.fc1\./g, ".mlp.0."],
  [/\.fc2\./g, ".mlp.2."],
  [/^encoder\.embed_positions\.weight$/, "encoder.positional_embedding"],
  [/^decoder\.embed_positions\.weight$/, "decoder.positional_embedding"],
  [/^decoder\.embed_tokens\./, "decoder.token_embedding."],
  [/^encoder\.layer_norm\./, "encoder.ln_post."],
  [/^decoder\.layer_norm\./, "decoder.ln."],
];

/** Maps one HF Whisper tensor name to its OpenAI name (undefined: drop it). */
export function hfToOpenAiName(name: string): string | undefined {
  if (name === "proj_out.weight") return undefined; // tied to the token embedding
  let n = name.replace(/^model\./, "");
  for (const [re, to] of HF_RENAMES) n = n.replace(re, to);
  return n;
}

/** Reads a Hugging Face Whisper directory (`config.json` + safetensors / bin). */
export function readHfWhisper(dir: string): WhisperSource {
  const cfgPath = join(dir, "config.json");
  if (!existsSync(cfgPath)) throw new ConvertError(dir, "not a Hugging Face model directory (no config.json)");
  let cfg: Record<string, unknown>;
  try {
    cfg = JSON.parse(readFileSync(cfgPath, "utf8"));
  } catch (e) {
    throw new ConvertError(cfgPath, `invalid JSON (${(e as Error).message})`);
  }
  const dims = checkDims(
    {
      n_mels: cfg.num_mel_bins,
      n_audio_ctx: cfg.max_source_positions,
      n_audio_state: cfg.d_model,
      n_audio_head: cfg.encoder_attention_heads,
      n_audio_layer: cfg.encoder_layers,
      n_vocab: cfg.vocab_size,
      n_text_ctx: cfg.max_target_positions,
      n_text_state: cfg.d_model,
      n_text_head: cfg.decoder_attention_heads,
      n_text_layer: cfg.decoder_layers,
    },
    cfgPath,
  );
  const weightsFile = findHfWeights(dir);
  if (!weightsFile) throw new ConvertError(dir, "no model.safetensors, shard index or pytorch_model.bin found");
  const raw = readStateDict(weightsFile);
  const tensors = new Map<string, HostTensor>();
  for (const [k, v] of raw) {
    const n = hfToOpenAiName(k);
    if (n) tensors.set(n, v);
  }
  let alignmentHeads: [number, number][] | undefined;
  for (const g of ["generation_config.json"]) {
    const p = join(dir, g);
    if (existsSync(p)) {
      try {
        const gc = JSON.parse(readFileSync(p, "utf8")) as { alignment_heads?: [number, number][] };
        if (Array.isArray(gc.alignment_heads)) alignmentHeads = gc.alignment_heads;
      } catch {
        // a broken generation config only loses the alignment heads
      }
    }
  }
  return { dims, tensors, alignmentHeads };
}

/** Reads either source kind from a path. */
export function readWhisperSource(path: string): WhisperSource {
  if (!existsSync(path)) {
    if (/^[\w.-]+\/[\w.-]+$/.test(path)) {
      throw new ConvertError(path, "not a local file or directory; Hub downloads are not available in this build yet (download the repository and pass its directory)", 2);
    }
    throw new ConvertError(path, "no such file or directory");
  }
  return statSync(path).isDirectory() ? readHfWhisper(path) : readOpenAiWhisper(path);
}

/**
 * The MLX `config.json` of a Whisper model: the ten dims, `model_type` and `quantization`, the
 * only keys mlx_whisper's loader accepts (it passes the rest to `ModelDimensions(**config)`).
 */
export interface MlxWhisperConfig extends WhisperDims {
  model_type: "whisper";
  quantization?: { group_size: number; bits: number };
}

/**
 * `[layer, head]` pairs as the int64 [n, 2] tensor `alignment_heads`, where mlx_whisper keeps
 * them (`set_alignment_heads` stores an array that `tree_flatten(model.parameters())` saves).
 */
export function alignmentHeadsTensor(heads: readonly [number, number][]): HostTensor {
  const data = new BigInt64Array(heads.length * 2);
  heads.forEach(([layer, head], i) => {
    data[2 * i] = BigInt(layer);
    data[2 * i + 1] = BigInt(head);
  });
  return { dtype: "int64", shape: [heads.length, 2], data: new Uint8Array(data.buffer) };
}

/** The `[layer, head]` pairs of an `alignment_heads` tensor (int64 or int32), if it is one. */
export function alignmentHeadsOf(t: HostTensor | undefined): [number, number][] | undefined {
  if (!t || t.shape.length !== 2 || t.shape[1] !== 2 || (t.dtype !== "int64" && t.dtype !== "int32")) return undefined;
  const copy = t.data.slice();
  const values = t.dtype === "int64" ? Array.from(new BigInt64Array(copy.buffer), Number) : Array.from(new Int32Array(copy.buffer));
  return Array.from({ length: t.shape[0] }, (_, i) => [values[2 * i], values[2 * i + 1]] as [number, number]);
}

/**
 * OpenAI names → mlx-community names and layouts: `mlp.0/2` → `mlp1/mlp2`, conv weights
 * (out, in, k) → (out, k, in), the encoder's sinusoidal positions dropped (MLX recomputes them).
 */
export function whisperToMlx(src: WhisperSource, dtype: "float16" | "float32" | "bfloat16"): { config: MlxWhisperConfig; tensors: Map<string, HostTensor> } {
  const out = new Map<string, HostTensor>();
  for (const [name, t] of src.tensors) {
    if (name === "encoder.positional_embedding") continue;
    const n = name.replace(".mlp.0.", ".mlp1.").replace(".mlp.2.", ".mlp2.");
    let v = t;
    if (n.includes("conv") && v.shape.length === 3) v = permute(v, [0, 2, 1]);
    out.set(n, castFloat(v, dtype));
  }
  if (src.alignmentHeads) out.set("alignment_heads", alignmentHeadsTensor(src.alignmentHeads));
  return { config: { ...src.dims, model_type: "whisper" }, tensors: out };
}

/** An MLX Whisper directory as mlx_whisper reads it: its config and its raw tensors. */
export interface MlxWhisperDir {
  config: MlxWhisperConfig;
  tensors: Map<string, HostTensor>;
  alignmentHeads?: [number, number][];
  weightsFile: string;
  /** The stored dtype of the token embedding (for a quantized one: of its scales). */
  sourceDtype: string;
}

/** True when `dir` is an MLX Whisper directory (mlx-community layout): Whisper dims in `config.json` and MLX weights. */
export function isMlxWhisperDir(dir: string): boolean {
  const cfg = join(dir, "config.json");
  if (!existsSync(cfg) || !mlxWeightsFile(dir)) return false;
  try {
    const c = JSON.parse(readFileSync(cfg, "utf8")) as Record<string, unknown>;
    return typeof c.n_mels === "number" && (c.model_type === undefined || c.model_type === "whisper");
  } catch {
    return false;
  }
}

/**
 * Reads an MLX Whisper directory (ours, or mlx-community's with `weights.safetensors` or
 * `weights.npz`, quantized or not). `dequantize` folds quantized matrices into float32 and casts
 * every float to float32; otherwise tensors come as stored. `only` reads just the tensors it
 * accepts (by name; a quantized layer by `<layer>.weight`). Alignment heads come from the
 * `alignment_heads` tensor, or from the `config.json` key older conversions of ours wrote.
 */
export function readMlxWhisperDir(dir: string, options: { dequantize?: boolean; only?: (name: string) => boolean } = {}): MlxWhisperDir {
  const cfgPath = join(dir, "config.json");
  if (!existsSync(cfgPath)) throw new ConvertError(dir, "not an MLX Whisper directory (no config.json)");
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(cfgPath, "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new ConvertError(cfgPath, `invalid JSON (${(e as Error).message})`);
  }
  if (raw.model_type !== undefined && raw.model_type !== "whisper") throw new ConvertError(cfgPath, `model_type is '${String(raw.model_type)}', not whisper`);
  const quantization = raw.quantization as { group_size: number; bits: number } | undefined;
  if (quantization !== undefined && !(Number.isInteger(quantization?.group_size) && Number.isInteger(quantization?.bits))) throw new ConvertError(cfgPath, "'quantization' needs integer group_size and bits");
  const weightsFile = mlxWeightsFile(dir);
  if (!weightsFile) throw new ConvertError(dir, "no weights.safetensors or weights.npz");
  const EMBEDDING = "decoder.token_embedding.weight";
  const pick = options.only;
  const only = pick && ((name: string) => name === "alignment_heads" || pick(name));
  let tensors: Map<string, HostTensor>;
  let sourceDtype: string;
  if (options.dequantize) {
    const read = readMlxWeightsFloat32(dir, quantization, only);
    tensors = read.weights;
    sourceDtype = read.sourceDtypes.get(EMBEDDING) ?? "float32";
  } else {
    tensors = readMlxTensors(dir, only && ((name) => only(name.replace(/\.(scales|biases)$/, ".weight"))));
    sourceDtype = (tensors.get(quantization ? "decoder.token_embedding.scales" : EMBEDDING) ?? tensors.get(EMBEDDING))?.dtype ?? "float32";
  }
  const headsTensor = tensors.get("alignment_heads");
  tensors.delete("alignment_heads");
  const alignmentHeads = alignmentHeadsOf(headsTensor) ?? (Array.isArray(raw.alignment_heads) ? (raw.alignment_heads as [number, number][]) : undefined);
  const config: MlxWhisperConfig = { ...checkDims(raw, cfgPath), model_type: "whisper", ...(quantization && !options.dequantize ? { quantization } : {}) };
  return { config, tensors, alignmentHeads, weightsFile, sourceDtype };
}

/**
 * Rewrites an MLX Whisper directory in our layout, tensors unchanged (quantized ones stay
 * quantized): `weights.safetensors` (from `weights.npz` too), alignment heads as the
 * `alignment_heads` tensor, and a `config.json` of the dims, `model_type` and `quantization`.
 */
export function repackageMlxWhisper(srcDir: string, outDir: string, options: { force?: boolean } = {}): MlxWhisperConfig {
  const src = readMlxWhisperDir(srcDir);
  if (src.alignmentHeads) src.tensors.set("alignment_heads", alignmentHeadsTensor(src.alignmentHeads));
  writeMlxModel(outDir, src.config, src.tensors, options);
  return src.config;
}

/**
 * Whisper's sinusoidal encoder positions (`sinusoids` in openai-whisper, float32 steps), optionally
 * rounded through fp16 as OpenAI's stored buffer is.
 */
export function whisperSinusoids(length: number, channels: number, roundToHalf: boolean): HostTensor {
  const out = new Float32Array(length * channels);
  const half = channels / 2;
  const inc = Math.log(10000) / (half - 1);
  const toHalf = (v: number) => halfToFloat(floatToHalf(v));
  for (let t = 0; t < length; t++) {
    for (let i = 0; i < half; i++) {
      const inv = Math.fround(Math.exp(Math.fround(-inc * i)));
      const a = Math.fround(t * inv);
      let s = Math.fround(Math.sin(a));
      let c = Math.fround(Math.cos(a));
      if (roundToHalf) {
        s = toHalf(s);
        c = toHalf(c);
      }
      out[t * channels + i] = s;
      out[t * channels + half + i] = c;
    }
  }
  return { dtype: "float32", shape: [length, channels], data: new Uint8Array(out.buffer) };
}


/**
 * The inverse of `whisperToMlx` for an MLX directory (ours or mlx-community's, quantised ones
 * dequantised): OpenAI names and layouts, with the encoder positions recomputed as OpenAI stores
 * them (fp16-rounded sinusoids).
 */
export function mlxWhisperToOpenAi(dir: string): WhisperSource {
  const src = readMlxWhisperDir(dir, { dequantize: true });
  const dims = whisperDimsOf(src.config);
  const tensors = new Map<string, HostTensor>();
  tensors.set("encoder.positional_embedding", whisperSinusoids(dims.n_audio_ctx, dims.n_audio_state, true));
  for (const [name, t] of src.tensors) {
    if (name === "alignment_heads") continue;
    const n = name.replace(".mlp1.", ".mlp.0.").replace(".mlp2.", ".mlp.2.");
    tensors.set(n, n.includes("conv") && t.shape.length === 3 ? permute(t, [0, 2, 1]) : t);
  }
  return { dims, tensors, alignmentHeads: src.alignmentHeads };
}
