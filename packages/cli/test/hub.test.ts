/**
 * `--model <name | Hub id>` and `--align_model <Hub id>` against a real local HTTP server that
 * speaks the Hub's API, serving the shared fixtures' Hugging Face and torchaudio checkpoints:
 * download into the Hub cache layout, convert once, transcribe; then the same offline; then the
 * failures (unknown repo, interrupted download, cache-only) as one-line errors with nothing
 * half-written left behind.
 */
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convertModel } from "@whisperx-mlx/convert";
import { startHubServer, type HubServer } from "./hub-server.js";
import { runCli } from "./run.js";
import { SHARED, SYNTH } from "./shared.js";

const W2V = `${SHARED}/fixtures/synth-wav2vec2`;
const CLIP = `${SYNTH}/audio/eval_000.wav`;
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

interface Word {
  word: string;
  start?: number;
  end?: number;
}
const wordsOf = (dir: string) => (JSON.parse(readFileSync(join(dir, "eval_000.json"), "utf8")) as { word_segments: Word[] }).word_segments;
const textOf = (dir: string) => (JSON.parse(readFileSync(join(dir, "eval_000.json"), "utf8")) as { segments: { text: string }[] }).segments.map((s) => s.text).join("");

describe("models from the Hub", () => {
  let server: HubServer;
  let root: string;
  let env: NodeJS.ProcessEnv;
  const args = (out: string, ...extra: string[]) => [CLIP, "--vad_method", "none", "--language", "en", "-o", out, "-f", "json", "--verbose", "False", ...extra];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "wx-hub-"));
    // mlx-community layouts: weights.npz as numpy writes it, and 4-bit weights.safetensors.
    const npz = join(root, "repo-npz");
    const q4 = join(root, "repo-q4");
    execFileSync("python3", [join(ROOT, "fixtures/tools/mlx_community_npz.py"), join(ROOT, "fixtures/models/synth-whisper-256-mlx"), npz]);
    convertModel({ family: "whisper", torchNameOrPath: `${SYNTH}/synth-whisper-256.pt`, mlxPath: q4, quantize: { bits: 4, groupSize: 64 } });
    server = await startHubServer(
      { "openai/whisper-tiny": `${SYNTH}/hf`, "test-org/synth-wav2vec2": `${W2V}/hf_bin`, "flaky/whisper": `${SYNTH}/hf`, "mlx-community/whisper-synth": npz, "mlx-community/whisper-tiny-mlx-4bit": q4 },
      { torchaudio: { "wav2vec2_fairseq_base_ls960_asr_ls960.pth": `${W2V}/torchaudio/wav2vec2_ta.pth` }, truncate: ["flaky/whisper/model.safetensors"] },
    );
    env = { ...process.env, HF_ENDPOINT: server.url, HF_HUB_CACHE: join(root, "hf"), XDG_CACHE_HOME: join(root, "xdg"), TORCH_HOME: join(root, "torch"), WHISPERX_TORCHAUDIO_URL: `${server.url}/torchaudio`, HF_HUB_OFFLINE: "" };
  });
  afterAll(async () => server?.close());

  it("--model tiny downloads openai/whisper-tiny into the Hub cache, converts it once, and transcribes as the bundled model does; English aligns with torchaudio's base-960h", async () => {
    const out = join(root, "out1");
    const r = await runCli("whisperx", args(out, "--model", "tiny"), undefined, env);
    expect(r.stderr).toMatch(/downloading openai\/whisper-tiny\/model\.safetensors/);
    expect(r.stderr).toMatch(/downloading .*\/torchaudio\/wav2vec2_fairseq_base_ls960_asr_ls960\.pth/);
    expect(r.code, r.stderr).toBe(0);
    // Only the files a conversion needs, in huggingface_hub's layout (blobs, snapshot links, refs).
    const repo = join(root, "hf", "models--openai--whisper-tiny");
    const commit = readFileSync(join(repo, "refs", "main"), "utf8");
    const snapshot = join(repo, "snapshots", commit);
    expect(readdirSync(snapshot).sort()).toEqual(["config.json", "generation_config.json", "model.safetensors"]);
    expect(lstatSync(join(snapshot, "model.safetensors")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(snapshot, "model.safetensors"))).toMatch(/^\.\.\/\.\.\/blobs\/[0-9a-f]{64}$/);
    expect(server.requests.some((q) => q.includes("generation_config.full.json"))).toBe(false);
    expect(existsSync(join(root, "torch", "hub", "checkpoints", "wav2vec2_fairseq_base_ls960_asr_ls960.pth"))).toBe(true);
    // The Hub checkpoint converted to fp16 is the bundled model's source: the same transcript.
    const bundled = join(root, "bundled");
    expect((await runCli("whisperx", args(bundled))).code).toBe(0);
    expect(textOf(out)).toBe(textOf(bundled));
    expect(wordsOf(out).length).toBeGreaterThan(0);
    expect(wordsOf(out).every((w) => w.start !== undefined || !/[a-z]/i.test(w.word))).toBe(true);
  });

  it("uses the caches on the next run: no request reaches the Hub", async () => {
    const before = server.requests.length;
    const out = join(root, "out2");
    const r = await runCli("whisperx", args(out, "--model", "tiny", "--model_cache_only", "True"), undefined, env);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/downloading|converting/);
    expect(server.requests.length).toBe(before);
    expect(textOf(out)).toBe(textOf(join(root, "out1")));
  });

  it("--align_model <Hub id> (pytorch_model.bin + vocab.json) gives the torchaudio checkpoint's word times (same weights)", async () => {
    const out = join(root, "out3");
    const r = await runCli("whisperx", args(out, "--model", "tiny", "--align_model", "test-org/synth-wav2vec2"), undefined, env);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/downloading test-org\/synth-wav2vec2\/pytorch_model\.bin/);
    expect(wordsOf(out)).toEqual(wordsOf(join(root, "out1")));
  });

  it("an mlx-community repo by id: config.json and weights.npz only, repackaged once, transcribes as the bundled model", async () => {
    const out = join(root, "out4");
    const r = await runCli("whisperx", args(out, "--model", "mlx-community/whisper-synth"), undefined, env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/downloading mlx-community\/whisper-synth\/weights\.npz/);
    expect(r.stderr).toMatch(/repackaging/);
    const repo = join(root, "hf", "models--mlx-community--whisper-synth");
    expect(readdirSync(join(repo, "snapshots", readFileSync(join(repo, "refs", "main"), "utf8"))).sort()).toEqual(["config.json", "weights.npz"]);
    expect(textOf(out)).toBe(textOf(join(root, "out1")));
  });

  it("--model tiny-q4 is mlx-community/whisper-tiny-mlx-4bit, used as downloaded (no conversion)", async () => {
    const out = join(root, "out5");
    const r = await runCli("whisperx", args(out, "--model", "tiny-q4"), undefined, env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/downloading mlx-community\/whisper-tiny-mlx-4bit\/weights\.safetensors/);
    expect(r.stderr).not.toMatch(/converting|repackaging/);
    expect(textOf(out).trim().length).toBeGreaterThan(0);
    const unknown = await runCli("whisperx", args(join(root, "e0"), "--model", "turbo-q4"), undefined, env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^whisperx: error: model 'turbo-q4': mlx-community publishes 4-bit conversions of tiny, base, small, medium, large, large-v2, large-v3 only/);
  });

  it("fails in one line, leaving nothing half-written: unknown repo, interrupted download, cache-only miss", async () => {
    const seen = server.requests.length;
    const missing = await runCli("whisperx", args(join(root, "e1"), "--model", "nobody/nothing", "--hf_token", "hf_secret"), undefined, env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`whisperx: error: model 'nobody/nothing': nobody/nothing: not found on ${server.url} (HTTP 404; private or gated repos need a token: --hf_token or HF_TOKEN)\n`);
    // --hf_token reaches the Hub as WhisperX's does.
    expect(server.authorizations.slice(seen)).toContain("Bearer hf_secret");

    const flaky = await runCli("whisperx", args(join(root, "e2"), "--model", "flaky/whisper"), undefined, env);
    expect(flaky.code).toBe(2);
    expect(flaky.stderr.split("\n").filter((l) => l.startsWith("whisperx: error:"))).toEqual([expect.stringMatching(/^whisperx: error: model 'flaky\/whisper': flaky\/whisper\/model\.safetensors: download failed/)]);
    const blobs = join(root, "hf", "models--flaky--whisper", "blobs");
    expect(readdirSync(blobs).filter((f) => f.length > 60 || f.endsWith(".incomplete"))).toEqual([]);
    expect(existsSync(join(root, "xdg", "whisperx-mlx", "models", "flaky--whisper"))).toBe(false);
    expect(existsSync(join(root, "e2", "eval_000.json"))).toBe(false);

    const offline = await runCli("whisperx", args(join(root, "e3"), "--model", "openai/whisper-base", "--model_cache_only", "True"), undefined, env);
    expect(offline.code).toBe(2);
    expect(offline.stderr).toMatch(/^whisperx: error: model 'openai\/whisper-base': openai\/whisper-base: offline \(cache only\), and the Hub cache .* has no copy of it\n$/);
  });
});
