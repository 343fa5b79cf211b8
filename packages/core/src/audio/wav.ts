/** A decoded PCM/float WAV file. */
export interface WavData {
  sampleRate: number;
  channels: Float32Array[];
}

/** Thrown for malformed WAV data; the message says what is wrong. */
export class WavFormatError extends Error {}

/**
 * Decodes RIFF/WAVE: integer PCM (8/16/24/32-bit), IEEE float (32/64-bit) and
 * WAVE_FORMAT_EXTENSIBLE with those subformats. Integer PCM is scaled as `int / 2^(bits-1)`,
 * which for 16-bit is exactly WhisperX's `int16 / 32768`.
 */
export function decodeWav(buf: Uint8Array): WavData {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const tag = (o: number) => String.fromCharCode(buf[o], buf[o + 1], buf[o + 2], buf[o + 3]);
  if (buf.length < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE") throw new WavFormatError("not a RIFF/WAVE file");
  let pos = 12;
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  let data: Uint8Array | undefined;
  while (pos + 8 <= buf.length) {
    const id = tag(pos);
    const size = dv.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === "fmt ") {
      if (size < 16 || body + 16 > buf.length) throw new WavFormatError("truncated fmt chunk");
      let format = dv.getUint16(body, true);
      const channels = dv.getUint16(body + 2, true);
      const rate = dv.getUint32(body + 4, true);
      const bits = dv.getUint16(body + 14, true);
      if (format === 0xfffe && size >= 40) format = dv.getUint16(body + 24, true);
      fmt = { format, channels, rate, bits };
    } else if (id === "data") {
      // A streaming writer may leave size 0 or 0xffffffff: take what is there.
      const end = size === 0 || size === 0xffffffff || body + size > buf.length ? buf.length : body + size;
      data = buf.subarray(body, end);
      if (fmt) break;
    }
    pos = body + size + (size & 1);
  }
  if (!fmt) throw new WavFormatError("no fmt chunk");
  if (!data) throw new WavFormatError("no data chunk");
  const { format, channels: nch, rate, bits } = fmt;
  if (nch < 1 || rate < 1) throw new WavFormatError(`invalid header (${nch} channels, ${rate} Hz)`);
  const bps = bits / 8;
  if (!((format === 1 && [8, 16, 24, 32].includes(bits)) || (format === 3 && (bits === 32 || bits === 64)))) {
    throw new WavFormatError(`unsupported WAV encoding (format ${format}, ${bits} bits)`);
  }
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
  return { sampleRate: rate, channels };
}
