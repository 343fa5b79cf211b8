import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AudioLoadError, decodeWav, loadAudio } from "../src/index.js";
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

describe("WAV decoding", () => {
  it("decodes 16-bit PCM exactly as int16 / 32768", () => {
    const raw = readFileSync(`${SYNTH}/audio/eval_003.wav`);
    const { sampleRate, channels } = decodeWav(raw);
    expect(sampleRate).toBe(16000);
    expect(channels.length).toBe(1);
    const pcm = new Int16Array(raw.buffer.slice(raw.byteOffset + 44, raw.byteOffset + raw.length));
    for (let i = 0; i < pcm.length; i += 97) expect(channels[0][i]).toBe(pcm[i] / 32768);
  });
  it("decodes 24-bit, 32-bit float and stereo (downmixed to mono at 16 kHz)", async () => {
    const s = [0, 0.5, -0.5, 0.25];
    expect(Array.from(decodeWav(wav(s, { bits: 24 })).channels[0]).map((v) => +v.toFixed(4))).toEqual(s);
    expect(Array.from(decodeWav(wav(s, { bits: 32, float: true })).channels[0])).toEqual(s);
    const f = join(tmp, "stereo.wav");
    writeFileSync(f, wav([0.5, 0.25, -0.5, -0.25], { channels: 2 }));
    const mono = await loadAudio(f);
    expect(mono.length).toBe(2);
    expect(mono[0]).toBeCloseTo(0.375, 3);
  });
  it("decodes other formats and rates through ffmpeg (as WhisperX)", async () => {
    const mp3 = await loadAudio(`${SHARED}/fixtures/audio/misc/jfk.mp3`);
    expect(mp3.length / 16000).toBeGreaterThan(10.5);
    expect(mp3.length / 16000).toBeLessThan(11.5);
    const flac = await loadAudio(`${SHARED}/fixtures/audio/misc/jfk-44k-stereo.flac`);
    expect(Math.abs(flac.length - mp3.length)).toBeLessThan(2000);
  });
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
