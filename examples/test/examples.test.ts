/** Every example runs against the bundled model, as a user runs it (`tsx examples/<name>.ts`), using only the public API. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const DIR = fileURLToPath(new URL("..", import.meta.url));
const SAMPLE = join(DIR, "..", "fixtures", "audio", "sample.wav");
const TSX = join(DIR, "node_modules", ".bin", "tsx");
const EXAMPLES = ["basic-transcription.ts", "batch-processing.ts", "word-timestamps.ts", "benchmark.ts"];

function run(example: string, args: string[], cwd: string) {
  return spawnSync(TSX, [join(DIR, example), ...args], { cwd, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "--expose-gc" } });
}

describe("examples", () => {
  it("import only from whisperx-mlx and node: builtins", () => {
    expect(readdirSync(DIR).filter((f) => f.endsWith(".ts") && f !== "vitest.config.ts").sort()).toEqual([...EXAMPLES].sort());
    for (const e of EXAMPLES) {
      const imports = [...readFileSync(join(DIR, e), "utf8").matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
      expect(imports.length, e).toBeGreaterThan(0);
      for (const i of imports) expect(i === "whisperx-mlx" || i.startsWith("node:"), `${e} imports ${i}`).toBe(true);
    }
  });

  it("basic-transcription.ts transcribes, aligns and writes every format", () => {
    const cwd = mkdtempSync(join(tmpdir(), "ex-basic-"));
    const r = run("basic-transcription.ts", [SAMPLE], cwd);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^language: en$/m);
    expect(r.stdout).toMatch(/ski resort/);
    expect(r.stdout).toMatch(/^2\d words aligned in \d sentences?$/m);
    expect(readdirSync(join(cwd, "out")).sort()).toEqual(["sample.json", "sample.srt", "sample.tsv", "sample.txt", "sample.vtt"]);
  });

  it("batch-processing.ts writes subtitles for every readable file and reports the unreadable one", () => {
    const cwd = mkdtempSync(join(tmpdir(), "ex-batch-"));
    const clips = join(DIR, "..", "..", "shared", "fixtures", "synth-whisper-256", "audio");
    const r = run("batch-processing.ts", [SAMPLE, join(clips, "eval_000.wav"), join(cwd, "missing.wav"), join(clips, "eval_001.wav")], cwd);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`${join(cwd, "missing.wav")}: no such file`);
    expect(readdirSync(join(cwd, "out")).sort()).toEqual(["eval_000.srt", "eval_001.srt", "sample.srt"]);
    expect(r.stdout.trim().split("\n")).toHaveLength(3);
  });

  it("word-timestamps.ts prints each word with wav2vec2 and DTW times", () => {
    const r = run("word-timestamps.ts", [SAMPLE], mkdtempSync(join(tmpdir(), "ex-words-")));
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout.trim().split("\n");
    expect(rows[0]).toMatch(/^word\s+wav2vec2\s+DTW$/);
    expect(rows[1]).toMatch(/^Like\s+\d+\.\d\d–\d+\.\d\d\s+\d+\.\d\d–\d+\.\d\d score 0\.\d\d$/);
    expect(rows[rows.length - 1]).toMatch(/^2\d aligned words, 2\d DTW words, \d+ characters in the first sentence$/);
  });

  it("benchmark.ts times every stage", () => {
    const r = run("benchmark.ts", [SAMPLE, "--runs", "2"], mkdtempSync(join(tmpdir(), "ex-bench-")));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/sample\.wav: 10\.4 s of audio; engine (onnx|mlx); models loaded in \d+\.\d\d s/);
    expect(r.stdout.match(/^run \d: VAD \d+\.\d\d s, ASR \d+\.\d\d s \(1 chunks, batch 8\), alignment \d+\.\d\d s → \d+\.\d× real time$/gm)).toHaveLength(2);
    expect(r.stdout).toMatch(/^peak RSS \d+ MB$/m);
    expect(existsSync(TSX)).toBe(true);
  });
});
