/**
 * Inputs WhisperX hands to ffmpeg: an http URL (a local server here) and `-` (stdin), through the
 * real CLI, against the same audio given as a file.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run.js";

const SAMPLE = fileURLToPath(new URL("../../../fixtures/audio/sample.wav", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "wx-inputs-"));
const MP3 = join(work, "clip.mp3");
let server: Server;
let base: string;

interface Json {
  segments: { start: number; end: number; text: string; words: { word: string; start: number; end: number }[] }[];
}

async function transcribe(input: string, outDir: string, stdin?: Buffer): Promise<Json> {
  const r = await runCli("whisperx", [input, "-o", outDir, "-f", "json", "--verbose", "False"], undefined, undefined, stdin);
  expect(r.code, r.stderr).toBe(0);
  const name = input === "-" ? "content" : "clip";
  return JSON.parse(readFileSync(join(outDir, `${name}.json`), "utf8")) as Json;
}

describe("whisperx with a URL or stdin", () => {
  beforeAll(async () => {
    const r = spawnSync("ffmpeg", ["-nostdin", "-y", "-loglevel", "error", "-i", SAMPLE, "-b:a", "128k", MP3]);
    expect(r.status, String(r.stderr)).toBe(0);
    server = createServer((req, res) => {
      const file = { "/clip.mp3": MP3, "/clip.wav": SAMPLE }[req.url ?? ""];
      if (!file) return res.writeHead(404).end();
      res.writeHead(200).end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterAll(() => server.close());

  it("http://…/clip.mp3 transcribes like the file: same text, times within 30 ms (ffmpeg keeps the MP3's encoder padding over HTTP)", async () => {
    const fromFile = await transcribe(MP3, join(work, "file"));
    const fromUrl = await transcribe(`${base}/clip.mp3`, join(work, "url"));
    expect(fromUrl.segments.map((s) => s.text)).toEqual(fromFile.segments.map((s) => s.text));
    const words = (j: Json) => j.segments.flatMap((s) => s.words);
    expect(words(fromUrl).map((w) => w.word)).toEqual(words(fromFile).map((w) => w.word));
    words(fromUrl).forEach((w, i) => expect(Math.abs(w.start - words(fromFile)[i].start), w.word).toBeLessThanOrEqual(0.03));
  }, 180_000);

  it("http://…/clip.wav and `cat clip.wav | whisperx -` give the file's own output exactly", async () => {
    const r = await runCli("whisperx", [SAMPLE, "-o", join(work, "wavfile"), "-f", "json", "--verbose", "False"]);
    expect(r.code, r.stderr).toBe(0);
    const expected = readFileSync(join(work, "wavfile", "sample.json"), "utf8");
    await transcribe(`${base}/clip.wav`, join(work, "wavurl"));
    expect(readFileSync(join(work, "wavurl", "clip.json"), "utf8")).toBe(expected);
    await transcribe("-", join(work, "stdin"), readFileSync(SAMPLE));
    expect(readFileSync(join(work, "stdin", "content.json"), "utf8")).toBe(expected);
  }, 180_000);

  it("a URL that does not exist is one error line naming it, exit 1", async () => {
    const r = await runCli("whisperx", [`${base}/missing.mp3`, "-o", join(work, "missing"), "--verbose", "False"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`whisperx: ${base}/missing\\.mp3: cannot decode audio \\(ffmpeg: .*404`));
  }, 60_000);
});
