/**
 * `whisperx serve` as a real subprocess, driven by `ws` clients: a file sent in 100 ms frames
 * gives the CLI's final text; two clients at once both finish; a 2 MiB frame is refused; a client
 * that drops mid-stream leaves the other's result unchanged; the page is served.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { runCli } from "./run.js";
import { SYNTH } from "./shared.js";

const CLI = fileURLToPath(new URL("../dist/whisperx.js", import.meta.url));
const CLIPS = [`${SYNTH}/audio/eval_004.wav`, `${SYNTH}/audio/eval_007.wav`];
// A pass waits for 30 s of new audio, so a clip is transcribed in one pass when its stream ends:
// the result does not depend on how fast frames arrive, and equals the CLI's.
const MODEL_FLAGS = ["--backend", "onnx", "--min_chunk_size", "30"];

let server: ChildProcess;
let url: string;

/** The clip's samples as s16le frames of 100 ms. */
function frames(file: string): Buffer[] {
  const pcm = readFileSync(file).subarray(44);
  const out: Buffer[] = [];
  for (let i = 0; i < pcm.length; i += 3200) out.push(pcm.subarray(i, i + 3200));
  return out;
}

interface Received {
  messages: { type: string; committed?: { word: string }[] }[];
  closeCode: number;
  text: string;
}

/** Streams a clip (optionally stopping after `dropAfter` frames by terminating) and collects the replies. */
function streamClip(file: string, options: { dropAfter?: number; frame?: Buffer } = {}): Promise<Received> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace("http", "ws")}stream`);
    const messages: Received["messages"] = [];
    ws.on("error", reject);
    ws.on("open", () => {
      ws.send(JSON.stringify({ type: "config", sampleRate: 16000, format: "s16le" }));
      if (options.frame) return ws.send(options.frame);
      const all = frames(file);
      all.forEach((f, i) => {
        if (options.dropAfter !== undefined && i === options.dropAfter) ws.terminate();
        else if (options.dropAfter === undefined || i < options.dropAfter) ws.send(f);
      });
      if (options.dropAfter === undefined) ws.send(JSON.stringify({ type: "end" }));
    });
    ws.on("message", (data) => messages.push(JSON.parse(String(data)) as Received["messages"][number]));
    ws.on("close", (code) => resolve({ messages, closeCode: code, text: messages.flatMap((m) => (m.committed ?? []).map((w) => w.word)).join("") }));
  });
}

async function cliText(file: string): Promise<string> {
  const r = await runCli("whisperx", ["stream", ...MODEL_FLAGS, file]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .trim()
    .split("\n")
    .flatMap((l) => (JSON.parse(l) as { committed: { word: string }[] }).committed.map((w) => w.word))
    .join("");
}

describe("whisperx serve", () => {
  beforeAll(async () => {
    server = spawn(process.execPath, ["--expose-gc", CLI, "serve", "--port", "0", ...MODEL_FLAGS], { stdio: ["ignore", "pipe", "pipe"] });
    url = await new Promise<string>((resolve, reject) => {
      let out = "";
      server.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/[^/]+\/)/.exec(out);
        if (m) resolve(m[1]);
      });
      server.on("exit", (code) => reject(new Error(`serve exited with ${code}`)));
    });
  }, 120_000);
  afterAll(() => {
    server?.kill("SIGTERM");
  });

  it("serves the page", async () => {
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Live transcription");
    expect((await fetch(`${url}capture-worklet.js`)).headers.get("content-type")).toMatch(/javascript/);
    expect((await fetch(`${url}../etc/passwd`)).status).toBe(404);
  });

  it("a file in 100 ms frames gives the CLI's final text; two clients at once both finish", async () => {
    const [a, b] = await Promise.all(CLIPS.map((c) => streamClip(c)));
    for (const r of [a, b]) {
      expect(r.messages[0].type).toBe("ready");
      expect(r.messages.slice(-2).map((m) => m.type)).toEqual(["final", "done"]);
      expect(r.closeCode).toBe(1000);
    }
    expect(a.text).toBe(await cliText(CLIPS[0]));
    expect(b.text).toBe(await cliText(CLIPS[1]));
    expect(a.text.trim().length).toBeGreaterThan(10);
  }, 300_000);

  it("refuses a 2 MiB frame (maxPayload) and a bad config with an error", async () => {
    const big = await streamClip(CLIPS[0], { frame: Buffer.alloc(2 << 20) });
    expect(big.closeCode).toBe(1009); // message too big
    const bad = await new Promise<{ message: { type: string; message?: string }; code: number }>((resolve, reject) => {
      const ws = new WebSocket(`${url.replace("http", "ws")}stream`);
      let message: { type: string; message?: string } = { type: "none" };
      ws.on("error", reject);
      ws.on("open", () => ws.send(JSON.stringify({ type: "config", sampleRate: 44100 })));
      ws.on("message", (d) => (message = JSON.parse(String(d)) as typeof message));
      ws.on("close", (code) => resolve({ message, code }));
    });
    expect(bad.message).toEqual({ type: "error", message: "config.sampleRate: only 16000 is accepted (got 44100); resample before sending" });
    expect(bad.code).toBe(1008);
  }, 60_000);

  it("a client dropping mid-stream does not disturb another", async () => {
    const [dropped, whole] = await Promise.all([streamClip(CLIPS[1], { dropAfter: 20 }), streamClip(CLIPS[0])]);
    expect(dropped.messages.at(-1)?.type).not.toBe("done");
    expect(whole.messages.slice(-1)[0].type).toBe("done");
    expect(whole.text).toBe(await cliText(CLIPS[0]));
  }, 300_000);
});
