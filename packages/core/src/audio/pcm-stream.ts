/**
 * Raw PCM bytes (a pipe, a socket) → 16 kHz float32 blocks: `s16le` or `f32le`, split anywhere.
 * A RIFF header at the start (`cat talk.wav | …`) is read and skipped; its format must be the
 * one declared.
 */
import { AudioLoadError } from "./audio-error.js";

/** Sample encodings of raw PCM input. */
export type PcmFormat = "s16le" | "f32le";

/** Float32 samples of one block of bytes (whole samples only). */
export function decodePcm(bytes: Uint8Array, format: PcmFormat): Float32Array {
  const copy = new Uint8Array(bytes); // aligned for the typed-array view
  if (format === "f32le") return new Float32Array(copy.buffer, 0, copy.length >> 2);
  const pcm = new Int16Array(copy.buffer, 0, copy.length >> 1);
  const out = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = pcm[i] / 32768;
  return out;
}

/** The byte length of a RIFF/WAVE header ending at its `data` chunk, or undefined if `head` needs more bytes. */
function wavHeaderLength(head: Buffer, name: string, format: PcmFormat): number | undefined {
  let pos = 12;
  while (pos + 8 <= head.length) {
    const id = head.toString("latin1", pos, pos + 4);
    const size = head.readUInt32LE(pos + 4);
    if (id === "fmt ") {
      if (pos + 8 + 16 > head.length) return undefined;
      const tag = head.readUInt16LE(pos + 8);
      const channels = head.readUInt16LE(pos + 10);
      const rate = head.readUInt32LE(pos + 12);
      const bits = head.readUInt16LE(pos + 22);
      const want = format === "s16le" ? { tag: 1, bits: 16 } : { tag: 3, bits: 32 };
      if (channels !== 1 || rate !== 16000 || bits !== want.bits || (tag !== want.tag && tag !== 0xfffe)) {
        throw new AudioLoadError(name, `WAV input must be 16 kHz mono ${format} (got ${rate} Hz, ${channels} channel(s), ${bits}-bit); convert it with ffmpeg -ac 1 -ar 16000`);
      }
    }
    if (id === "data") return pos + 8;
    pos += 8 + size + (size & 1);
  }
  if (head.length > 1 << 16) throw new AudioLoadError(name, "WAV header without a data chunk");
  return undefined;
}

/** Float32 blocks of a raw PCM byte stream (`name` is used in errors, e.g. "-" for stdin). */
export async function* pcmBlocks(bytes: AsyncIterable<Uint8Array>, format: PcmFormat, name = "-"): AsyncGenerator<Float32Array> {
  const width = format === "s16le" ? 2 : 4;
  let carry = Buffer.alloc(0);
  let headerChecked = false;
  for await (const piece of bytes) {
    let data = carry.length ? Buffer.concat([carry, piece]) : Buffer.from(piece.buffer, piece.byteOffset, piece.length);
    if (!headerChecked) {
      if (data.length < 12) {
        carry = Buffer.from(data);
        continue;
      }
      if (data.toString("latin1", 0, 4) === "RIFF" && data.toString("latin1", 8, 12) === "WAVE") {
        const skip = wavHeaderLength(data, name, format);
        if (skip === undefined) {
          carry = Buffer.from(data);
          continue;
        }
        data = data.subarray(skip);
      }
      headerChecked = true;
    }
    const whole = data.length - (data.length % width);
    if (whole) yield decodePcm(data.subarray(0, whole), format);
    carry = Buffer.from(data.subarray(whole));
  }
  if (!headerChecked && carry.length) yield decodePcm(carry.subarray(0, carry.length - (carry.length % width)), format);
}
