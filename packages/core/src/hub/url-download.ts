/** One file from a plain URL into a cache path (torchaudio's checkpoints, into torch's cache). */
import { existsSync } from "node:fs";
import { HubError } from "./hub-cache.js";
import { causeText, streamToFile } from "./stream-to-file.js";

/** Downloads `url` to `dest` unless `dest` exists; returns `dest`. */
export async function downloadUrl(url: string, dest: string, options: { onProgress?: (message: string) => void; offline?: boolean } = {}): Promise<string> {
  if (existsSync(dest)) return dest;
  if (options.offline) throw new HubError(`offline, and ${dest} is not downloaded yet`);
  try {
    const res = await fetch(url);
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
    const size = Number(res.headers.get("content-length") ?? Number.NaN);
    options.onProgress?.(`downloading ${url}${Number.isFinite(size) ? ` (${(size / 1e6).toFixed(1)} MB)` : ""}`);
    await streamToFile(res.body, dest, size);
  } catch (e) {
    throw new HubError(`${url}: download failed (${causeText(e)})`);
  }
  return dest;
}
