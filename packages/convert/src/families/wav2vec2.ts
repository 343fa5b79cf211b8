/**
 * wav2vec2 CTC → MLX: Hugging Face `Wav2Vec2ForCTC` (group-norm "base" and layer-norm
 * "large/xlsr" with `do_stable_layer_norm`) and torchaudio state dicts (every bundle of
 * `torchaudio-bundles.ts`, recognised by file name; sizes are read off the tensors). The positional conv's weight norm is folded
 * (w = g·v/‖v‖, norm over dims 0 and 1 per kernel tap) and conv weights become (out, k, in).
 *
 * Output names are HF's without the `wav2vec2.` prefix:
 * `feature_extractor.conv_layers.N.{conv.weight,conv.bias?,layer_norm.*}`,
 * `feature_projection.{layer_norm,projection}.*`, `encoder.pos_conv_embed.conv.{weight,bias}`,
 * `encoder.layer_norm.*`, `encoder.layers.N.{attention.{q,k,v,out}_proj,layer_norm,
 * feed_forward.{intermediate,output}_dense,final_layer_norm}.*`, `lm_head.*`.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { ConvertError } from "../errors.js";
import { findHfWeights } from "../readers/safetensors.js";
import { readStateDict } from "../readers/state-dict.js";
import { fromFloat32, permute, toFloat32, type HostTensor } from "../tensor.js";
import type { Wav2Vec2Config } from "@whisperx-mlx/core";
import { TORCHAUDIO_960H_LABELS, torchaudioBundleOfFile } from "./torchaudio-bundles.js";

/** torchaudio's 960h label set (blank '-' at 0, word delimiter '|' at 1), defined with the bundles. */
export { TORCHAUDIO_960H_LABELS };

/** `config.json` of a converted wav2vec2 model (the type lives in core, shared with the runtime). */
export type { Wav2Vec2Config };

/** Folds weight norm: w[o,i,k] = g[k]·v[o,i,k]/‖v[:,:,k]‖ (torch `weight_norm(dim=2)`). */
export function foldWeightNorm(g: HostTensor, v: HostTensor): HostTensor {
  const [o, i, k] = v.shape;
  if (g.shape.reduce((a, b) => a * b, 1) !== k) throw new Error(`weight norm: g has shape [${g.shape}], v [${v.shape}]`);
  const gv = toFloat32(g);
  const vv = toFloat32(v);
  const norms = new Float64Array(k);
  for (let a = 0; a < o * i; a++) for (let c = 0; c < k; c++) norms[c] += vv[a * k + c] ** 2;
  const out = new Float32Array(vv.length);
  for (let a = 0; a < o * i; a++) for (let c = 0; c < k; c++) out[a * k + c] = (gv[c] * vv[a * k + c]) / Math.sqrt(norms[c]);
  return fromFloat32(out, [o, i, k], "float32");
}

function readJson(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ConvertError(path, `invalid JSON (${(e as Error).message})`);
  }
}

/** Renames a torchaudio wav2vec2 key to the HF name (without `wav2vec2.`). */
export function torchaudioToHfName(k: string): string {
  return k
    .replace(/^encoder\.feature_projection\./, "feature_projection.")
    .replace(/^encoder\.transformer\.pos_conv_embed\./, "encoder.pos_conv_embed.")
    .replace(/^encoder\.transformer\.layer_norm\./, "encoder.layer_norm.")
    .replace(/^encoder\.transformer\.layers\./, "encoder.layers.")
    .replace(/^aux\./, "lm_head.");
}

function hfConfig(cfg: Record<string, unknown>, vocab: string[], blank: number, file: string): Wav2Vec2Config {
  const num = (k: string, d?: number) => {
    const v = cfg[k] ?? d;
    if (typeof v !== "number") throw new ConvertError(file, `config: '${k}' missing`);
    return v;
  };
  return {
    model_type: "wav2vec2",
    conv_dim: (cfg.conv_dim as number[]) ?? [512, 512, 512, 512, 512, 512, 512],
    conv_kernel: (cfg.conv_kernel as number[]) ?? [10, 3, 3, 3, 3, 2, 2],
    conv_stride: (cfg.conv_stride as number[]) ?? [5, 2, 2, 2, 2, 2, 2],
    conv_bias: Boolean(cfg.conv_bias),
    feat_extract_norm: cfg.feat_extract_norm === "layer" ? "layer" : "group",
    hidden_size: num("hidden_size"),
    num_hidden_layers: num("num_hidden_layers"),
    num_attention_heads: num("num_attention_heads"),
    intermediate_size: num("intermediate_size"),
    num_conv_pos_embeddings: num("num_conv_pos_embeddings", 128),
    num_conv_pos_embedding_groups: num("num_conv_pos_embedding_groups", 16),
    do_stable_layer_norm: Boolean(cfg.do_stable_layer_norm),
    layer_norm_eps: num("layer_norm_eps", 1e-5),
    vocab_size: num("vocab_size"),
    vocab,
    blank_id: blank,
    word_delimiter: "|",
  };
}

/** Reads any supported wav2vec2 source: an HF directory (safetensors or bin) or a torchaudio `.pth`. */
export function readWav2Vec2Source(path: string): { config: Wav2Vec2Config; tensors: Map<string, HostTensor> } {
  if (!existsSync(path)) throw new ConvertError(path, "no such file or directory");
  let raw: Map<string, HostTensor>;
  let config: Wav2Vec2Config;
  if (statSync(path).isDirectory()) {
    const cfgPath = join(path, "config.json");
    if (!existsSync(cfgPath)) throw new ConvertError(path, "not a Hugging Face model directory (no config.json)");
    const cfg = readJson(cfgPath);
    const weights = findHfWeights(path);
    if (!weights) throw new ConvertError(path, "no model.safetensors or pytorch_model.bin found");
    raw = new Map([...readStateDict(weights)].map(([k, v]) => [k.replace(/^wav2vec2\./, ""), v]));
    let vocab: string[] = TORCHAUDIO_960H_LABELS;
    let blank = 0;
    const vocabPath = join(path, "vocab.json");
    if (existsSync(vocabPath)) {
      const v = readJson(vocabPath) as Record<string, number>;
      vocab = [];
      for (const [tok, id] of Object.entries(v)) vocab[id] = tok;
      const b = vocab.findIndex((t) => t === "<pad>" || t === "[pad]");
      blank = b >= 0 ? b : 0;
    }
    config = hfConfig(cfg, vocab, blank, cfgPath);
  } else {
    const sd = readStateDict(path);
    raw = new Map([...sd].map(([k, v]) => [torchaudioToHfName(k), v]));
    config = torchaudioConfig(raw, path);
  }
  return { config, tensors: wav2vec2ToMlx(raw, path) };
}

/**
 * The config of a torchaudio state dict: sizes from the tensors; heads, pre-LN, waveform
 * normalisation and labels from its bundle (or `wav2vec2_model_kwargs.json` beside the file, as
 * `torchaudio.models.wav2vec2_model`'s arguments). The CTC head loses the rows torchaudio drops.
 */
function torchaudioConfig(raw: Map<string, HostTensor>, path: string): Wav2Vec2Config {
  const kwPath = join(dirname(path), "wav2vec2_model_kwargs.json");
  const kw = existsSync(kwPath) ? readJson(kwPath) : {};
  const bundle = torchaudioBundleOfFile(path);
  const convs = [...raw.keys()].filter((k) => /^feature_extractor\.conv_layers\.\d+\.conv\.weight$/.test(k)).sort((a, b) => Number(a.split(".")[2]) - Number(b.split(".")[2]));
  const strides = (kw.extractor_conv_layer_config as [number, number, number][] | undefined)?.map((c) => c[2]) ?? [5, 2, 2, 2, 2, 2, 2];
  const hidden = raw.get("feature_projection.projection.weight")?.shape[0];
  const head = raw.get("lm_head.weight");
  if (!hidden || !head || convs.length === 0) throw new ConvertError(path, "not a torchaudio wav2vec2 CTC state dict (no feature extractor, projection or aux head)");
  if (convs.length !== strides.length) throw new ConvertError(path, `${convs.length} feature-extractor convs, expected ${strides.length}`);
  const labels = bundle?.[1].labels ?? (head.shape[0] === TORCHAUDIO_960H_LABELS.length ? TORCHAUDIO_960H_LABELS : Array.from({ length: head.shape[0] }, (_, i) => String(i)));
  const remove = bundle?.[1].removeAuxAxis ?? [];
  if (head.shape[0] === labels.length + remove.length && remove.length) {
    for (const key of ["lm_head.weight", "lm_head.bias"]) {
      const t = raw.get(key);
      if (t) raw.set(key, dropRows(t, remove));
    }
  } else if (head.shape[0] !== labels.length) {
    throw new ConvertError(path, `the CTC head has ${head.shape[0]} outputs; ${bundle?.[0] ?? "the label set"} has ${labels.length} labels${remove.length ? ` (+${remove.length} rows torchaudio drops)` : ""}`);
  }
  const layerNormExtractor = kw.extractor_mode !== undefined ? kw.extractor_mode === "layer_norm" : raw.has("feature_extractor.conv_layers.1.layer_norm.weight");
  return {
    ...hfConfig(
      {
        conv_dim: convs.map((k) => (raw.get(k) as HostTensor).shape[0]),
        conv_kernel: convs.map((k) => (raw.get(k) as HostTensor).shape[2]),
        conv_stride: strides,
        conv_bias: kw.extractor_conv_bias ?? raw.has("feature_extractor.conv_layers.0.conv.bias"),
        feat_extract_norm: layerNormExtractor ? "layer" : "group",
        hidden_size: hidden,
        num_hidden_layers: new Set([...raw.keys()].filter((k) => k.startsWith("encoder.layers.")).map((k) => k.split(".")[2])).size,
        // Every torchaudio bundle has 64-wide heads; a checkpoint of another width under a
        // bundle's file name (a fine-tune, a test model) keeps that width, not the bundle's count.
        num_attention_heads: kw.encoder_num_heads ?? (bundle && hidden === 64 * bundle[1].heads ? bundle[1].heads : Math.max(1, Math.round(hidden / 64))),
        intermediate_size: raw.get("encoder.layers.0.feed_forward.intermediate_dense.weight")?.shape[0],
        num_conv_pos_embeddings: kw.encoder_pos_conv_kernel ?? 128,
        num_conv_pos_embedding_groups: kw.encoder_pos_conv_groups ?? 16,
        do_stable_layer_norm: kw.encoder_layer_norm_first ?? bundle?.[1].layerNormFirst ?? false,
        vocab_size: labels.length,
      },
      labels,
      0,
      path,
    ),
    ...(bundle?.[1].normalizeWaveform ? { normalize_waveform: true } : {}),
  };
}

/** A tensor without the given rows of its first axis. */
function dropRows(t: HostTensor, rows: readonly number[]): HostTensor {
  const rowBytes = t.data.length / t.shape[0];
  const keep = Array.from({ length: t.shape[0] }, (_, i) => i).filter((i) => !rows.includes(i));
  const data = new Uint8Array(keep.length * rowBytes);
  keep.forEach((r, i) => data.set(t.data.subarray(r * rowBytes, (r + 1) * rowBytes), i * rowBytes));
  return { ...t, shape: [keep.length, ...t.shape.slice(1)], data };
}

/** Folds weight norm, transposes convs, drops training-only tensors. */
export function wav2vec2ToMlx(raw: Map<string, HostTensor>, file: string): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  const pos = "encoder.pos_conv_embed.conv.";
  const g = raw.get(`${pos}parametrizations.weight.original0`) ?? raw.get(`${pos}weight_g`);
  const v = raw.get(`${pos}parametrizations.weight.original1`) ?? raw.get(`${pos}weight_v`);
  const plain = raw.get(`${pos}weight`);
  if (g && v) out.set(`${pos}weight`, permute(foldWeightNorm(g, v), [0, 2, 1]));
  else if (plain) out.set(`${pos}weight`, permute(plain, [0, 2, 1]));
  else throw new ConvertError(file, "positional conv weight not found (neither weight_g/weight_v nor parametrizations)");
  for (const [k, t] of raw) {
    if (k.startsWith(pos) && k !== `${pos}bias`) continue;
    if (k === "masked_spec_embed" || k.startsWith("quantizer.") || k.startsWith("project_")) continue;
    out.set(k, /conv_layers\.\d+\.conv\.weight$/.test(k) ? permute(t, [0, 2, 1]) : t);
  }
  if (!out.has("lm_head.weight")) throw new ConvertError(file, "no CTC head (lm_head / aux) found");
  return out;
}
