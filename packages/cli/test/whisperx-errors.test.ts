import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEMO_NOTICE, runCli, withoutDemoNotice } from "./run.js";
import { SYNTH } from "./shared.js";

describe("whisperx CLI", () => {
  it("transcribes good files, reports bad ones in one line each, exits 1, writes nothing for them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-bad-"));
    const out = join(dir, "out");
    const good = join(dir, "good.wav");
    copyFileSync(`${SYNTH}/audio/eval_003.wav`, good);
    const corrupt = join(dir, "corrupt.wav");
    writeFileSync(corrupt, Buffer.concat([Buffer.from("RIFF\x24\x00\x00\x00WAVEfmt "), Buffer.alloc(6)]));
    const r = await runCli("whisperx", [corrupt, join(dir, "missing.mp3"), good, "--vad_method", "none", "--language", "en", "-o", out, "-f", "all", "--verbose", "False", "--no_align"]);
    expect(r.code).toBe(1);
    const lines = withoutDemoNotice(r.stderr).trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^whisperx: .*corrupt\.wav: invalid WAV: truncated fmt chunk$/);
    expect(lines[1]).toMatch(/^whisperx: .*missing\.mp3: no such file$/);
    expect(lines[2]).toBe("whisperx: 2 of 3 file(s) failed");
    expect(readdirSync(out).sort()).toEqual(["good.json", "good.srt", "good.tsv", "good.txt", "good.vtt"]);
    expect(readFileSync(join(out, "good.txt"), "utf8").length).toBeGreaterThan(5);
  });
  it("rejects unknown flags, bad values and missing models with exit 2", async () => {
    expect((await runCli("whisperx", ["x.wav", "--no_such_flag"])).stderr).toBe("whisperx: error: unrecognized argument: --no_such_flag\n");
    const bad = await runCli("whisperx", ["x.wav", "--condition_on_previous_text", "maybe"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected True or False/);
    const model = await runCli("whisperx", ["x.wav", "--model", "/nonexistent/model"]);
    expect(model.code).toBe(2);
    expect(model.stderr).toBe("whisperx: error: model '/nonexistent/model': no such model directory, model name or Hub id\n");
    expect((await runCli("whisperx", ["--help"])).stdout).toMatch(/--condition_on_previous_text/);
  });
  it("announces the bundled demo model in one line when --model is not given, and not otherwise", async () => {
    const out = mkdtempSync(join(tmpdir(), "cli-demo-"));
    const clip = `${SYNTH}/audio/eval_003.wav`;
    const implicit = await runCli("whisperx", [clip, "--language", "en", "-o", out, "-f", "txt", "--verbose", "False", "--no_align"]);
    expect(implicit.code, implicit.stderr).toBe(0);
    const notices = implicit.stderr.split("\n").filter((l) => DEMO_NOTICE.test(l));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/--model small/);
    const explicit = await runCli("whisperx", [clip, "--model", fileURLToPath(new URL("../../../fixtures/models/synth-whisper-256-mlx", import.meta.url)), "--language", "en", "-o", out, "-f", "txt", "--verbose", "False", "--no_align"]);
    expect(explicit.code, explicit.stderr).toBe(0);
    expect(explicit.stderr).toBe("");
  });
  it("prints its version", async () => {
    const v = await runCli("whisperx", ["--version"]);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^whisperx \d+\.\d+\.\d+\n$/);
    expect((await runCli("whisperx", ["-V"])).stdout).toBe(v.stdout);
  });
  it("prints segments and keeps existing outputs of other files", async () => {
    const out = mkdtempSync(join(tmpdir(), "cli-keep-"));
    writeFileSync(join(out, "other.txt"), "keep me");
    const r = await runCli("whisperx", [`${SYNTH}/audio/trainlike_003.wav`, "--vad_method", "none", "--language", "en", "-o", out, "-f", "srt"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\[00:0\d\.\d{3} --> 00:0\d\.\d{3}\] /);
    expect(readFileSync(join(out, "other.txt"), "utf8")).toBe("keep me");
    expect(existsSync(join(out, "trainlike_003.srt"))).toBe(true);
    expect(readdirSync(out).filter((f) => f.startsWith("."))).toEqual([]);
  });
});
