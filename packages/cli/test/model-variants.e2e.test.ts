/**
 * Vocabulary and front-end variants the bundled model does not have, through the whole CLI on
 * both engines: a v3-style model (128 mel bins, 51866 tokens, Cantonese among 100 languages) and
 * an English-only one (51864 tokens, gpt2 vocabulary, start sequence <|startoftranscript|>
 * alone). Small random weights in the real formats: the shapes, tokens and rules are what is
 * checked, not the (meaningless) words.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { randomWhisperSource } from "@whisperx-mlx/bench";
import { convertModel, whisperToMlx } from "@whisperx-mlx/convert";
import { runCli } from "./run.js";
import { SYNTH } from "./shared.js";

const root = mkdtempSync(join(tmpdir(), "wx-variants-"));
const small = { n_audio_ctx: 1500, n_audio_state: 64, n_audio_head: 2, n_audio_layer: 1, n_text_ctx: 448, n_text_state: 64, n_text_head: 2, n_text_layer: 1 };

function model(name: string, dims: { n_mels: number; n_vocab: number }): string {
  const dir = join(root, name);
  const { config, tensors } = whisperToMlx(randomWhisperSource({ ...small, ...dims }, 1), "float32");
  convertModel({ family: "whisper", torchNameOrPath: name, source: { config: { ...config }, tensors }, mlxPath: dir, dtype: "float32", force: true });
  return dir;
}

describe.each(["onnx", "mlx"] as const)("model variants (%s)", (backend) => {
  const clip = `${SYNTH}/audio/eval_003.wav`;
  const args = (dir: string, out: string, ...extra: string[]) => [clip, "--model", dir, "--backend", backend, "--vad_method", "none", "--beam_size", "1", "--no_align", "-o", out, "-f", "json", "--verbose", "False", ...extra];

  it("a v3-style model (128 mel bins, 51866 tokens) transcribes, and knows Cantonese", async () => {
    const dir = model(`v3-${backend}`, { n_mels: 128, n_vocab: 51866 });
    const out = join(root, `v3-out-${backend}`);
    const r = await runCli("whisperx", args(dir, out, "--language", "Cantonese"), undefined);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(join(out, "eval_003.json"), "utf8")) as { language: string; segments: unknown[] };
    expect(json.language).toBe("yue");
    const detected = await runCli("whisperx", args(dir, join(root, `v3-detect-${backend}`)), undefined);
    expect(detected.code, detected.stderr).toBe(0);
  });

  it("an English-only model transcribes in English and refuses another language in one line", async () => {
    const dir = model(`en-${backend}`, { n_mels: 80, n_vocab: 51864 });
    const out = join(root, `en-out-${backend}`);
    const r = await runCli("whisperx", args(dir, out), undefined);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(readFileSync(join(out, "eval_003.json"), "utf8")) as { language: string }).language).toBe("en");
    const de = await runCli("whisperx", args(dir, out, "--language", "de"), undefined);
    expect(de.code).toBe(2);
    expect(de.stderr.trim().split("\n").pop()).toBe(`whisperx: error: model '${dir}' is English-only; it cannot transcribe 'de'`);
  });
});
