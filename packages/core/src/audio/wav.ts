/**
 * RIFF/WAVE and RF64 parsing. The header is walked chunk by chunk through a reader, so a file of
 * any size is parsed without reading its samples; `decodeWav` decodes a whole in-memory file.
 */

/** A decoded PCM/float WAV file. */
export interface WavData {
  sampleRate: number;
  channels: Float32Array[];
}

/** Where a WAV file's samples are and how they are encoded. */
export interface WavHeader {
  /** 1 = integer PCM, 3 = IEEE float (WAVE_FORMAT_EXTENSIBLE resolved to its subformat). */
  format: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** Byte offset of the first sample. */
  dataOffset: number;
  /** Bytes of sample data; a streaming writer's 0 or 0xffffffff means "to the end of the file". */
  dataBytes: number;
}

/** Thrown for malformed WAV data; the message says what is wrong. */
export class WavFormatError extends Error {}

/** Reads `length` bytes at `position` (fewer at the end of the file). */
export type ByteReader = (position: number, length: number) => Uint8Array;

const tag = (b: Uint8Array, o = 0) => String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3]);

/** True when the first 12 bytes are a RIFF or RF64 WAVE header. */
export function isWav(head: Uint8Array): boolean {
  return head.length >= 12 && (tag(head) === "RIFF" || tag(head) === "RF64") && tag(head, 8) === "WAVE";
}

/**
 * Walks the chunks of a WAV file of `fileSize` bytes up to its data chunk. RF64 files take the
 * data size from their `ds64` chunk (files over 4 GiB).
 */
export function parseWavHeader(read: ByteReader, fileSize: number): WavHeader {
  const head = read(0, 12);
  if (!isWav(head)) throw new WavFormatError("not a RIFF/WAVE file");
  const rf64 = tag(head) === "RF64";
  let ds64DataBytes: number | undefined;
  let fmt: Omit<WavHeader, "dataOffset" | "dataBytes"> | undefined;
  let pos = 12;
  while (pos + 8 <= fileSize) {
    const h = read(pos, 8);
    const dv = new DataView(h.buffer, h.byteOffset, 8);
    const id = tag(h);
    const size = dv.getUint32(4, true);
    const body = pos + 8;
    if (id === "ds64" && rf64) {
      const b = read(body, 16);
      if (b.length < 16) throw new WavFormatError("truncated ds64 chunk");
      ds64DataBytes = Number(new DataView(b.buffer, b.byteOffset, 16).getBigUint64(8, true));
    } else if (id === "fmt ") {
      const b = read(body, Math.min(size, 40));
      if (size < 16 || b.length < 16) throw new WavFormatError("truncated fmt chunk");
      const f = new DataView(b.buffer, b.byteOffset, b.length);
      let format = f.getUint16(0, true);
      if (format === 0xfffe && b.length >= 26) format = f.getUint16(24, true);
      fmt = { format, channels: f.getUint16(2, true), sampleRate: f.getUint32(4, true), bitsPerSample: f.getUint16(14, true) };
    } else if (id === "data") {
      if (!fmt) throw new WavFormatError("data chunk before fmt chunk");
      const declared = rf64 && size === 0xffffffff && ds64DataBytes !== undefined ? ds64DataBytes : size;
      const toEnd = fileSize - body;
      // A streaming writer may leave 0 or 0xffffffff: take what is there.
      const dataBytes = declared === 0 || declared === 0xffffffff || declared > toEnd ? toEnd : declared;
      return { ...fmt, dataOffset: body, dataBytes };
    }
    pos = body + size + (size & 1);
  }
  throw new WavFormatError(fmt ? "no data chunk" : "no fmt chunk");
}

/** Throws unless the header describes samples this module can decode. */
export function checkWavEncoding(h: WavHeader): void {
  if (h.channels < 1 || h.sampleRate < 1) throw new WavFormatError(`invalid header (${h.channels} channels, ${h.sampleRate} Hz)`);
  const { format, bitsPerSample: bits } = h;
  if (!((format === 1 && [8, 16, 24, 32].includes(bits)) || (format === 3 && (bits === 32 || bits === 64)))) {
    throw new WavFormatError(`unsupported WAV encoding (format ${format}, ${bits} bits)`);
  }
}

/**
 * Decodes interleaved samples into one Float32Array per channel. Integer PCM is scaled as
 * `int / 2^(bits-1)`, which for 16-bit is exactly WhisperX's `int16 / 32768`.
 */
export function decodeWavSamples(data: Uint8Array, h: WavHeader): Float32Array[] {
  const { format, channels: nch, bitsPerSample: bits } = h;
  const bps = bits / 8;
  const frames = Math.floor(data.length / (bps * nch));
  const ddv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const channels = Array.from({ length: nch }, () => new Float32Array(frames));
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < nch; c++) {
      const o = (i * nch + c) * bps;
      let v: number;
      if (format === 3) v = bits === 32 ? ddv.getFloat32(o, true) : ddv.getFloat64(o, true);
      else if (bits === 16) v = ddv.getInt16(o, true) / 32768;
      else if (bits === 8) v = (data[o] - 128) / 128;
      else if (bits === 24) v = (((data[o + 2] << 24) | (data[o + 1] << 16) | (data[o] << 8)) >> 8) / 8388608;
      else v = ddv.getInt32(o, true) / 2147483648;
      channels[c][i] = v;
    }
  }
  return channels;
}

/**
 * Decodes an in-memory RIFF/WAVE or RF64 file: integer PCM (8/16/24/32-bit), IEEE float
 * (32/64-bit) and WAVE_FORMAT_EXTENSIBLE with those subformats.
 */
export function decodeWav(buf: Uint8Array): WavData {
  const h = parseWavHeader((p, n) => buf.subarray(p, p + n), buf.length);
  checkWavEncoding(h);
  return { sampleRate: h.sampleRate, channels: decodeWavSamples(buf.subarray(h.dataOffset, h.dataOffset + h.dataBytes), h) };
}
