/**
 * ONNX external data: the weights in `<graph>.onnx.data` beside a graph that keeps only its
 * structure (how graphs past protobuf's 2 GiB limit are written; `pnpm bench --large` runs
 * large-v3 that way). Forced here on the bundled model, it must transcribe exactly as inline graphs.
 */
import { existsSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { convertMlxToOnnx } from "@whisperx-mlx/convert";
import { loadAudio, transcribe } from "@whisperx-mlx/core";
import { OnnxWhisperBackend } from "../src/index.js";
import { SYNTH } from "./shared.js";

const BUNDLED = fileURLToPath(new URL("../../../fixtures/models/synth-whisper-256-mlx", import.meta.url));

describe("ONNX external data", () => {
  it("graphs with their weights beside them load and transcribe exactly as inline graphs", async () => {
    const root = mkdtempSync(join(tmpdir(), "wx-onnx-ext-"));
    const inline = join(root, "inline");
    const external = join(root, "external");
    convertMlxToOnnx(BUNDLED, inline);
    convertMlxToOnnx(BUNDLED, external, { externalData: true });
    expect(readdirSync(inline).sort()).toEqual(["decoder.onnx", "encoder.onnx", "mel.onnx", "onnx.json"]);
    expect(readdirSync(external).sort()).toEqual(["decoder.onnx", "decoder.onnx.data", "encoder.onnx", "encoder.onnx.data", "mel.onnx", "onnx.json"]);
    // The protobufs keep the structure only: the weights moved out.
    expect(statSync(join(external, "encoder.onnx")).size).toBeLessThan(statSync(join(inline, "encoder.onnx")).size / 50);
    expect(statSync(join(external, "encoder.onnx.data")).size).toBeGreaterThan(statSync(join(inline, "encoder.onnx")).size * 0.99);
    expect(existsSync(join(root, "external.tmp"))).toBe(false);

    const audio = await loadAudio(`${SYNTH}/audio/eval_000.wav`);
    const options = { language: "en", temperature: 0, conditionOnPreviousText: false } as const;
    const a = await transcribe(await OnnxWhisperBackend.load(inline), audio, options);
    const b = await transcribe(await OnnxWhisperBackend.load(external), audio, options);
    expect(b.segments.map((s) => s.tokens)).toEqual(a.segments.map((s) => s.tokens));
    expect(b.text).toBe(a.text);
  });
});
