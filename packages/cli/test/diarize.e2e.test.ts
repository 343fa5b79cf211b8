/** Speaker diarization through the CLI: `whisperx --diarize` and `whisperx diarize`, real subprocesses, ONNX Runtime. */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHubServer, type HubServer } from "./hub-server.js";
import { runCli } from "./run.js";
import { SHARED } from "./shared.js";

const FIX = `${SHARED}/fixtures/synth-diarization`;
const CLIP = `${FIX}/audio/vis_03.wav`;

interface Word {
  word: string;
  start?: number;
  speaker?: string;
}
interface Result {
  segments: { text: string; speaker?: string; words?: Word[] }[];
  word_segments?: Word[];
  speaker_embeddings?: Record<string, number[]>;
}

/** The (onset, duration, label) triples of an RTTM. */
const rttmRows = (text: string) => text.trim().split("\n").map((l) => l.split(" ").filter((_, i) => [3, 4, 7].includes(i)).join(" "));

describe("whisperx --diarize", () => {
  const out = mkdtempSync(join(tmpdir(), "wx-diarize-cli-"));
  const env = { ...process.env, XDG_CACHE_HOME: join(out, "xdg") };
  const transcribe = (name: string, ...args: string[]) => runCli("whisperx", [CLIP, "--backend", "onnx", "-o", join(out, name), ...args], undefined, env);

  it("writes SRT cues prefixed [SPEAKER_0N]: and JSON with speakers on segments, words and word_segments", async () => {
    const all = await transcribe("all", "--diarize", "--diarize_model", `${FIX}/models`, "-f", "all", "--speaker_embeddings");
    expect(all.code, all.stderr).toBe(0);
    const cues = readFileSync(join(out, "all", "vis_03.srt"), "utf8").split("\n\n").filter(Boolean);
    expect(cues.length).toBeGreaterThan(2);
    for (const cue of cues) expect(cue.split("\n")[2]).toMatch(/^\[SPEAKER_0\d\]: /);
    const r = JSON.parse(readFileSync(join(out, "all", "vis_03.json"), "utf8")) as Result;
    expect(r.segments.every((s) => /^SPEAKER_\d\d$/.test(s.speaker ?? ""))).toBe(true);
    const words = r.segments.flatMap((s) => s.words ?? []).filter((w) => w.start !== undefined);
    expect(words.filter((w) => w.speaker).length / words.length).toBeGreaterThan(0.9);
    expect(r.word_segments?.filter((w) => w.speaker).length).toBe(words.filter((w) => w.speaker).length);
    const labels = new Set(r.segments.map((s) => s.speaker));
    expect(Object.keys(r.speaker_embeddings ?? {}).sort()).toEqual(expect.arrayContaining([...labels].sort()));
    for (const v of Object.values(r.speaker_embeddings ?? {})) expect(v).toHaveLength(256);
  });

  it("--min_speakers 2 --max_speakers 2 yields at most two labels; without --diarize nothing has a speaker", async () => {
    const two = await transcribe("two", "--diarize", "--diarize_model", `${FIX}/models`, "-f", "json", "--min_speakers", "2", "--max_speakers", "2");
    expect(two.code, two.stderr).toBe(0);
    const r = JSON.parse(readFileSync(join(out, "two", "vis_03.json"), "utf8")) as Result;
    const labels = new Set([...r.segments.map((s) => s.speaker), ...(r.word_segments ?? []).map((w) => w.speaker)].filter(Boolean));
    expect(labels.size).toBeGreaterThanOrEqual(1);
    expect(labels.size).toBeLessThanOrEqual(2);

    const plain = await transcribe("plain", "-f", "json");
    expect(plain.code, plain.stderr).toBe(0);
    const text = readFileSync(join(out, "plain", "vis_03.json"), "utf8");
    expect(text).not.toMatch(/"speaker/);
  });
});

describe("whisperx diarize", () => {
  const out = mkdtempSync(join(tmpdir(), "wx-diarize-only-"));
  let server: HubServer;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    // WhisperX's default pipeline id, served from a local Hub with the visible fixture's files.
    server = await startHubServer({ "pyannote/speaker-diarization-community-1": `${FIX}/models` });
    env = { ...process.env, HF_ENDPOINT: server.url, HF_HUB_CACHE: join(out, "hf"), XDG_CACHE_HOME: join(out, "xdg"), HF_HUB_OFFLINE: "" };
  });
  afterAll(() => server.close());

  it("downloads the default pipeline from the Hub, converts it once, and writes pyannote's RTTM (regular and exclusive) and JSON", async () => {
    const rttm = join(out, "vis_03.rttm");
    const r = await runCli("whisperx", ["diarize", CLIP, "-o", rttm, "--backend", "onnx"], undefined, env);
    expect(r.code, r.stderr).toBe(0);
    expect(server.requests.some((q) => q.includes("segmentation/pytorch_model.bin"))).toBe(true);
    expect(rttmRows(readFileSync(rttm, "utf8"))).toEqual(rttmRows(readFileSync(`${FIX}/refs/rttm/community-1/vis_03.rttm`, "utf8")));

    const before = server.requests.length;
    const excl = join(out, "vis_03.exclusive.rttm");
    const e = await runCli("whisperx", ["diarize", CLIP, "-o", excl, "--exclusive", "--backend", "onnx"], undefined, env);
    expect(e.code, e.stderr).toBe(0);
    expect(server.requests.slice(before).filter((q) => q.includes("/resolve/"))).toEqual([]);
    expect(rttmRows(readFileSync(excl, "utf8"))).toEqual(rttmRows(readFileSync(`${FIX}/refs/rttm/community-1/vis_03.exclusive.rttm`, "utf8")));

    const json = join(out, "vis_03.json");
    const j = await runCli("whisperx", ["diarize", CLIP, "-o", json, "--backend", "onnx", "--diarize_model", `${FIX}/models/config-3.1.yaml`], undefined, env);
    expect(j.code, j.stderr).toBe(0);
    const refs = JSON.parse(readFileSync(`${FIX}/refs/refs.json`, "utf8")) as { clips: Record<string, { configs: Record<string, { serialized: unknown }> }> };
    expect(JSON.parse(readFileSync(json, "utf8"))).toEqual(refs.clips.vis_03.configs["3.1"].serialized);
  });

  it("bad input: one line naming the problem, non-zero exit, no output", async () => {
    const target = join(out, "none.rttm");
    const missing = await runCli("whisperx", ["diarize", CLIP, "-o", target, "--diarize_model", join(out, "no-such-dir"), "--backend", "onnx"], undefined, env);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    expect(missing.stderr).toMatch(/no-such-dir/);
    const notAudio = await runCli("whisperx", ["diarize", `${FIX}/models/config.yaml`, "-o", target, "--diarize_model", `${FIX}/models`, "--backend", "onnx"], undefined, env);
    expect(notAudio.code).not.toBe(0);
    expect(notAudio.stderr.trim().split("\n")).toHaveLength(1);
    expect(existsSync(target)).toBe(false);
  });
});
