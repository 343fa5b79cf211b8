import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { convertWhisper, readSafetensors, readOpenAiWhisper, tensorsEqual, hfToOpenAiName, toFloat32 } from "../src/index.js";
import { SYNTH } from "./shared.js";

const tmp = mkdtempSync(join(tmpdir(), "convert-test-"));

describe("convert whisper", () => {
  const pt = join(tmp, "from-pt");
  const hf = join(tmp, "from-hf");
  convertWhisper({ torchNameOrPath: `${SYNTH}/synth-whisper-256.pt`, mlxPath: pt });
  convertWhisper({ torchNameOrPath: `${SYNTH}/hf`, mlxPath: hf });

  it("gives bit-identical tensors under the same names from .pt and from HF", () => {
    const a = readSafetensors(join(pt, "weights.safetensors"));
    const b = readSafetensors(join(hf, "weights.safetensors"));
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    expect(a.size).toBe(166);
    for (const [k, v] of a) expect(tensorsEqual(v, b.get(k)!), k).toBe(true);
    expect(readFileSync(join(pt, "config.json"), "utf8")).toBe(readFileSync(join(hf, "config.json"), "utf8"));
  });

  it("writes the mlx-community layout: mlp1/mlp2, (out, k, in) convs, no encoder positions", () => {
    const w = readSafetensors(join(pt, "weights.safetensors"));
    expect(w.has("encoder.positional_embedding")).toBe(false);
    expect(w.has("decoder.blocks.0.mlp1.weight")).toBe(true);
    expect(w.has("decoder.blocks.0.mlp.0.weight")).toBe(false);
    expect(w.get("encoder.conv1.weight")!.shape).toEqual([256, 3, 80]);
    const src = readOpenAiWhisper(`${SYNTH}/synth-whisper-256.pt`).tensors.get("encoder.conv1.weight")!;
    const a = toFloat32(src); // (out=256, in=80, k=3)
    const b = toFloat32(w.get("encoder.conv1.weight")!); // (256, 3, 80)
    for (const [o, i, k] of [[0, 0, 0], [5, 17, 2], [255, 79, 1]]) expect(b[o * 240 + k * 80 + i]).toBe(a[o * 240 + i * 3 + k]);
    const cfg = JSON.parse(readFileSync(join(pt, "config.json"), "utf8"));
    expect(cfg).toMatchObject({ model_type: "whisper", n_mels: 80, n_vocab: 51865, n_audio_state: 256, n_text_layer: 4 });
  });

  it("casts to float32 exactly", () => {
    const out = join(tmp, "fp32");
    convertWhisper({ torchNameOrPath: `${SYNTH}/synth-whisper-256.pt`, mlxPath: out, dtype: "float32" });
    const a = readSafetensors(join(pt, "weights.safetensors")).get("decoder.token_embedding.weight")!;
    const b = readSafetensors(join(out, "weights.safetensors")).get("decoder.token_embedding.weight")!;
    expect(b.dtype).toBe("float32");
    expect(Array.from(toFloat32(b).subarray(0, 1000))).toEqual(Array.from(toFloat32(a).subarray(0, 1000)));
  });

  it("refuses to overwrite without force and leaves no temp dirs", () => {
    expect(() => convertWhisper({ torchNameOrPath: `${SYNTH}/synth-whisper-256.pt`, mlxPath: pt })).toThrow(/already exists/);
    expect(existsSync(pt)).toBe(true);
  });

  it("maps HF names like mlx-examples' hf_to_pt", () => {
    expect(hfToOpenAiName("model.encoder.layers.3.self_attn.q_proj.weight")).toBe("encoder.blocks.3.attn.query.weight");
    expect(hfToOpenAiName("model.decoder.layers.0.encoder_attn_layer_norm.bias")).toBe("decoder.blocks.0.cross_attn_ln.bias");
    expect(hfToOpenAiName("model.decoder.layers.1.fc2.weight")).toBe("decoder.blocks.1.mlp.2.weight");
    expect(hfToOpenAiName("model.decoder.embed_positions.weight")).toBe("decoder.positional_embedding");
    expect(hfToOpenAiName("model.encoder.layer_norm.weight")).toBe("encoder.ln_post.weight");
    expect(hfToOpenAiName("proj_out.weight")).toBeUndefined();
  });
});
