/**
 * A 16 kHz 16-bit mono WAV read in place: samples come from the file range by range, so a long
 * recording costs no memory beyond the block being read (a 2-hour file held as int16 would be
 * 230 MB). Sequential reads (VAD's 512-sample windows) are served from one cached block.
 */
import { closeSync, readSync } from "node:fs";
import { AudioLoadError, openAudioFile } from "./audio-error.js";
import type { AudioSamples } from "./audio-samples.js";

/** Samples per cached block (2 MiB of int16). */
const BLOCK_SAMPLES = 1 << 20;

/** Where a WAV file's samples are: enough to reopen it in another thread. */
export interface WavSamplesLocation {
  file: string;
  /** Byte offset of the first sample. */
  dataOffset: number;
  /** Samples in the file. */
  length: number;
}

/** A WAV file's 16-bit samples, read on demand as float32 (x / 32768). */
export class WavFileAudio implements AudioSamples {
  private cacheStart = 0;
  private cache: Int16Array = new Int16Array(0);

  constructor(readonly location: WavSamplesLocation) {}

  get length(): number {
    return this.location.length;
  }

  subarray(begin: number, end: number = this.length): Float32Array {
    const n = this.length;
    // Int16Array.subarray's index rules: negative counts from the end, then clamp.
    const b = Math.min(n, begin < 0 ? Math.max(0, n + begin) : begin);
    const e = Math.max(b, Math.min(n, end < 0 ? Math.max(0, n + end) : end));
    let pcm: Int16Array;
    if (b >= this.cacheStart && e <= this.cacheStart + this.cache.length) pcm = this.cache.subarray(b - this.cacheStart, e - this.cacheStart);
    else if (e - b <= BLOCK_SAMPLES) {
      this.cacheStart = b;
      this.cache = this.read(b, Math.min(n, b + BLOCK_SAMPLES));
      pcm = this.cache.subarray(0, e - b);
    } else pcm = this.read(b, e);
    const out = new Float32Array(pcm.length);
    for (let i = 0; i < pcm.length; i++) out[i] = pcm[i] / 32768;
    return out;
  }

  private read(begin: number, end: number): Int16Array {
    const { file, dataOffset } = this.location;
    const buf = Buffer.alloc((end - begin) * 2);
    const fd = openAudioFile(file);
    try {
      let got = 0;
      while (got < buf.length) {
        const r = readSync(fd, buf, got, buf.length - got, dataOffset + begin * 2 + got);
        if (r === 0) throw new AudioLoadError(file, "the file became shorter while it was being transcribed");
        got += r;
      }
    } finally {
      closeSync(fd);
    }
    return new Int16Array(buf.buffer, buf.byteOffset, end - begin);
  }
}
