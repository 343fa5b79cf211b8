/**
 * Model names as WhisperX, faster-whisper and mlx-whisper users give them, and local model
 * directories in every layout: MLX as is, mlx-community npz repackaged once, transformers and
 * OpenAI checkpoints converted once (keyed by the files, so a replaced checkpoint converts again).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundledModel, DEMO_MODEL, resolveWhisperModel, whisperRepoOf } from "../src/index.js";
import { SYNTH } from "./shared.js";

describe("model names", () => {
  it("maps Whisper, distil and -q4/-q8 names to their Hub repos", () => {
    expect(whisperRepoOf("tiny.en")).toBe("openai/whisper-tiny.en");
    expect(whisperRepoOf("turbo")).toBe("openai/whisper-large-v3-turbo");
    expect(whisperRepoOf("large-v3-turbo")).toBe("openai/whisper-large-v3-turbo");
    expect(whisperRepoOf("distil-large-v3")).toBe("distil-whisper/distil-large-v3");
    expect(whisperRepoOf("distil-large-v3.5")).toBe("distil-whisper/distil-large-v3.5");
    expect(whisperRepoOf("distil-medium.en")).toBe("distil-whisper/distil-medium.en");
    expect(whisperRepoOf("small-q4")).toBe("mlx-community/whisper-small-mlx-4bit");
    expect(whisperRepoOf("large-q8")).toBe("mlx-community/whisper-large-mlx-8bit");
    expect(whisperRepoOf("large-v3-q4")).toBe("mlx-community/whisper-large-v3-mlx-4bit");
    expect(() => whisperRepoOf("tiny.en-q4")).toThrow(/mlx-community publishes 4-bit conversions of tiny, base, small, medium, large, large-v2, large-v3 only/);
    expect(whisperRepoOf("mlx-community/whisper-tiny")).toBeUndefined();
  });
});

describe("local model directories", () => {
  const root = mkdtempSync(join(tmpdir(), "wx-local-models-"));
  const previous = process.env.XDG_CACHE_HOME;
  beforeAll(() => void (process.env.XDG_CACHE_HOME = join(root, "cache")));
  afterAll(() => {
    if (previous === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = previous;
  });

  it("an MLX directory is used as it is", async () => {
    const dir = bundledModel(DEMO_MODEL) as string;
    expect(await resolveWhisperModel(dir)).toBe(dir);
  });

  it("a transformers directory and an OpenAI .pt convert once into the model cache", async () => {
    const hf = join(root, "my-hf-whisper");
    mkdirSync(hf);
    for (const f of ["config.json", "generation_config.json", "model.safetensors"]) copyFileSync(join(SYNTH, "hf", f), join(hf, f));
    const logs: string[] = [];
    const a = await resolveWhisperModel(hf, { onLog: (m) => logs.push(m) });
    expect(a.startsWith(join(root, "cache", "whisperx-mlx", "models", "local", "my-hf-whisper-"))).toBe(true);
    expect(readdirSync(a).sort()).toEqual(["config.json", "weights.safetensors"]);
    expect(await resolveWhisperModel(hf, { onLog: (m) => logs.push(m) })).toBe(a);
    expect(logs.filter((l) => l.startsWith("converting"))).toHaveLength(1);
    const pt = await resolveWhisperModel(`${SYNTH}/synth-whisper-256.pt`);
    expect(readdirSync(pt).sort()).toEqual(["config.json", "weights.safetensors"]);
  });

  it("anything else is a one-line error naming the path", async () => {
    const empty = join(root, "empty");
    mkdirSync(empty);
    await expect(resolveWhisperModel(empty)).rejects.toThrow(`model '${empty}': not a model directory (no config.json with weights.safetensors, weights.npz, model.safetensors or pytorch_model.bin)`);
    await expect(resolveWhisperModel(join(SYNTH, "audio", "eval_000.wav"))).rejects.toThrow(/a file, not a model directory/);
    await expect(resolveWhisperModel("no-such-model")).rejects.toThrow("model 'no-such-model': no such model directory, model name or Hub id");
  });
});
