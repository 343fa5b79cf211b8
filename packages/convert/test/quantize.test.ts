/** Our packing against `mx.quantize` from @frost-beta/mlx, bit for bit. */
import { createRequire } from "node:module";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type * as mlxTypes from "@frost-beta/mlx";
import { convertModel, dequantizeAffine, fromFloat32, quantizeAffine, readSafetensors, toFloat32 } from "../src/index.js";
import { SHARED } from "./shared.js";

const mx = (createRequire(import.meta.url)("@frost-beta/mlx") as typeof mlxTypes).core;

describe("MLX affine quantization", () => {
  for (const [bits, gs] of [[4, 32], [4, 64], [4, 128], [8, 32], [8, 64], [8, 128]] as const) {
    it(`matches mx.quantize exactly (bits ${bits}, group ${gs})`, () => {
      mx.random.seed(bits * 1000 + gs);
      const w = mx.multiply(mx.random.normal([16, 512]), 0.05);
      const values = Float32Array.from((w.tolist() as number[][]).flat());
      const [wq, s, b] = mx.quantize(w, gs, bits);
      const ours = quantizeAffine(fromFloat32(values, [16, 512], "float32"), gs, bits);
      expect(ours.weight.shape).toEqual(wq.shape);
      expect(Array.from(new Uint32Array(ours.weight.data.slice().buffer))).toEqual((wq.tolist() as number[][]).flat());
      expect(Array.from(toFloat32(ours.scales))).toEqual((s.tolist() as number[][]).flat());
      expect(Array.from(toFloat32(ours.biases))).toEqual((b.tolist() as number[][]).flat());
      const deq = (mx.dequantize(wq, s, b, gs, bits).tolist() as number[][]).flat();
      expect(Array.from(dequantizeAffine(ours, gs, bits))).toEqual(deq);
    });
  }
  it("writes mlx-examples' layout: weight/scales/biases, quantization in config, convs and norms float", () => {
    const out = join(mkdtempSync(join(tmpdir(), "q-")), "w-q4");
    const s = convertModel({ family: "whisper", torchNameOrPath: `${SHARED}/fixtures/synth-whisper-256/synth-whisper-256.pt`, mlxPath: out, quantize: { bits: 4, groupSize: 64 } });
    expect(s.quantized).toBe(65); // 4×4 encoder + 4×8 decoder attention linears, 16 MLPs, token embedding
    const cfg = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
    expect(cfg.quantization).toEqual({ group_size: 64, bits: 4 });
    const w = readSafetensors(join(out, "weights.safetensors"));
    expect(w.get("decoder.token_embedding.weight")!.dtype).toBe("uint32");
    expect(w.get("decoder.token_embedding.weight")!.shape).toEqual([51865, 32]);
    expect(w.get("decoder.token_embedding.scales")!.shape).toEqual([51865, 4]);
    expect(w.get("encoder.blocks.0.attn.query.biases")!.dtype).toBe("float16");
    expect(w.get("encoder.blocks.0.attn.query.bias")!.dtype).toBe("float16");
    expect(w.get("encoder.conv1.weight")!.dtype).toBe("float16");
    expect(w.get("encoder.blocks.0.attn_ln.weight")!.dtype).toBe("float16");
  });
});
