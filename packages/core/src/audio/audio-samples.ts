/**
 * 16 kHz mono audio as the stages read it: range by range. A `Float32Array` is one; a decoded
 * file is kept as `Pcm16Audio`, half the memory (a 2-hour file: 230 MB instead of 460 MB) and
 * lossless, since WhisperX's `load_audio` decodes to 16-bit PCM before dividing by 32768.
 */

/** Samples read by range. Stages never write to what `subarray` returns. */
export interface AudioSamples {
  readonly length: number;
  /** Samples [begin, end) as float32 (a view of a Float32Array, a fresh array otherwise). */
  subarray(begin: number, end?: number): Float32Array;
}

/** Audio held as 16-bit PCM, converted to float32 (x / 32768) one range at a time. */
export class Pcm16Audio implements AudioSamples {
  constructor(readonly pcm: Int16Array) {}

  get length(): number {
    return this.pcm.length;
  }

  subarray(begin: number, end: number = this.pcm.length): Float32Array {
    const pcm = this.pcm.subarray(begin, end);
    const out = new Float32Array(pcm.length);
    for (let i = 0; i < pcm.length; i++) out[i] = pcm[i] / 32768;
    return out;
  }
}

/** The whole of `audio` as one Float32Array (no copy when it already is one). */
export function toFloat32Array(audio: AudioSamples): Float32Array {
  return audio instanceof Float32Array ? audio : audio.subarray(0, audio.length);
}

/** Samples [begin, end) of `audio` as a view: nothing is read or converted until asked for. */
export function audioRange(audio: AudioSamples, begin: number, end: number): AudioSamples {
  if (audio instanceof Float32Array) return audio.subarray(begin, end);
  const b = Math.max(0, Math.min(audio.length, begin));
  const length = Math.max(0, Math.min(audio.length, end) - b);
  return {
    length,
    subarray: (from: number, to: number = length) => audio.subarray(b + Math.max(0, Math.min(length, from)), b + Math.max(0, Math.min(length, to))),
  };
}
