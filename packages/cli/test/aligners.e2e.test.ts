/**
 * `--language de` through the real CLI: WhisperX's default German aligner is torchaudio's
 * VOXPOPULI_ASR_BASE_10K_DE, here a synthetic checkpoint in that bundle's format placed in
 * torch's hub cache (fixtures/torchaudio), as a WhisperX user who has run it once would have it.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "./run.js";

const FIXTURES = fileURLToPath(new URL("../../../fixtures/", import.meta.url));

describe("whisperx --language de", () => {
  it("aligns with torchaudio's VOXPOPULI_ASR_BASE_10K_DE from torch's cache, German labels and all", async () => {
    const home = mkdtempSync(join(tmpdir(), "wx-torch-home-"));
    mkdirSync(join(home, "hub", "checkpoints"), { recursive: true });
    const file = "wav2vec2_voxpopuli_base_10k_asr_de.pt";
    copyFileSync(join(FIXTURES, "torchaudio", file), join(home, "hub", "checkpoints", file));
    const out = mkdtempSync(join(tmpdir(), "wx-de-"));
    const env = { ...process.env, TORCH_HOME: home, XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), "wx-cache-")), WHISPERX_TORCHAUDIO_URL: "http://127.0.0.1:9/unreachable" };
    const r = await runCli("whisperx", [join(FIXTURES, "audio", "sample.wav"), "--language", "de", "-o", out, "-f", "json", "--verbose", "False"], undefined, env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/converting wav2vec2_voxpopuli_base_10k_asr_de\.pt to MLX/);
    const json = JSON.parse(readFileSync(join(out, "sample.json"), "utf8")) as { language: string; segments: { words: { word: string; start?: number }[] }[]; word_segments: unknown[] };
    expect(json.language).toBe("de");
    expect(json.word_segments.length).toBeGreaterThan(10);
    // Every word got times: random German weights still give a full CTC path.
    for (const s of json.segments) for (const w of s.words) expect(w.start, w.word).toBeTypeOf("number");
  }, 180_000);
});
