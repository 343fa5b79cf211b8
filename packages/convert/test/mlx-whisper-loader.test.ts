/**
 * Our Whisper conversions load in Python mlx-whisper: a replay of `mlx_whisper.load_models.
 * load_model`'s rules (mlx-examples whisper/mlx_whisper/load_models.py and whisper.py):
 * - `config.json` minus `model_type` and `quantization` goes to `ModelDimensions(**config)`,
 *   which takes exactly its ten fields (an extra key is a TypeError);
 * - with `quantization`, `nn.quantize` swaps every Linear/Embedding whose `<path>.scales` is in
 *   the weights for a quantized module (`weight` uint32, `scales`, `biases`, Linear `bias`);
 * - `model.update(weights)` (strict) accepts only the model's own parameters, and
 *   `alignment_heads` is one (`Whisper.alignment_heads`, an [n, 2] array).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { alignmentHeadsOf, convertModel, readSafetensors, readMlxWhisperDir, repackageMlxWhisper } from "../src/index.js";
import { SYNTH } from "./shared.js";

const DIMS = ["n_mels", "n_audio_ctx", "n_audio_state", "n_audio_head", "n_audio_layer", "n_vocab", "n_text_ctx", "n_text_state", "n_text_head", "n_text_layer"] as const;
type Dims = Record<(typeof DIMS)[number], number>;

/** mlx_whisper.whisper.Whisper's parameters: name → [shape, module kind]. */
function whisperParameters(d: Dims): Map<string, { shape: number[]; module: "linear" | "embedding" | "other" }> {
  const p = new Map<string, { shape: number[]; module: "linear" | "embedding" | "other" }>();
  const linear = (name: string, out: number, inp: number, bias = true) => {
    p.set(`${name}.weight`, { shape: [out, inp], module: "linear" });
    if (bias) p.set(`${name}.bias`, { shape: [out], module: "linear" });
  };
  const norm = (name: string, n: number) => {
    p.set(`${name}.weight`, { shape: [n], module: "other" });
    p.set(`${name}.bias`, { shape: [n], module: "other" });
  };
  const block = (prefix: string, n: number, cross: boolean) => {
    for (const attn of cross ? ["attn", "cross_attn"] : ["attn"]) {
      linear(`${prefix}.${attn}.query`, n, n);
      linear(`${prefix}.${attn}.key`, n, n, false);
      linear(`${prefix}.${attn}.value`, n, n);
      linear(`${prefix}.${attn}.out`, n, n);
      norm(`${prefix}.${attn}_ln`, n);
    }
    linear(`${prefix}.mlp1`, 4 * n, n);
    linear(`${prefix}.mlp2`, n, 4 * n);
    norm(`${prefix}.mlp_ln`, n);
  };
  p.set("encoder.conv1.weight", { shape: [d.n_audio_state, 3, d.n_mels], module: "other" });
  p.set("encoder.conv1.bias", { shape: [d.n_audio_state], module: "other" });
  p.set("encoder.conv2.weight", { shape: [d.n_audio_state, 3, d.n_audio_state], module: "other" });
  p.set("encoder.conv2.bias", { shape: [d.n_audio_state], module: "other" });
  for (let i = 0; i < d.n_audio_layer; i++) block(`encoder.blocks.${i}`, d.n_audio_state, false);
  norm("encoder.ln_post", d.n_audio_state);
  p.set("decoder.token_embedding.weight", { shape: [d.n_vocab, d.n_text_state], module: "embedding" });
  p.set("decoder.positional_embedding", { shape: [d.n_text_ctx, d.n_text_state], module: "other" });
  for (let i = 0; i < d.n_text_layer; i++) block(`decoder.blocks.${i}`, d.n_text_state, true);
  norm("decoder.ln", d.n_text_state);
  return p;
}

/** Throws what mlx_whisper's load_model would raise for this directory. */
function loadLikeMlxWhisper(dir: string): { dims: Dims; heads?: [number, number][] } {
  const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as Record<string, unknown>;
  delete config.model_type;
  const quantization = config.quantization as { group_size: number; bits: number } | undefined;
  delete config.quantization;
  const extra = Object.keys(config).filter((k) => !(DIMS as readonly string[]).includes(k));
  if (extra.length) throw new TypeError(`ModelDimensions.__init__() got an unexpected keyword argument '${extra[0]}'`);
  const missing = DIMS.filter((k) => !(k in config));
  if (missing.length) throw new TypeError(`ModelDimensions.__init__() missing argument '${missing[0]}'`);
  const dims = config as Dims;
  const weights = readSafetensors(join(dir, "weights.safetensors"));
  const params = whisperParameters(dims);
  for (const [name, t] of weights) {
    if (name === "alignment_heads") {
      if (t.shape.length !== 2 || t.shape[1] !== 2) throw new Error(`alignment_heads has shape [${t.shape}]`);
      continue;
    }
    const m = /^(.*)\.(scales|biases)$/.exec(name);
    const layer = m ? m[1] : name.replace(/\.(weight|bias)$/, "");
    const quantized = quantization !== undefined && weights.has(`${layer}.scales`);
    const base = params.get(m ? `${layer}.weight` : name);
    if (!base) throw new Error(`Module does not have parameter named "${name}"`);
    if (quantized && base.module === "other") throw new Error(`${name}: only Linear and Embedding are quantized`);
    if (quantized && name.endsWith(".weight")) {
      const [out, inp] = base.shape;
      expect(t.dtype, name).toBe("uint32");
      expect(t.shape, name).toEqual([out, (inp * quantization.bits) / 32]);
    } else if (m) {
      if (!quantized) throw new Error(`Module does not have parameter named "${name}"`);
      expect(t.shape, name).toEqual([base.shape[0], base.shape[1] / quantization!.group_size]);
    } else {
      expect(t.shape, name).toEqual(base.shape);
    }
  }
  for (const name of params.keys()) if (!weights.has(name)) throw new Error(`missing parameter ${name}`);
  return { dims, heads: alignmentHeadsOf(weights.get("alignment_heads")) };
}

describe("our Whisper conversions load in mlx-whisper", () => {
  const tmp = mkdtempSync(join(tmpdir(), "mlxw-loader-"));
  const hfWithHeads = join(tmp, "hf-heads");
  mkdirSync(hfWithHeads);
  for (const f of ["config.json", "model.safetensors"]) copyFileSync(join(SYNTH, "hf", f), join(hfWithHeads, f));
  const generation = JSON.parse(readFileSync(join(SYNTH, "hf", "generation_config.json"), "utf8")) as Record<string, unknown>;
  writeFileSync(join(hfWithHeads, "generation_config.json"), JSON.stringify({ ...generation, alignment_heads: [[3, 1], [2, 0]] }));

  it("fp16 from OpenAI's .pt: exactly the ten dims and model_type, exactly the model's parameters", () => {
    const out = join(tmp, "fp16");
    convertModel({ family: "whisper", torchNameOrPath: `${SYNTH}/synth-whisper-256.pt`, mlxPath: out });
    expect(Object.keys(JSON.parse(readFileSync(join(out, "config.json"), "utf8"))).sort()).toEqual([...DIMS, "model_type"].sort());
    expect(loadLikeMlxWhisper(out).dims.n_text_layer).toBe(4);
  });

  it("4-bit and 8-bit: the quantization block and quantized Linear/Embedding triples", () => {
    for (const bits of [4, 8] as const) {
      const out = join(tmp, `q${bits}`);
      convertModel({ family: "whisper", torchNameOrPath: `${SYNTH}/synth-whisper-256.pt`, mlxPath: out, quantize: { bits, groupSize: 64 } });
      expect(JSON.parse(readFileSync(join(out, "config.json"), "utf8")).quantization).toEqual({ group_size: 64, bits });
      loadLikeMlxWhisper(out);
    }
  });

  it("alignment heads from generation_config.json travel as the alignment_heads tensor, not a config key", () => {
    const out = join(tmp, "heads");
    convertModel({ family: "whisper", torchNameOrPath: hfWithHeads, mlxPath: out });
    expect(JSON.parse(readFileSync(join(out, "config.json"), "utf8"))).not.toHaveProperty("alignment_heads");
    expect(loadLikeMlxWhisper(out).heads).toEqual([[3, 1], [2, 0]]);
    expect(readMlxWhisperDir(out).alignmentHeads).toEqual([[3, 1], [2, 0]]);
  });

  it("the replay rejects what mlx-whisper rejects: an extra config key, a stray tensor", () => {
    const out = join(tmp, "fp16");
    const bad = join(tmp, "bad");
    repackageMlxWhisper(out, bad);
    const cfg = JSON.parse(readFileSync(join(bad, "config.json"), "utf8")) as Record<string, unknown>;
    writeFileSync(join(bad, "config.json"), JSON.stringify({ ...cfg, alignment_heads: [[3, 1]] }));
    expect(() => loadLikeMlxWhisper(bad)).toThrow(/unexpected keyword argument 'alignment_heads'/);
    // Older conversions of ours wrote that key; we still read their heads.
    expect(readMlxWhisperDir(bad).alignmentHeads).toEqual([[3, 1]]);
  });
});
