/**
 * `whisperx serve`: one `node:http` server with the browser page and a WebSocket endpoint
 * (`/stream`, the `ws` package) where each client streams audio and receives updates. All
 * clients share one loaded model through a queue; a client that leaves frees its stream.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { decodePcm, transcribeStream, type OnlinePolicyOptions, type PcmFormat, type StreamModel, type VacOptions } from "@whisperx-mlx/core";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import { ModelQueue } from "./model-queue.js";
import { parseConfig, type ServerMessage } from "./protocol.js";
import { PushSource } from "./push-source.js";
import { serveStatic } from "./static-files.js";

/** Options of `createStreamServer`. */
export interface StreamServerOptions extends OnlinePolicyOptions {
  model: StreamModel;
  /** Language of clients that do not name one (default: detected per stream). */
  language?: string;
  /** Seconds of new audio a pass waits for (default 1). */
  minChunkSize?: number;
  /** The voice-activity controller for every client (each gets its own Silero state). */
  vac?: VacOptions;
  /** Largest accepted WebSocket message, bytes (default 1 MiB: ~16 s of float32 audio). */
  maxPayload?: number;
}

/** A running stream server. */
export interface StreamServer {
  readonly http: Server;
  /** Clients connected now. */
  readonly clients: number;
  /** Starts listening; resolves with the bound address (port 0 picks a free one). */
  listen(port: number, host?: string): Promise<AddressInfo>;
  close(): Promise<void>;
}

/** Audio a client may have waiting before its socket is paused (receive backpressure). */
const PAUSE_ABOVE_SECONDS = 30;
/** Socket buffer above which tentative-only updates are skipped (send backpressure). */
const SEND_BUFFER_LIMIT = 1 << 20;

export function createStreamServer(options: StreamServerOptions): StreamServer {
  const queue = new ModelQueue(options.model);
  const http = createServer((req, res) => serveStatic(req, res));
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload ?? 1 << 20 });
  http.on("upgrade", (req, socket, head) => {
    if (new URL(req.url ?? "/", "http://x").pathname !== "/stream") return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });
  wss.on("connection", (ws) => serveClient(ws, queue.queued, options));
  return {
    http,
    get clients() {
      return wss.clients.size;
    },
    listen: (port, host = "127.0.0.1") =>
      new Promise((resolve, reject) => {
        http.once("error", reject);
        http.listen(port, host, () => resolve(http.address() as AddressInfo));
      }),
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function bytesOf(data: RawData): Buffer {
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
}

/** One client's stream, from its config message to `done`. */
function serveClient(ws: WebSocket, model: StreamModel, options: StreamServerOptions): void {
  let source: PushSource | undefined;
  let format: PcmFormat = "f32le";
  let carry = Buffer.alloc(0);
  let closed = false;
  const send = (m: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  };
  const fail = (message: string) => {
    send({ type: "error", message });
    ws.close(1008, message.slice(0, 120));
  };
  // Protocol errors (a frame over maxPayload, bad framing): ws closes the socket with their code
  // (1009, 1002); the stream ends in the close handler.
  ws.on("error", () => undefined);
  ws.on("close", () => {
    closed = true;
    source?.end();
  });
  ws.on("message", (data, isBinary) => {
    if (!source) {
      if (isBinary) return fail('send {"type":"config",…} before audio');
      let config;
      try {
        config = parseConfig(bytesOf(data).toString("utf8"));
      } catch (e) {
        return fail((e as Error).message);
      }
      format = config.format;
      source = new PushSource();
      void run(source, config.language ?? options.language);
      return send({ type: "ready" });
    }
    if (!isBinary) {
      const text = bytesOf(data).toString("utf8");
      if (text.includes('"end"')) return source.end();
      return fail(`unexpected message ${text.slice(0, 60)}`);
    }
    const bytes = bytesOf(data);
    if (bytes.length === 0) return source.end();
    const all = carry.length ? Buffer.concat([carry, bytes]) : bytes;
    const width = format === "s16le" ? 2 : 4;
    const whole = all.length - (all.length % width);
    carry = Buffer.from(all.subarray(whole));
    if (whole) source.push(decodePcm(all.subarray(0, whole), format));
    if (source.pendingSamples > PAUSE_ABOVE_SECONDS * 16000) ws.pause();
  });

  async function run(audio: PushSource, language: string | undefined): Promise<void> {
    try {
      const stream = transcribeStream(audio, { ...options, model, ...(language !== undefined ? { language } : {}), clock: "wall" });
      for await (const u of stream) {
        if (closed) break;
        if (ws.isPaused && audio.pendingSamples < (PAUSE_ABOVE_SECONDS / 2) * 16000) ws.resume();
        // A slow reader misses tentative tails, never committed words.
        if (!u.final && !u.committed.length && ws.bufferedAmount > SEND_BUFFER_LIMIT) continue;
        send({ type: u.final ? "final" : "update", ...u });
      }
      if (!closed) {
        send({ type: "done" });
        ws.close(1000);
      }
    } catch (e) {
      if (!closed) fail(`transcription failed: ${(e as Error).message}`);
    }
  }
}
