import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { runCli } from "./run.js";
import { SYNTH } from "./shared.js";

const dir = mkdtempSync(join(tmpdir(), "convert-cli-"));

/** A torch-style zip whose pickle calls os.system (GLOBAL 'os system', REDUCE). */
function evilCheckpoint(): Uint8Array {
  const marker = join(dir, "pwned");
  const cmd = Buffer.from(`touch ${marker}`);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(cmd.length);
  const pkl = Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.from("cos\nsystem\n"), Buffer.from([0x28, 0x58]), len, cmd, Buffer.from([0x74, 0x52, 0x2e])]);
  return zipSync({ "archive/data.pkl": pkl, "archive/byteorder": Buffer.from("little") }, { level: 0 });
}

describe("pnpm convert whisper", () => {
  it("refuses a pickle that calls os.system: exit 2, one line, nothing runs, no output", async () => {
    const evil = join(dir, "evil.pt");
    writeFileSync(evil, evilCheckpoint());
    const out = join(dir, "evil-out");
    const r = await runCli("convert", ["whisper", "--torch-name-or-path", evil, "--mlx-path", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`convert: error: ${evil}: refused global 'os.system' (not on the allow-list; nothing was executed)\n`);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, "pwned"))).toBe(false);
  });
  it("rejects a truncated checkpoint: exit 2, one line, no output", async () => {
    const raw = readFileSync(`${SYNTH}/synth-whisper-256.pt`);
    const cut = join(dir, "truncated.pt");
    writeFileSync(cut, raw.subarray(0, 5_000_000));
    const out = join(dir, "cut-out");
    const r = await runCli("convert", ["whisper", "--torch-name-or-path", cut, "--mlx-path", out]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toMatch(/truncated\.pt: corrupt or truncated zip archive/);
    expect(existsSync(out)).toBe(false);
  });
  it("converts the real checkpoint and prints a summary", async () => {
    const out = join(dir, "ok");
    const r = await runCli("convert", ["whisper", "--torch-name-or-path", `${SYNTH}/synth-whisper-256.pt`, "--mlx-path", out, "--dtype", "float16"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/166 tensors, 21\.02 M parameters, 42\.9 MB in, 42\.1 MB out \(float16\)/);
    expect(JSON.parse(readFileSync(join(out, "config.json"), "utf8")).model_type).toBe("whisper");
    expect((await runCli("convert", ["whisper", "--help"])).stdout).toMatch(/--torch-name-or-path/);
    expect((await runCli("convert", ["whisper", "--torch-name-or-path", `${SYNTH}/synth-whisper-256.pt`, "--mlx-path", out])).stderr).toMatch(/already exists \(use --force/);
  });
});

describe("pnpm convert whisper --to ggml", () => {
  it("writes whisper.cpp's q4_0 file from the .pt (the bytes its own converter and quantize give) and refuses misuse", async () => {
    const out = join(dir, "ggml-model-q4_0.bin");
    const r = await runCli("convert", ["whisper", "--torch-name-or-path", `${SYNTH}/synth-whisper-256.pt`, "--to", "ggml", "--ggml-type", "q4_0", "--ggml-path", out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/→ .*ggml-model-q4_0\.bin: whisper\.cpp q4_0, 167 tensors, 14\.8 MB/);
    const reference = JSON.parse(readFileSync(new URL("../../../fixtures/ggml/reference.json", import.meta.url), "utf8")) as { files: { q4_0: { sha256: string } } };
    expect(createHash("sha256").update(readFileSync(out)).digest("hex")).toBe(reference.files.q4_0.sha256);
    const w2v = await runCli("convert", ["wav2vec2", "--torch-name-or-path", `${SYNTH}/../synth-wav2vec2/torchaudio/wav2vec2_ta.pth`, "--to", "ggml"]);
    expect([w2v.code, w2v.stderr]).toEqual([2, "convert: error: --to ggml: whisper.cpp's format holds Whisper models, not wav2vec2\n"]);
    const stray = await runCli("convert", ["whisper", "--torch-name-or-path", `${SYNTH}/synth-whisper-256.pt`, "--ggml-type", "q8_0", "--mlx-path", join(dir, "stray")]);
    expect([stray.code, stray.stderr]).toEqual([2, "convert: error: --ggml-path and --ggml-type need --to ggml\n"]);
    expect(existsSync(join(dir, "stray"))).toBe(false);
  });
});

describe("pnpm convert: every family, quantization, verify", () => {
  it("converts wav2vec2 and silero-vad with --verify and prints the max error per family", async () => {
    const w = await runCli("convert", ["wav2vec2", "--torch-name-or-path", `${SYNTH}/../synth-wav2vec2/torchaudio/wav2vec2_ta.pth`, "--mlx-path", join(dir, "w2v"), "--verify"]);
    expect(w.code).toBe(0);
    expect(w.stderr).toMatch(/83 tensors, 4\.81 M parameters/);
    expect(w.stderr).toMatch(/verify: \d+ tensor families, max \|Δ\| 0\.00e\+0/);
    const s = await runCli("convert", ["silero-vad", "--torch-name-or-path", `${SYNTH}/../silero-vad/silero_vad.onnx`, "--mlx-path", join(dir, "sil")]);
    expect(s.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "sil", "config.json"), "utf8"))).toMatchObject({ model_type: "silero-vad", sample_rate: 16000 });
  });
  it("quantizes with -q --q-bits --q-group-size and refuses it for silero-vad", async () => {
    const q = await runCli("convert", ["whisper", "--torch-name-or-path", `${SYNTH}/synth-whisper-256.pt`, "--mlx-path", join(dir, "q4"), "-q", "--q-bits", "4", "--q-group-size", "64", "--verify"]);
    expect(q.code).toBe(0);
    expect(q.stderr).toMatch(/65 matrices quantized to 4 bits \(group 64\)/);
    expect(JSON.parse(readFileSync(join(dir, "q4", "config.json"), "utf8")).quantization).toEqual({ group_size: 64, bits: 4 });
    const bad = await runCli("convert", ["silero-vad", "--torch-name-or-path", `${SYNTH}/../silero-vad/silero_vad.onnx`, "--mlx-path", join(dir, "sq"), "-q"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("convert: error: unrecognized argument: -q\n");
    expect((await runCli("convert", ["silero-vad", "--help"])).stdout).toMatch(/--sample-rate/);
    expect((await runCli("convert", ["wav2vec2", "--help"])).stdout).toMatch(/--q-group-size/);
  });
});
