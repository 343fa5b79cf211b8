import { deflate } from "pako";

/**
 * `len(text_bytes) / len(zlib.compress(text_bytes))`, as openai-whisper computes it. pako is a
 * faithful port of reference zlib, so its byte count equals Python's; Node's bundled zlib picks
 * different block types and can differ by a byte, which would shift fallback decisions.
 */
export function compressionRatio(text: string): number {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length === 0) return 0;
  return bytes.length / deflate(bytes).length;
}
