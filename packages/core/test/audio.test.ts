import { spawn, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, truncateSync, writeFileSync, writeSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { audioRange, AudioLoadError, decodeWav, loadAudio, loadPcm16, openAudio, openAudioSamples, Pcm16Audio, toFloat32Array, WavFileAudio } from "../src/index.js";
import { SHARED, SYNTH } from "./shared.js";

const tmp = mkdtempSync(join(tmpdir(), "audio-test-"));

function wav(samples: number[], opts: { rate?: number; channels?: number; bits?: 16 | 24 | 32; float?: boolean } = {}): Buffer {
  const { rate = 16000, channels = 1, bits = 16, float = false } = opts;
  const bps = bits / 8;
  const data = Buffer.alloc(samples.length * bps);
  samples.forEach((v, i) => {
    if (float) data.writeFloatLE(v, i * 4);
    else if (bits === 16) data.writeInt16LE(Math.round(v * 32767), i * 2);
    else if (bits === 24) data.writeIntLE(Math.round(v * 8388607), i * 3, 3);
    else data.writeInt32LE(Math.round(v * 2147483647), i * 4);
  });
  const h = Buffer.alloc(44);
  h.write("RIFF", 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write("WAVE", 8);
  h.write("fmt ", 12);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(float ? 3 : 1, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * channels * bps, 28);
  h.writeUInt16LE(channels * bps, 32);
  h.writeUInt16LE(bits, 34);
  h.write("data", 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

const CORE_DIST = fileURLToPath(new URL("../dist/index.js", import.meta.url));

/** What WhisperX's load_audio gives: ffmpeg's s16le output / 32768 (async: the test's own HTTP server must keep serving). */
async function ffmpegReference(input: string, stdin?: Buffer): Promise<Float32Array> {
  const proc = spawn("ffmpeg", ["-nostdin", "-threads", "0", "-i", input, "-f", "s16le", "-ac", "1", "-acodec", "pcm_s16le", "-ar", "16000", "-"], { stdio: ["pipe", "pipe", "ignore"] });
  proc.stdin.end(stdin);
  const out: Buffer[] = [];
  for await (const d of proc.stdout) out.push(d as Buffer);
  const bytes = Buffer.concat(out);
  const pcm = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1);
  return Float32Array.from(pcm, (v) => v / 32768);
}

describe("WAV decoding", () => {
  it("decodes 16-bit PCM exactly as int16 / 32768", () => {
    const raw = readFileSync(`${SYNTH}/audio/eval_003.wav`);
    const { sampleRate, channels } = decodeWav(raw);
    expect(sampleRate).toBe(16000);
    expect(channels.length).toBe(1);
    const pcm = new Int16Array(raw.buffer.slice(raw.byteOffset + 44, raw.byteOffset + raw.length));
    for (let i = 0; i < pcm.length; i += 97) expect(channels[0][i]).toBe(pcm[i] / 32768);
  });
  it("decodes 24-bit, 32-bit float and stereo; loadAudio gives exactly WhisperX's ffmpeg output for them", async () => {
    const s = [0, 0.5, -0.5, 0.25];
    expect(Array.from(decodeWav(wav(s, { bits: 24 })).channels[0]).map((v) => +v.toFixed(4))).toEqual(s);
    expect(Array.from(decodeWav(wav(s, { bits: 32, float: true })).channels[0])).toEqual(s);
    const f = join(tmp, "stereo.wav");
    writeFileSync(f, wav([0.5, 0.25, -0.5, -0.25], { channels: 2 }));
    const mono = await loadAudio(f);
    expect(mono.length).toBe(2);
    expect(mono[0]).toBeCloseTo(0.375, 3);
    // Only 16-bit mono 16 kHz is read directly; anything else is ffmpeg's int16, as in WhisperX.
    expect(Array.from(mono)).toEqual(Array.from(await ffmpegReference(f)));
  });

  it("reads RF64 and streaming-writer WAVs (data size 0xffffffff) like the plain file", async () => {
    const plain = `${SYNTH}/audio/eval_003.wav`;
    const expected = await loadAudio(plain);
    const rf64 = join(tmp, "rf64.wav");
    const r = spawnSync("ffmpeg", ["-nostdin", "-y", "-loglevel", "error", "-i", plain, "-c:a", "pcm_s16le", "-rf64", "always", rf64]);
    expect(r.status, String(r.stderr)).toBe(0);
    expect(readFileSync(rf64).toString("latin1", 0, 4)).toBe("RF64");
    expect(await loadAudio(rf64)).toEqual(expected);
    const streamed = Buffer.from(readFileSync(plain));
    streamed.writeUInt32LE(0xffffffff, 40);
    streamed.writeUInt32LE(0xffffffff, 4);
    writeFileSync(join(tmp, "streamed.wav"), streamed);
    expect(await loadAudio(join(tmp, "streamed.wav"))).toEqual(expected);
  });
  it("decodes other formats and rates through ffmpeg (as WhisperX)", async () => {
    const mp3 = await loadAudio(`${SHARED}/fixtures/audio/misc/jfk.mp3`);
    expect(mp3.length / 16000).toBeGreaterThan(10.5);
    expect(mp3.length / 16000).toBeLessThan(11.5);
    const flac = await loadAudio(`${SHARED}/fixtures/audio/misc/jfk-44k-stereo.flac`);
    expect(Math.abs(flac.length - mp3.length)).toBeLessThan(2000);
  });
  it("loadPcm16 and openAudioSamples keep loadAudio's samples (a WAV read in place, ffmpeg's output as 16-bit PCM), read back by range", async () => {
    const inputs = [`${SYNTH}/audio/eval_003.wav`, `${SHARED}/fixtures/audio/misc/jfk.mp3`, `${SYNTH}/audio/longform_000.wav`];
    expect(await openAudioSamples(inputs[0])).toBeInstanceOf(WavFileAudio);
    expect(await openAudioSamples(inputs[1])).toBeInstanceOf(Pcm16Audio);
    for (const f of inputs) {
      const float = await loadAudio(f);
      const opened = await openAudioSamples(f);
      expect(toFloat32Array(opened)).toEqual(float);
      // In and out of the cached block, across its end, and longer than a block.
      for (const [b, e] of [[0, 512], [512, 1024], [1_048_000, 1_049_000], [1_000_000, 2_500_000], [-10, float.length + 5], [7, 3]]) expect(opened.subarray(b, e)).toEqual(float.subarray(b, e));
      const pcm = new Pcm16Audio(await loadPcm16(f));
      expect(pcm.length).toBe(float.length);
      expect(toFloat32Array(pcm)).toEqual(float);
      expect(pcm.subarray(1000, 1100)).toEqual(float.subarray(1000, 1100));
      expect(audioRange(pcm, 500, 20000).subarray(100, 200)).toEqual(float.subarray(600, 700));
      expect(pcm.subarray(float.length - 5, float.length + 100).length).toBe(5);
    }
  });
  it("streams a 2.5 GiB WAV (sparse) with peak RSS under 300 MiB", () => {
    const big = join(tmp, "big.wav");
    const dataBytes = 2.5 * 2 ** 30;
    const header = wav([]);
    header.writeUInt32LE(36 + dataBytes, 4);
    header.writeUInt32LE(dataBytes, 40);
    const fd = openSync(big, "w");
    writeSync(fd, header);
    closeSync(fd);
    truncateSync(big, 44 + dataBytes);
    // A fresh process, so the peak RSS is this read's alone (its own VmHWM: getrusage's maxrss
    // would carry the forking test worker's high-water mark across exec).
    const script = `import { openAudio } from ${JSON.stringify(CORE_DIST)}; import { readFileSync } from "node:fs";
      let n = 0; for await (const b of openAudio(${JSON.stringify(big)})) n += b.length;
      const hwm = Number(/VmHWM:\\s+(\\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))[1]);
      console.log(JSON.stringify({ n, maxRssMiB: hwm / 1024 }));`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const { n, maxRssMiB } = JSON.parse(r.stdout) as { n: number; maxRssMiB: number };
    console.log(`2.5 GiB WAV: ${n} samples streamed, peak RSS ${maxRssMiB.toFixed(0)} MiB`);
    expect(n).toBe(dataBytes / 2);
    expect(maxRssMiB).toBeLessThan(300);
  }, 120_000);

  it("gives one-line errors naming the file", async () => {
    await expect(loadAudio(join(tmp, "missing.wav"))).rejects.toThrow(/missing\.wav: no such file/);
    const bad = join(tmp, "bad.wav");
    writeFileSync(bad, Buffer.from("RIFF\x00\x00\x00\x00WAVEjunkjunk"));
    await expect(loadAudio(bad)).rejects.toThrow(AudioLoadError);
    await expect(loadAudio(bad)).rejects.toThrow(/bad\.wav: invalid WAV: no fmt chunk/);
    const notAudio = join(tmp, "notes.txt");
    writeFileSync(notAudio, "this is not audio at all");
    await expect(loadAudio(notAudio)).rejects.toThrow(/notes\.txt: cannot decode audio/);
  });
});

describe("URLs and stdin go to ffmpeg, as in WhisperX", () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const files: Record<string, string> = { "/clip.mp3": `${SHARED}/fixtures/audio/misc/jfk.mp3`, "/clip.wav": `${SYNTH}/audio/eval_003.wav` };
      const file = files[req.url ?? ""];
      if (!file) return res.writeHead(404).end();
      res.writeHead(200, { "content-type": "application/octet-stream" }).end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterAll(() => server.close());

  it("an http URL decodes to what WhisperX's ffmpeg call gives (a WAV: the file's samples)", async () => {
    expect(await loadAudio(`${base}/clip.wav`)).toEqual(await loadAudio(`${SYNTH}/audio/eval_003.wav`));
    // Over a pipe or HTTP, ffmpeg does not trim the MP3's encoder padding as it does for a file.
    expect(await loadAudio(`${base}/clip.mp3`)).toEqual(await ffmpegReference(`${base}/clip.mp3`));
  });

  it("a missing URL is a one-line error naming it", async () => {
    await expect(loadAudio(`${base}/nothing.wav`)).rejects.toThrow(new RegExp(`^${base}/nothing\\.wav: cannot decode audio \\(ffmpeg: .*404`));
  });

  it("'-' reads stdin", async () => {
    const file = `${SHARED}/fixtures/audio/misc/jfk.mp3`;
    const script = `import { loadAudio } from ${JSON.stringify(CORE_DIST)};
      const a = await loadAudio("-"); let s = 0; for (const v of a) s += v; console.log(JSON.stringify({ n: a.length, s }));`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { input: readFileSync(file), encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const ref = await ffmpegReference("-", readFileSync(file));
    let sum = 0;
    for (const v of ref) sum += v;
    expect(JSON.parse(r.stdout)).toEqual({ n: ref.length, s: sum });
  });

  it("openAudio streams ffmpeg's output block by block", async () => {
    let n = 0;
    let blocks = 0;
    for await (const b of openAudio(`${base}/clip.mp3`)) {
      n += b.length;
      blocks++;
    }
    expect(blocks).toBeGreaterThan(1);
    expect(n).toBe((await loadAudio(`${base}/clip.mp3`)).length);
  });
});
