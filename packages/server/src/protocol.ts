/**
 * The WebSocket protocol. Client → server: one JSON `config` text message, binary audio frames
 * (16 kHz mono, `format`), then `{"type":"end"}` (or an empty binary frame). Server → client:
 * `ready`, `update` per pass, `final` at the end, `done`, or `error` (then the socket closes).
 */
import type { PcmFormat, StreamUpdate } from "@whisperx-mlx/core";

/** The first message of a client. */
export interface StreamConfig {
  type: "config";
  /** Language code; default: the server's, else detected on the first pass. */
  language?: string;
  /** Must be 16000: the page resamples. */
  sampleRate: number;
  format: PcmFormat;
}

/** Messages the server sends. */
export type ServerMessage =
  | { type: "ready" }
  | ({ type: "update" | "final" } & StreamUpdate)
  | { type: "done" }
  | { type: "error"; message: string };

/** A config message checked field by field; throws with the reason. */
export function parseConfig(text: string): StreamConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error("the first message must be a JSON config");
  }
  if (typeof raw !== "object" || raw === null || (raw as { type?: unknown }).type !== "config") throw new Error('the first message must be {"type":"config",…}');
  const { language, sampleRate = 16000, format = "f32le" } = raw as { language?: unknown; sampleRate?: unknown; format?: unknown };
  if (language !== undefined && (typeof language !== "string" || !/^[a-z]{2,3}$/.test(language))) throw new Error(`config.language: expected a language code such as "en", got ${JSON.stringify(language)}`);
  if (sampleRate !== 16000) throw new Error(`config.sampleRate: only 16000 is accepted (got ${JSON.stringify(sampleRate)}); resample before sending`);
  if (format !== "f32le" && format !== "s16le") throw new Error(`config.format: expected "f32le" or "s16le", got ${JSON.stringify(format)}`);
  return { type: "config", ...(language !== undefined ? { language } : {}), sampleRate, format };
}
