/**
 * Random access into zip archives (NumPy `.npz`, PyTorch checkpoints) of any size: the central
 * directory is read (ZIP64 included) and each entry is read on its own from its offset, so a
 * 3 GB archive never has to fit in one buffer. Stored and deflated entries; every size and offset
 * is checked against the file before use.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { inflateRawSync } from "node:zlib";
import { ConvertError } from "../errors.js";

/** One file of an archive. */
export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflated. */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** A zip archive open for reading entries one at a time. Close it when done. */
export class ZipArchive {
  readonly entries: ZipEntry[];
  private readonly fd: number;
  private readonly size: number;

  constructor(readonly file: string) {
    try {
      this.fd = openSync(file, "r");
    } catch (e) {
      throw new ConvertError(file, `cannot open (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    try {
      this.size = fstatSync(this.fd).size;
      this.entries = this.readCentralDirectory();
    } catch (e) {
      closeSync(this.fd);
      throw e;
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  /** The entry called `name`, if any. */
  entry(name: string): ZipEntry | undefined {
    return this.entries.find((e) => e.name === name);
  }

  /** An entry's uncompressed bytes. */
  read(entry: ZipEntry): Buffer {
    const local = this.bytes(entry.localHeaderOffset, 30);
    if (local.readUInt32LE(0) !== LOCAL) throw this.error(`entry '${entry.name}': bad local header`);
    const start = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    const raw = this.bytes(start, entry.compressedSize);
    if (entry.method === 0) {
      if (entry.size !== entry.compressedSize) throw this.error(`entry '${entry.name}': stored with two sizes`);
      return raw;
    }
    if (entry.method !== 8) throw this.error(`entry '${entry.name}': compression method ${entry.method} is not supported`);
    let out: Buffer;
    try {
      out = inflateRawSync(raw, { maxOutputLength: entry.size });
    } catch (e) {
      throw this.error(`entry '${entry.name}': corrupt deflate data (${(e as Error).message})`);
    }
    if (out.length !== entry.size) throw this.error(`entry '${entry.name}': inflated to ${out.length} bytes, expected ${entry.size}`);
    return out;
  }

  private error(problem: string): ConvertError {
    return new ConvertError(this.file, problem);
  }

  /** `length` bytes at `position`, all inside the file. */
  private bytes(position: number, length: number): Buffer {
    if (!Number.isSafeInteger(position) || !Number.isSafeInteger(length) || position < 0 || length < 0 || position + length > this.size) {
      throw this.error(`truncated or corrupt zip (${length} bytes at ${position} of ${this.size})`);
    }
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, buf, done, Math.min(length - done, 1 << 30), position + done);
      if (n === 0) throw this.error("unexpected end of file");
      done += n;
    }
    return buf;
  }

  private readCentralDirectory(): ZipEntry[] {
    // The end-of-central-directory record is in the last 64 KiB + 22 bytes (its comment ≤ 64 KiB).
    const tailLength = Math.min(this.size, 65557);
    const tail = this.bytes(this.size - tailLength, tailLength);
    let at = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD) {
        at = i;
        break;
      }
    }
    if (at < 0) throw this.error("not a zip archive (no end of central directory)");
    let count = tail.readUInt16LE(at + 10);
    let cdSize = tail.readUInt32LE(at + 12);
    let cdOffset = tail.readUInt32LE(at + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const eocdPosition = this.size - tailLength + at;
      const locator = this.bytes(eocdPosition - 20, 20);
      if (locator.readUInt32LE(0) !== ZIP64_LOCATOR) throw this.error("ZIP64 sizes without a ZIP64 locator");
      const record = this.bytes(Number(locator.readBigUInt64LE(8)), 56);
      if (record.readUInt32LE(0) !== ZIP64_EOCD) throw this.error("bad ZIP64 end of central directory");
      count = Number(record.readBigUInt64LE(32));
      cdSize = Number(record.readBigUInt64LE(40));
      cdOffset = Number(record.readBigUInt64LE(48));
    }
    const cd = this.bytes(cdOffset, cdSize);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL) throw this.error(`corrupt central directory at entry ${i}`);
      const nameLength = cd.readUInt16LE(p + 28);
      const extraLength = cd.readUInt16LE(p + 30);
      const commentLength = cd.readUInt16LE(p + 32);
      if (p + 46 + nameLength + extraLength + commentLength > cd.length) throw this.error(`corrupt central directory at entry ${i}`);
      const entry: ZipEntry = {
        name: cd.toString("utf8", p + 46, p + 46 + nameLength),
        method: cd.readUInt16LE(p + 10),
        compressedSize: cd.readUInt32LE(p + 20),
        size: cd.readUInt32LE(p + 24),
        localHeaderOffset: cd.readUInt32LE(p + 42),
      };
      this.applyZip64Extra(entry, cd.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength));
      if (entry.localHeaderOffset + entry.compressedSize > this.size) throw this.error(`entry '${entry.name}' lies beyond the end of the file`);
      entries.push(entry);
      p += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  }

  /** ZIP64 extra field (0x0001): the 64-bit values of the fields saturated at 0xffffffff, in order. */
  private applyZip64Extra(entry: ZipEntry, extra: Buffer): void {
    for (let q = 0; q + 4 <= extra.length; ) {
      const id = extra.readUInt16LE(q);
      const length = extra.readUInt16LE(q + 2);
      if (id === 0x0001) {
        let r = q + 4;
        const next = () => {
          if (r + 8 > q + 4 + length) throw this.error(`entry '${entry.name}': short ZIP64 field`);
          const v = Number(extra.readBigUInt64LE(r));
          r += 8;
          return v;
        };
        if (entry.size === 0xffffffff) entry.size = next();
        if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
        if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next();
      }
      q += 4 + length;
    }
  }
}
