import { deflateSync } from "node:zlib";

/** `len(text_bytes) / len(zlib.compress(text_bytes))`, as openai-whisper computes it. */
export function compressionRatio(text: string): number {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length === 0) return 0;
  return bytes.length / deflateSync(bytes).length;
}
