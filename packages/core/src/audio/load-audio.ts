/**
 * Audio input as WhisperX reads it: 16 kHz mono, 16-bit precision. A 16 kHz 16-bit mono WAV is
 * read in TypeScript (bit-identical to ffmpeg's output for it); everything else, including URLs
 * and `-` (stdin), is decoded by the `ffmpeg` CLI with WhisperX's arguments. Both stream: a file
 * is never read whole, so its size does not matter, only the audio kept.
 */
import { spawn } from "node:child_process";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { AudioLoadError, openAudioFile } from "./audio-error.js";
import { Pcm16Audio, type AudioSamples } from "./audio-samples.js";
import { SAMPLE_RATE } from "./constants.js";
import { WavFileAudio } from "./wav-file-audio.js";
import { checkWavEncoding, isWav, parseWavHeader, WavFormatError, type WavHeader } from "./wav.js";

export { AudioLoadError };

/** Samples per block a stream yields from a WAV file (4 MiB of int16). */
const WAV_BLOCK_SAMPLES = 1 << 21;

/** True for inputs ffmpeg opens itself: `-` (stdin) and URLs (`http://`, `https://`, …). */
export function isStreamInput(input: string): boolean {
  return input === "-" || /^[a-z][a-z0-9+.-]*:\/\//i.test(input);
}

/** 16 kHz mono float32 audio, block by block. */
export interface AudioStream extends AsyncIterable<Float32Array> {
  /** Total samples, when known before decoding (WAV read directly). */
  readonly length?: number;
}

/**
 * Opens an audio input for streaming: a path, a URL or `-`. Errors about the input itself (no
 * such file, a directory, an empty or malformed WAV) are thrown here; decoding errors are
 * thrown while iterating.
 */
export function openAudio(input: string, sampleRate = SAMPLE_RATE): AudioStream {
  const pcm = openPcm16(input, sampleRate);
  return {
    length: pcm.length,
    async *[Symbol.asyncIterator]() {
      for await (const block of pcm) yield new Pcm16Audio(block).subarray(0);
    },
  };
}

/** 16 kHz mono 16-bit PCM, block by block: a WAV read directly, or ffmpeg's output. */
function openPcm16(input: string, sampleRate: number): AsyncIterable<Int16Array> & { readonly length?: number } {
  if (!isStreamInput(input)) {
    const wav = directWav(input, sampleRate);
    if (wav) return wav;
  }
  return {
    async *[Symbol.asyncIterator]() {
      for await (const piece of ffmpegPcm(input, sampleRate)) yield new Int16Array(piece.buffer, piece.byteOffset, piece.length >> 1);
    },
  };
}

/** Loads a whole input as 16 kHz mono float32 (WhisperX's `load_audio`). */
export async function loadAudio(input: string, sampleRate = SAMPLE_RATE): Promise<Float32Array> {
  const blocks = openPcm16(input, sampleRate);
  if (blocks.length !== undefined) {
    // The length is known: fill one array, no second copy.
    const out = new Float32Array(blocks.length);
    let n = 0;
    for await (const block of blocks) {
      for (let i = 0; i < block.length; i++) out[n + i] = block[i] / 32768;
      n += block.length;
    }
    return out;
  }
  return new Pcm16Audio(await loadPcm16(input, sampleRate)).subarray(0);
}

/**
 * An input's samples as the pipeline keeps them: a 16 kHz 16-bit mono WAV is read in place
 * (`WavFileAudio`, nothing loaded); anything else is decoded by ffmpeg into memory as 16-bit PCM
 * (`Pcm16Audio`). Both read exactly the samples `loadAudio` returns.
 */
export async function openAudioSamples(input: string, sampleRate = SAMPLE_RATE): Promise<AudioSamples> {
  if (!isStreamInput(input)) {
    const wav = directWav(input, sampleRate);
    if (wav) return new WavFileAudio({ file: input, dataOffset: wav.dataOffset, length: wav.length });
  }
  return new Pcm16Audio(await loadPcm16(input, sampleRate));
}

/**
 * Loads a whole input as 16 kHz mono 16-bit PCM: `loadAudio`'s samples times 32768, in half the
 * memory. The pipeline keeps decoded files this way (`Pcm16Audio`).
 */
export async function loadPcm16(input: string, sampleRate = SAMPLE_RATE): Promise<Int16Array> {
  const blocks = openPcm16(input, sampleRate);
  if (blocks.length !== undefined) {
    const out = new Int16Array(blocks.length);
    let n = 0;
    for await (const block of blocks) {
      out.set(block, n);
      n += block.length;
    }
    return out;
  }
  // ffmpeg's pieces are kept as they come and joined once.
  const pieces: Int16Array[] = [];
  let samples = 0;
  for await (const piece of blocks) {
    pieces.push(piece);
    samples += piece.length;
  }
  const out = new Int16Array(samples);
  let n = 0;
  for (const piece of pieces) {
    out.set(piece, n);
    n += piece.length;
  }
  return out;
}

/**
 * A WAV file ffmpeg would pass through unchanged (16-bit mono PCM at the target rate), read
 * directly; undefined for anything else. Throws for missing, unreadable or malformed files.
 */
function directWav(file: string, sampleRate: number): (AsyncIterable<Int16Array> & { length: number; dataOffset: number }) | undefined {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AudioLoadError(file, code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : `cannot read (${code ?? String(e)})`);
  }
  let header: WavHeader | undefined;
  try {
    header = directWavHeader(file, fd, sampleRate);
  } finally {
    closeSync(fd);
  }
  if (!header) return undefined;
  const { dataOffset, dataBytes } = header;
  const length = Math.floor(dataBytes / 2);
  return {
    length,
    dataOffset,
    async *[Symbol.asyncIterator]() {
      const buf = Buffer.alloc(WAV_BLOCK_SAMPLES * 2);
      const fd = openAudioFile(file);
      try {
        for (let done = 0; done < length; ) {
          const want = Math.min(WAV_BLOCK_SAMPLES, length - done);
          const got = readSync(fd, buf, 0, want * 2, dataOffset + done * 2) >> 1;
          if (got === 0) break;
          done += got;
          // A copy: the read buffer is reused for the next block.
          yield new Int16Array(buf.buffer, buf.byteOffset, got).slice();
        }
      } finally {
        closeSync(fd);
      }
    },
  };
}

/** The header of a WAV file to read directly, or undefined when ffmpeg must decode the file. */
function directWavHeader(file: string, fd: number, sampleRate: number): WavHeader | undefined {
  const stat = fstatSync(fd);
  if (stat.isDirectory()) throw new AudioLoadError(file, "is a directory");
  if (stat.size === 0) throw new AudioLoadError(file, "empty file");
  const read = (position: number, length: number) => {
    const buf = Buffer.alloc(length);
    return buf.subarray(0, readSync(fd, buf, 0, length, position));
  };
  if (!isWav(read(0, 12))) return undefined;
  let header: WavHeader;
  try {
    header = parseWavHeader(read, stat.size);
    checkWavEncoding(header);
  } catch (e) {
    if (e instanceof WavFormatError) throw new AudioLoadError(file, `invalid WAV: ${e.message}`);
    throw e;
  }
  const passThrough = header.format === 1 && header.bitsPerSample === 16 && header.channels === 1 && header.sampleRate === sampleRate;
  return passThrough ? header : undefined;
}

/**
 * Runs `ffmpeg` as WhisperX does (`-nostdin -threads 0 -i <input> -f s16le -ac 1 -acodec
 * pcm_s16le -ar 16000 -`) and yields its int16 output in whole samples. `-` reads this
 * process's stdin. Stopping early kills ffmpeg.
 */
export async function* ffmpegPcm(input: string, sampleRate = SAMPLE_RATE): AsyncGenerator<Buffer> {
  const args = ["-nostdin", "-threads", "0", "-i", input, "-f", "s16le", "-ac", "1", "-acodec", "pcm_s16le", "-ar", String(sampleRate), "-"];
  const proc = spawn("ffmpeg", args, { stdio: [input === "-" ? "inherit" : "ignore", "pipe", "pipe"] });
  let stderr = "";
  proc.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const exit = new Promise<number | null>((resolve, reject) => {
    proc.on("error", (e: NodeJS.ErrnoException) =>
      reject(new AudioLoadError(input, e.code === "ENOENT" ? "ffmpeg is not installed (apt-get install ffmpeg); only 16 kHz 16-bit mono WAV is read without it" : `ffmpeg failed (${e.message})`)),
    );
    proc.on("close", (code) => resolve(code));
  });
  exit.catch(() => undefined); // observed below; avoids an unhandled rejection while streaming
  let carry: Buffer | undefined;
  let finished = false;
  try {
    for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
      let data = carry ? Buffer.concat([carry, chunk]) : chunk;
      carry = undefined;
      if (data.length & 1) {
        carry = data.subarray(data.length - 1);
        data = data.subarray(0, data.length - 1);
      }
      // A copy aligned for Int16Array views (pipe chunks may start at odd offsets).
      if (data.length) yield Buffer.from(data);
    }
    const code = await exit;
    finished = true;
    if (code !== 0) {
      const last = stderr.trim().split("\n").pop() ?? "";
      throw new AudioLoadError(input, `cannot decode audio (ffmpeg: ${last})`);
    }
  } finally {
    if (!finished) proc.kill("SIGKILL");
  }
}
