/**
 * Whisper models at the exact dims of the released sizes, with seeded random weights generated
 * here and written in our MLX format (fp32 and 4-bit) through `convert`. The work per token
 * depends only on the dims, so these time the architectures without the real checkpoints.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { castFloat, convertModel, whisperToMlx, type HostTensor, type WhisperSource } from "@whisperx-mlx/convert";
import type { WhisperDims } from "@whisperx-mlx/core";

/** OpenAI's `ModelDimensions` of the released multilingual models. */
export const WHISPER_ARCHITECTURES = {
  tiny: { n_mels: 80, n_audio_ctx: 1500, n_audio_state: 384, n_audio_head: 6, n_audio_layer: 4, n_vocab: 51865, n_text_ctx: 448, n_text_state: 384, n_text_head: 6, n_text_layer: 4 },
  base: { n_mels: 80, n_audio_ctx: 1500, n_audio_state: 512, n_audio_head: 8, n_audio_layer: 6, n_vocab: 51865, n_text_ctx: 448, n_text_state: 512, n_text_head: 8, n_text_layer: 6 },
  small: { n_mels: 80, n_audio_ctx: 1500, n_audio_state: 768, n_audio_head: 12, n_audio_layer: 12, n_vocab: 51865, n_text_ctx: 448, n_text_state: 768, n_text_head: 12, n_text_layer: 12 },
  "large-v3": { n_mels: 128, n_audio_ctx: 1500, n_audio_state: 1280, n_audio_head: 20, n_audio_layer: 32, n_vocab: 51866, n_text_ctx: 448, n_text_state: 1280, n_text_head: 20, n_text_layer: 32 },
  "large-v3-turbo": { n_mels: 128, n_audio_ctx: 1500, n_audio_state: 1280, n_audio_head: 20, n_audio_layer: 32, n_vocab: 51866, n_text_ctx: 448, n_text_state: 1280, n_text_head: 20, n_text_layer: 4 },
} as const satisfies Record<string, WhisperDims>;

export type WhisperArchitecture = keyof typeof WHISPER_ARCHITECTURES;

/** A small, fast, seedable PRNG (mulberry32) so every machine generates the same weights. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function tensor(shape: number[], fill: (i: number) => number): HostTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const f = new Float32Array(n);
  for (let i = 0; i < n; i++) f[i] = fill(i);
  return { dtype: "float32", shape, data: new Uint8Array(f.buffer) };
}

/**
 * Random weights in OpenAI names for `dims`: uniform values with the spread of an initialised
 * network (std 0.02), layer-norm gains 1 and biases 0, so activations stay finite. Each tensor is
 * cast to `dtype` as it is made, so a float16 large-v3 never holds its float32 weights at once.
 */
export function randomWhisperSource(dims: WhisperDims, seed = 0, dtype: "float32" | "float16" = "float32"): WhisperSource {
  const rnd = mulberry32(seed);
  const spread = 0.02 * Math.sqrt(3);
  const cast = (t: HostTensor) => (dtype === "float32" ? t : castFloat(t, dtype));
  const w = (shape: number[]) => cast(tensor(shape, () => (rnd() * 2 - 1) * spread));
  const ones = (n: number) => cast(tensor([n], () => 1));
  const zeros = (n: number) => cast(tensor([n], () => 0));
  const t = new Map<string, HostTensor>();
  const block = (p: string, d: number, cross: boolean) => {
    const attn = (a: string) => {
      t.set(`${p}.${a}.query.weight`, w([d, d]));
      t.set(`${p}.${a}.query.bias`, zeros(d));
      t.set(`${p}.${a}.key.weight`, w([d, d]));
      t.set(`${p}.${a}.value.weight`, w([d, d]));
      t.set(`${p}.${a}.value.bias`, zeros(d));
      t.set(`${p}.${a}.out.weight`, w([d, d]));
      t.set(`${p}.${a}.out.bias`, zeros(d));
      t.set(`${p}.${a}_ln.weight`, ones(d));
      t.set(`${p}.${a}_ln.bias`, zeros(d));
    };
    attn("attn");
    if (cross) attn("cross_attn");
    t.set(`${p}.mlp.0.weight`, w([4 * d, d]));
    t.set(`${p}.mlp.0.bias`, zeros(4 * d));
    t.set(`${p}.mlp.2.weight`, w([d, 4 * d]));
    t.set(`${p}.mlp.2.bias`, zeros(d));
    t.set(`${p}.mlp_ln.weight`, ones(d));
    t.set(`${p}.mlp_ln.bias`, zeros(d));
  };
  const a = dims.n_audio_state;
  t.set("encoder.conv1.weight", w([a, dims.n_mels, 3]));
  t.set("encoder.conv1.bias", zeros(a));
  t.set("encoder.conv2.weight", w([a, a, 3]));
  t.set("encoder.conv2.bias", zeros(a));
  for (let i = 0; i < dims.n_audio_layer; i++) block(`encoder.blocks.${i}`, a, false);
  t.set("encoder.ln_post.weight", ones(a));
  t.set("encoder.ln_post.bias", zeros(a));
  const d = dims.n_text_state;
  t.set("decoder.token_embedding.weight", w([dims.n_vocab, d]));
  t.set("decoder.positional_embedding", w([dims.n_text_ctx, d]));
  for (let i = 0; i < dims.n_text_layer; i++) block(`decoder.blocks.${i}`, d, true);
  t.set("decoder.ln.weight", ones(d));
  t.set("decoder.ln.bias", zeros(d));
  return { dims, tensors: t };
}

/** Where generated models are kept between runs: `$XDG_CACHE_HOME/whisperx-mlx/bench-models`. */
export function benchModelCache(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "whisperx-mlx", "bench-models");
}

/**
 * The MLX model directory of a random-weight architecture, generated on first use:
 * `<cache>/<arch>-<fp32|fp16|q4>-seed<seed>`. A directory whose config no longer matches is rebuilt.
 * fp16 is how mlx-community ships the large models (and half the disk of fp32).
 */
export function randomWhisperModel(arch: WhisperArchitecture, precision: "fp32" | "fp16" | "q4", options: { seed?: number; cacheDir?: string } = {}): string {
  const seed = options.seed ?? 0;
  const dir = join(options.cacheDir ?? benchModelCache(), `${arch}-${precision}-seed${seed}`);
  const dims = WHISPER_ARCHITECTURES[arch];
  const configFile = join(dir, "config.json");
  if (existsSync(configFile) && existsSync(join(dir, "weights.safetensors"))) {
    const c = JSON.parse(readFileSync(configFile, "utf8")) as Record<string, unknown>;
    if (Object.entries(dims).every(([k, v]) => c[k] === v) && (precision === "fp32") === !c.quantization) return dir;
  }
  const dtype = precision === "fp16" ? "float16" : "float32";
  const { config, tensors } = whisperToMlx(randomWhisperSource(dims, seed, dtype), dtype);
  convertModel({
    family: "whisper",
    torchNameOrPath: `random ${arch} (seed ${seed})`,
    source: { config: { ...config }, tensors },
    mlxPath: dir,
    dtype,
    quantize: precision === "q4" ? { bits: 4, groupSize: 64 } : undefined,
    force: true,
  });
  return dir;
}
