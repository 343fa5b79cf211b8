/**
 * A local HTTP server that speaks the parts of the Hugging Face Hub API that model downloads use
 * (model info by revision, the file tree, `resolve` with ranges, the error headers), serving
 * repos from local directories; and plain files for torchaudio's checkpoint URL.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

interface ServedFile {
  path: string;
  data: Buffer;
  oid: string;
  lfs?: { oid: string; size: number; pointerSize: number };
}

interface ServedRepo {
  commit: string;
  files: ServedFile[];
}

/** A running server: its address, the requests it saw (and their Authorization headers), and how to stop it. */
export interface HubServer {
  url: string;
  requests: string[];
  authorizations: (string | undefined)[];
  close(): Promise<void>;
}

/** Every file under `dir`, as repo paths (`segmentation/pytorch_model.bin`). */
function repoPaths(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix)).flatMap((f) => {
    const path = prefix ? `${prefix}/${f}` : f;
    return statSync(join(dir, path)).isDirectory() ? repoPaths(dir, path) : [path];
  });
}

function loadRepo(id: string, dir: string): ServedRepo {
  const files = repoPaths(dir)
    .sort()
    .map((path) => {
      const data = readFileSync(join(dir, path));
      const gitOid = createHash("sha1").update(`blob ${data.length}\0`).update(data).digest("hex");
      // Large files are LFS objects on the Hub: their etag is the content's SHA-256.
      const lfs = data.length > 1_000_000 ? { oid: createHash("sha256").update(data).digest("hex"), size: data.length, pointerSize: 134 } : undefined;
      return { path, data, oid: gitOid, lfs };
    });
  const commit = createHash("sha1").update(id).update(files.map((f) => f.oid).join()).digest("hex");
  return { commit, files };
}

/**
 * Starts the server. `repos` maps repo ids to directories; `torchaudio` maps file names to local
 * files (served under /torchaudio/); requests for the files in `truncate` send half the bytes
 * and then drop the connection.
 */
export async function startHubServer(repos: Record<string, string>, options: { torchaudio?: Record<string, string>; truncate?: string[] } = {}): Promise<HubServer> {
  const served = new Map(Object.entries(repos).map(([id, dir]) => [id, loadRepo(id, dir)]));
  const requests: string[] = [];
  const authorizations: (string | undefined)[] = [];
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "Content-Type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
  const notFound = (res: ServerResponse, code: "RepoNotFound" | "EntryNotFound" | "RevisionNotFound") => json(res, 404, { error: code }, { "X-Error-Code": code });
  const sendBytes = (req: IncomingMessage, res: ServerResponse, data: Buffer, headers: Record<string, string>, truncate: boolean) => {
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
    const start = range ? Number(range[1]) : 0;
    const end = range && range[2] ? Math.min(Number(range[2]), data.length - 1) : data.length - 1;
    const body = data.subarray(start, end + 1);
    res.writeHead(range ? 206 : 200, { "Content-Type": "application/octet-stream", "Accept-Ranges": "bytes", "Content-Length": String(body.length), ...(range ? { "Content-Range": `bytes ${start}-${end}/${data.length}` } : {}), ...headers });
    if (truncate && body.length > 1) {
      res.write(body.subarray(0, body.length >> 1), () => res.socket?.destroy());
      return;
    }
    res.end(body);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    requests.push(`${req.method} ${url.pathname}`);
    authorizations.push(req.headers.authorization);
    const path = decodeURIComponent(url.pathname);
    let m = /^\/torchaudio\/(.+)$/.exec(path);
    if (m) {
      const file = options.torchaudio?.[m[1]];
      if (!file) return json(res, 404, { error: "not found" });
      return sendBytes(req, res, readFileSync(file), {}, options.truncate?.includes(m[1]) ?? false);
    }
    m = /^\/api\/models\/([^/]+\/[^/]+)\/(revision|tree)\/([^/]+)(\/.*)?$/.exec(path);
    if (m) {
      const repo = served.get(m[1]);
      if (!repo) return notFound(res, "RepoNotFound");
      if (m[3] !== "main" && m[3] !== "HEAD" && m[3] !== repo.commit) return notFound(res, "RevisionNotFound");
      if (m[2] === "revision") {
        return json(res, 200, { _id: m[1], id: m[1], sha: repo.commit, private: false, downloads: 0, likes: 0, lastModified: "2026-11-24T00:00:00.000Z", siblings: repo.files.map((f) => ({ rfilename: f.path })) });
      }
      return json(res, 200, repo.files.map((f) => ({ type: "file", path: f.path, size: f.data.length, oid: f.oid, ...(f.lfs ? { lfs: f.lfs } : {}) })));
    }
    m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    if (m) {
      const repo = served.get(m[1]);
      if (!repo) return notFound(res, "RepoNotFound");
      const file = repo.files.find((f) => f.path === m?.[3]);
      if (!file) return notFound(res, "EntryNotFound");
      const etag = file.lfs?.oid ?? file.oid;
      return sendBytes(req, res, file.data, { ETag: `"${etag}"`, "X-Repo-Commit": repo.commit }, options.truncate?.includes(`${m[1]}/${m[3]}`) ?? false);
    }
    json(res, 404, { error: "not found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    authorizations,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
