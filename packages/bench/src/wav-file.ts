/** 16-bit mono 16 kHz WAV files for the workloads (the format the fixtures and peers read). */
import { closeSync, openSync, writeSync } from "node:fs";

/** The 44-byte header of a 16-bit mono 16 kHz WAV holding `samples` samples. */
export function wavHeader(samples: number): Buffer {
  const header = Buffer.alloc(44);
  header.write("RIFF", 0);
  header.writeUInt32LE(36 + samples * 2, 4);
  header.write("WAVEfmt ", 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(16000, 24);
  header.writeUInt32LE(32000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36);
  header.writeUInt32LE(samples * 2, 40);
  return header;
}

/** Float samples in [-1, 1] as 16-bit PCM (rounded, clipped). */
export function toPcm16(audio: Float32Array): Buffer {
  const pcm = Buffer.alloc(audio.length * 2);
  audio.forEach((v, i) => pcm.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v * 32768))), i * 2));
  return pcm;
}

/** Writes `audio` (16 kHz) as a WAV file. */
export function writeWav(dest: string, audio: Float32Array): void {
  const fd = openSync(dest, "w");
  try {
    writeSync(fd, wavHeader(audio.length));
    writeSync(fd, toPcm16(audio));
  } finally {
    closeSync(fd);
  }
}
