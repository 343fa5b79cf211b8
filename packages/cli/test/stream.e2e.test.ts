/**
 * `whisperx stream` through the real CLI on the demo model: the offline mode equals the offline
 * transcript word for word; online passes keep committed words append-only and flush the tail;
 * raw PCM and a WAV on stdin stream like the file.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DIST, runCli } from "./run.js";
import { SYNTH } from "./shared.js";

const CLIP = `${SYNTH}/audio/eval_004.wav`;
const ONNX = ["--backend", "onnx"];

interface Update {
  committed: { word: string; start: number; end: number }[];
  tentative: { word: string; start: number; end: number }[];
  audioTime: number;
  emittedAt: number;
  final: boolean;
}

async function stream(args: string[], stdin?: Buffer): Promise<Update[]> {
  const r = await runCli("whisperx", ["stream", ...ONNX, ...args], undefined, undefined, stdin);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Update);
}

/** The append-only contract, checked on every update of a stream; returns the committed words. */
function checkAppendOnly(updates: Update[]): string[] {
  const words: Update["committed"] = [];
  updates.forEach((u, i) => {
    expect(u.final).toBe(i === updates.length - 1);
    for (const w of u.committed) {
      const prev = words.at(-1);
      if (prev) expect(w.start).toBeGreaterThanOrEqual(prev.end - 0.1);
      words.push(w);
    }
    // The tentative tail starts after what is committed.
    if (u.tentative.length && words.length) expect(u.tentative[0].start).toBeGreaterThanOrEqual((words.at(-1) as Update["committed"][number]).end - 0.1);
  });
  expect(updates.at(-1)?.tentative).toEqual([]);
  return words.map((w) => w.word);
}

describe("whisperx stream", () => {
  it.each([["onnx"], ["mlx"]])("--simulate offline equals the offline transcript (--vad_method none --word_timestamps dtw), word for word, on %s", async (engine) => {
    const out = mkdtempSync(join(tmpdir(), "wx-stream-"));
    const r = await runCli("whisperx", [CLIP, "--backend", engine, "--vad_method", "none", "--word_timestamps", "dtw", "-f", "json", "-o", out, "--verbose", "False"]);
    expect(r.code, r.stderr).toBe(0);
    const offline = JSON.parse(readFileSync(join(out, "eval_004.json"), "utf8")) as { word_segments: { word: string; start: number; end: number }[] };
    const s = await runCli("whisperx", ["stream", "--backend", engine, "--simulate", "offline", CLIP]);
    expect(s.code, s.stderr).toBe(0);
    const updates = s.stdout.trim().split("\n").map((l) => JSON.parse(l) as Update);
    expect(updates).toHaveLength(1);
    expect(updates[0].committed.map((w) => w.word.trim())).toEqual(offline.word_segments.map((w) => w.word.trim()));
    expect(updates[0].committed.map((w) => [w.start, w.end])).toEqual(offline.word_segments.map((w) => [w.start, w.end]));
  }, 120_000);

  it("online passes on MLX commit append-only and flush the tail", async () => {
    const r = await runCli("whisperx", ["stream", "--backend", "mlx", "--simulate", "unaware", "--min_chunk_size", "2", CLIP]);
    expect(r.code, r.stderr).toBe(0);
    const words = checkAppendOnly(r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Update));
    expect(words.length).toBeGreaterThan(3);
  }, 180_000);

  it("online passes (--simulate unaware) commit append-only, flush the tail, and emit on the audio clock", async () => {
    const updates = await stream(["--simulate", "unaware", "--min_chunk_size", "1", CLIP]);
    const words = checkAppendOnly(updates);
    expect(words.length).toBeGreaterThan(3);
    // One pass per second of audio, each emitted at the audio it had consumed.
    for (const u of updates) expect(u.emittedAt).toBe(u.audioTime);
    expect(updates.length).toBeGreaterThanOrEqual(Math.floor(updates.at(-1)?.audioTime ?? 0));
  }, 180_000);

  it("raw s16le and a WAV on stdin stream to the end; --output text is whisper_streaming's format", async () => {
    const wav = readFileSync(CLIP);
    const fromWav = checkAppendOnly(await stream(["-"], wav));
    expect(fromWav.length).toBeGreaterThan(3);
    const r = await runCli("whisperx", ["stream", ...ONNX, "--output", "text", "-"], undefined, undefined, wav.subarray(44));
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    for (const l of lines) expect(l).toMatch(/^\d+\.\d{4} \d+ \d+ .+$/);
    expect(lines.map((l) => l.split(" ").slice(3).join(" ")).join("").trim().length).toBeGreaterThan(10);
  }, 180_000);

  it("the README's microphone recipe, with a file as the microphone: `ffmpeg -re … -f s16le - | whisperx stream -`, its text output scored by `bench --latency`", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wx-stream-pipe-"));
    const mp3 = join(dir, "clip.mp3");
    expect(spawnSync("ffmpeg", ["-nostdin", "-y", "-loglevel", "error", "-i", CLIP, mp3]).status).toBe(0);
    const offlineDir = join(dir, "offline");
    const offline = await runCli("whisperx", [CLIP, ...ONNX, "--vad_method", "none", "--word_timestamps", "dtw", "-f", "json", "-o", offlineDir, "--verbose", "False"]);
    expect(offline.code, offline.stderr).toBe(0);
    const words = (JSON.parse(readFileSync(join(offlineDir, "eval_004.json"), "utf8")) as { word_segments: { word: string; start: number; end: number }[] }).word_segments;
    const gold = join(dir, "gold.tsv");
    writeFileSync(gold, words.map((w) => `${w.start}\t${w.end}\t${w.word.trim()}\n`).join(""));
    // ffmpeg -re reads the input at its own pace, as a microphone delivers it.
    const script = `ffmpeg -nostdin -loglevel error -re -i ${mp3} -f s16le -ac 1 -ar 16000 - | ${process.execPath} ${DIST}whisperx.js stream ${ONNX.join(" ")} --output text - > ${dir}/out.txt`;
    const piped = spawnSync("sh", ["-c", script], { encoding: "utf8" });
    expect(piped.status, piped.stderr).toBe(0);
    const lines = readFileSync(join(dir, "out.txt"), "utf8").trim().split("\n");
    for (const l of lines) expect(l).toMatch(/^\d+\.\d{4} \d+ \d+ .+$/);
    const emitted = lines.map((l) => Number(l.split(" ")[0]));
    expect(emitted).toEqual([...emitted].sort((a, b) => a - b));
    const streamed = lines.map((l) => l.split(" ").slice(3).join(" ")).join("").trim().split(/\s+/);
    expect(streamed.length).toBeGreaterThan(words.length / 2);
    const latency = await runCli("bench", ["--latency", gold], undefined, undefined, readFileSync(join(dir, "out.txt")));
    expect(latency.code, latency.stderr).toBe(0);
    const value = Number(latency.stdout.trim());
    // Emission is wall time since the first samples; the clip is read in real time.
    expect(value).toBeGreaterThan(0);
    expect(value).toBeLessThan(15);
  }, 180_000);

  it("--vac: 5 minutes of silence commit nothing; the utterance after them is transcribed and finalised", async () => {
    const clip = readFileSync(`${SYNTH}/audio/trainlike_011.wav`);
    const pcm = Buffer.concat([Buffer.alloc(300 * 32000), clip.subarray(44), Buffer.alloc(32000)]);
    const header = Buffer.from(clip.subarray(0, 44));
    header.writeUInt32LE(36 + pcm.length, 4);
    header.writeUInt32LE(pcm.length, 40);
    const file = join(mkdtempSync(join(tmpdir(), "wx-vac-")), "silence-then-speech.wav");
    writeFileSync(file, Buffer.concat([header, pcm]));
    const updates = await stream(["--vac", "--simulate", "unaware", "--language", "en", file]);
    const committed = updates.flatMap((u) => u.committed);
    expect(committed.length).toBeGreaterThan(5);
    for (const u of updates) if (u.committed.length) expect(u.emittedAt).toBeGreaterThan(300);
    for (const w of committed) expect(w.start).toBeGreaterThan(299.8);
    expect(committed.map((w) => w.word).join("")).toContain("vacation");
    expect(updates.at(-1)).toMatchObject({ final: true, tentative: [] });
  }, 180_000);

  it("refuses what it cannot do with one line", async () => {
    const r = await runCli("whisperx", ["stream", "--simulate", "offline", "-"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("whisperx stream: error: --simulate needs a file (stdin is already live)");
    const bad = await runCli("whisperx", ["stream", "--vad_onset", "0.4", CLIP]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unrecognized arguments?: --vad_onset|unknown|--vad_onset/);
    const missing = await runCli("whisperx", ["stream", ...ONNX, "/nonexistent.wav"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split("\n").at(-1)).toBe("whisperx stream: error: /nonexistent.wav: no such file");
  }, 60_000);
});
