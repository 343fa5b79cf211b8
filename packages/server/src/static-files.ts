/** The browser page's files (`web/`), served read-only by name. */
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";

const WEB = new URL("../web/", import.meta.url);
const FILES: Record<string, string> = {
  "/": "index.html",
  "/index.html": "index.html",
  "/app.js": "app.js",
  "/capture-worklet.js": "capture-worklet.js",
};
const TYPES: Record<string, string> = { html: "text/html; charset=utf-8", js: "text/javascript; charset=utf-8" };

export async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const name = FILES[new URL(req.url ?? "/", "http://x").pathname];
  if (!name || (req.method !== "GET" && req.method !== "HEAD")) {
    res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    return;
  }
  const body = await readFile(new URL(name, WEB));
  res.writeHead(200, { "content-type": TYPES[name.split(".").pop() ?? ""] ?? "application/octet-stream", "cache-control": "no-cache" }).end(req.method === "HEAD" ? undefined : body);
}
