/**
 * One file from a plain URL into a cache path (torch's checkpoint cache for torchaudio's
 * bundles): streamed to `<dest>.incomplete`, checked against Content-Length, then renamed.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { HubError } from "./hub-cache.js";

/** Downloads `url` to `dest` unless `dest` exists; returns `dest`. */
export async function downloadUrl(url: string, dest: string, options: { onProgress?: (message: string) => void; offline?: boolean } = {}): Promise<string> {
  if (existsSync(dest)) return dest;
  if (options.offline) throw new HubError(`offline, and ${dest} is not downloaded yet`);
  const partial = `${dest}.incomplete`;
  try {
    const res = await fetch(url);
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
    const size = Number(res.headers.get("content-length") ?? Number.NaN);
    options.onProgress?.(`downloading ${url}${Number.isFinite(size) ? ` (${(size / 1e6).toFixed(1)} MB)` : ""}`);
    mkdirSync(dirname(dest), { recursive: true });
    await pipeline(Readable.fromWeb(res.body as WebReadableStream), createWriteStream(partial));
    if (Number.isFinite(size) && statSync(partial).size !== size) throw new Error(`got ${statSync(partial).size} bytes of ${size}`);
    renameSync(partial, dest);
  } catch (e) {
    rmSync(partial, { force: true });
    const err = e as Error & { cause?: Error };
    throw new HubError(`${url}: download failed (${(err.cause?.message ?? err.message).split("\n")[0]})`);
  }
  return dest;
}
