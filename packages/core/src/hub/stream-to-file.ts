/**
 * Writing a download into a cache: the bytes stream to `<dest>.incomplete`, are checked against
 * the expected length, and are renamed into place only when complete, so an interrupted download
 * never looks finished; on failure the partial file is removed and the error rethrown.
 */
import { createWriteStream, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";

/** Streams `body` into `dest` (checked against `size` when given). */
export async function streamToFile(body: ReadableStream<Uint8Array>, dest: string, size?: number): Promise<void> {
  const partial = `${dest}.incomplete`;
  try {
    mkdirSync(dirname(dest), { recursive: true });
    await pipeline(Readable.fromWeb(body as WebReadableStream<Uint8Array>), createWriteStream(partial));
    const got = statSync(partial).size;
    if (size !== undefined && Number.isFinite(size) && got !== size) throw new Error(`got ${got} bytes of ${size}`);
    renameSync(partial, dest);
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  }
}

/** The first line of an error's cause (fetch wraps network errors) or message. */
export function causeText(e: unknown): string {
  const err = e as Error & { cause?: Error };
  return (err.cause?.message ?? err.message ?? String(e)).split("\n")[0];
}
