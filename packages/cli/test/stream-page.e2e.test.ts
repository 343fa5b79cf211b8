/**
 * The live page in headless Chromium (Debian's, driven by playwright-core) with a WAV as its
 * fake microphone: the page captures it through its AudioWorklet, streams it to `whisperx serve`
 * and shows committed text within 5 WER points of the CLI's on the same file. The screenshot is
 * kept in `test-artifacts/`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { wordErrorRate } from "@whisperx-mlx/bench";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run.js";
import { SYNTH } from "./shared.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CLI = fileURLToPath(new URL("../dist/whisperx.js", import.meta.url));
const ARTIFACTS = fileURLToPath(new URL("../../../test-artifacts/", import.meta.url));
// A clip the demo model transcribes without error, so the comparison measures the audio path
// and the streaming, not the model's instability on voices it never heard.
const CLIP = `${SYNTH}/audio/trainlike_011.wav`;
const MODEL_FLAGS = ["--backend", "onnx", "--language", "en"];

let server: ChildProcess;
let url: string;

/** The clip as 16-bit 16 kHz mono with 1 s of silence after it (Chromium repeats the last buffer of a file that ends in sound). */
function withTrailingSilence(file: string): string {
  const wav = readFileSync(file);
  const data = Buffer.concat([wav.subarray(44), Buffer.alloc(32000)]);
  const header = Buffer.from(wav.subarray(0, 44));
  header.writeUInt32LE(36 + data.length, 4);
  header.writeUInt32LE(data.length, 40);
  const out = join(mkdtempSync(join(tmpdir(), "wx-page-")), "mic.wav");
  writeFileSync(out, Buffer.concat([header, data]));
  return out;
}

describe("the live transcription page", () => {
  beforeAll(async () => {
    server = spawn(process.execPath, ["--expose-gc", CLI, "serve", "--port", "0", ...MODEL_FLAGS], { stdio: ["ignore", "pipe", "inherit"] });
    url = await new Promise<string>((resolve, reject) => {
      let out = "";
      server.stdout?.on("data", (d: Buffer) => {
        const m = /listening on (http:\/\/[^/]+\/)/.exec((out += d.toString()));
        if (m) resolve(m[1]);
      });
      server.on("exit", (code) => reject(new Error(`serve exited with ${code}`)));
    });
  }, 120_000);
  afterAll(() => {
    server?.kill("SIGTERM");
  });

  it("streams the fake microphone and shows committed text close to the CLI's", async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} (Debian's chromium; scripts/setup.sh --test installs it)`).toBe(true);
    const mic = withTrailingSilence(CLIP);
    const seconds = (readFileSync(mic).length - 44) / 32000;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", `--use-file-for-fake-audio-capture=${mic}%noloop`],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(url);
      await page.click("#start");
      await page.waitForSelector('#status[data-state="listening"]', { timeout: 30_000 });
      await page.waitForTimeout((seconds + 1) * 1000);
      await page.click("#stop");
      await page.waitForSelector('#status[data-state="done"]', { timeout: 120_000 });
      const committed = (await page.textContent("#committed")) ?? "";
      expect(await page.textContent("#tentative")).toBe(""); // the final update flushed the tail
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, "stream-page.png") });
      expect(errors).toEqual([]);
      const cli = await runCli("whisperx", ["stream", ...MODEL_FLAGS, "--simulate", "realtime", CLIP]);
      expect(cli.code, cli.stderr).toBe(0);
      const cliText = cli.stdout
        .trim()
        .split("\n")
        .flatMap((l) => (JSON.parse(l) as { committed: { word: string }[] }).committed.map((w) => w.word))
        .join("");
      const wer = wordErrorRate([[cliText, committed]]).wer;
      expect(wer, `page: "${committed}"\nCLI: "${cliText}"`).toBeLessThanOrEqual(0.05);
      expect(cliText.trim().length).toBeGreaterThan(10);
    } finally {
      await browser.close();
    }
  }, 300_000);
});
