import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { SAMPLE_RATE } from "./constants.js";
import { decodeWav, WavFormatError } from "./wav.js";

/** An audio file that could not be read or decoded. */
export class AudioLoadError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = "AudioLoadError";
  }
}

/**
 * Runs `ffmpeg` as WhisperX does (`-f s16le -ac 1 -ar 16000`) and scales int16 by 1/32768.
 */
export function loadAudioWithFfmpeg(file: string, sampleRate = SAMPLE_RATE): Promise<Float32Array> {
  return new Promise((resolve, reject) => {
    const args = ["-nostdin", "-threads", "0", "-i", file, "-f", "s16le", "-ac", "1", "-acodec", "pcm_s16le", "-ar", String(sampleRate), "-"];
    let proc;
    try {
      proc = spawn("ffmpeg", args, { stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      reject(new AudioLoadError(file, `cannot run ffmpeg (${(e as Error).message})`));
      return;
    }
    const out: Buffer[] = [];
    let err = "";
    proc.stdout.on("data", (d: Buffer) => out.push(d));
    proc.stderr.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    proc.on("error", (e: NodeJS.ErrnoException) =>
      reject(new AudioLoadError(file, e.code === "ENOENT" ? "ffmpeg is not installed (apt-get install ffmpeg); only WAV is decoded without it" : `ffmpeg failed (${e.message})`)),
    );
    proc.on("close", (code) => {
      if (code !== 0) {
        const last = err.trim().split("\n").pop() ?? "";
        reject(new AudioLoadError(file, `cannot decode audio (ffmpeg: ${last})`));
        return;
      }
      const buf = Buffer.concat(out);
      const n = buf.length >> 1;
      const pcm = new Float32Array(n);
      for (let i = 0; i < n; i++) pcm[i] = buf.readInt16LE(i * 2) / 32768;
      resolve(pcm);
    });
  });
}

/**
 * Loads audio as 16 kHz mono float32. 16 kHz WAV is decoded in TypeScript (bit-identical to
 * WhisperX for 16-bit mono); anything else goes through the `ffmpeg` CLI, as WhisperX does.
 */
export async function loadAudio(file: string, sampleRate = SAMPLE_RATE): Promise<Float32Array> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AudioLoadError(file, code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : `cannot read (${code ?? String(e)})`);
  }
  if (buf.length === 0) throw new AudioLoadError(file, "empty file");
  const isWav = buf.length >= 12 && buf.toString("latin1", 0, 4) === "RIFF" && buf.toString("latin1", 8, 12) === "WAVE";
  if (isWav) {
    let wav;
    try {
      wav = decodeWav(buf);
    } catch (e) {
      if (e instanceof WavFormatError) throw new AudioLoadError(file, `invalid WAV: ${e.message}`);
      throw e;
    }
    if (wav.sampleRate === sampleRate) {
      if (wav.channels.length === 1) return wav.channels[0];
      const n = wav.channels[0].length;
      const mono = new Float32Array(n);
      for (const ch of wav.channels) for (let i = 0; i < n; i++) mono[i] += ch[i] / wav.channels.length;
      return mono;
    }
  }
  return loadAudioWithFfmpeg(file, sampleRate);
}
