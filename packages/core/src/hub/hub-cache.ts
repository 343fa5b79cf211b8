/**
 * Model files from the Hugging Face Hub, in the Hub's own cache layout
 * (`<cache>/models--org--name/{blobs,snapshots/<commit>,refs/<revision>}`, as huggingface_hub
 * and WhisperX use it), so a model downloaded by either is found by the other. The Hub API calls
 * go through `@huggingface/hub`; the environment variables are huggingface_hub's.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, relative } from "node:path";
import { writeFileAtomic } from "../util/atomic-write.js";
import { causeText, streamToFile } from "./stream-to-file.js";

/** A model that cannot be fetched or found in the cache; the message is one line naming it. */
export class HubError extends Error {}

/** Where and how to reach the Hub. */
export interface HubOptions {
  /** The Hub's address (`HF_ENDPOINT`, default https://huggingface.co). */
  hubUrl: string;
  /** The Hub cache (`HF_HUB_CACHE`, else `$HF_HOME/hub`, else ~/.cache/huggingface/hub). */
  cacheDir: string;
  /** An access token for gated or private repos (`HF_TOKEN`). */
  token?: string;
  /** Use only the cache, never the network (`HF_HUB_OFFLINE=1`). */
  offline: boolean;
}

/** Hub options from huggingface_hub's environment variables. */
export function hubOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): HubOptions {
  const home = env.HF_HOME ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "huggingface");
  const truthy = (v?: string) => v !== undefined && ["1", "true", "yes", "on"].includes(v.toLowerCase());
  return {
    hubUrl: (env.HF_ENDPOINT ?? "https://huggingface.co").replace(/\/+$/, ""),
    cacheDir: env.HF_HUB_CACHE ?? env.HUGGINGFACE_HUB_CACHE ?? join(home, "hub"),
    token: env.HF_TOKEN ?? env.HUGGING_FACE_HUB_TOKEN,
    offline: truthy(env.HF_HUB_OFFLINE),
  };
}

/** A file of a repo as the Hub lists it. */
export interface HubFile {
  path: string;
  size: number;
}

/** What `downloadRepoFiles` did. */
export interface HubSnapshot {
  /** The snapshot directory holding the chosen files. */
  dir: string;
  /** The commit the files come from. */
  commit: string;
  /** The files, relative to `dir`. */
  files: string[];
}

const repoFolder = (cacheDir: string, repo: string) => join(cacheDir, `models--${repo.split("/").join("--")}`);

/** Files below `dir` as paths relative to it. */
function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (existsSync(p)) out.push(relative(dir, p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** The cached snapshot of `repo` at `revision` (a commit, or a ref recorded by an earlier download). */
export function cachedSnapshot(repo: string, revision: string, cacheDir: string): { dir: string; commit: string } | undefined {
  const folder = repoFolder(cacheDir, repo);
  const ref = join(folder, "refs", revision);
  const commit = /^[0-9a-f]{40}$/.test(revision) ? revision : existsSync(ref) ? readFileSync(ref, "utf8").trim() : undefined;
  if (!commit) return undefined;
  const dir = join(folder, "snapshots", commit);
  return existsSync(dir) ? { dir, commit } : undefined;
}

/**
 * Downloads the files of a model repo that `pick` chooses from its file list (a list of paths
 * to fetch; an empty list is an error naming the repo's files), unless the cache has them.
 * Each file goes through `streamToFile` into `blobs/<etag>`. Offline, or when the Hub cannot be
 * reached, a cached snapshot with every chosen file is used.
 */
export async function downloadRepoFiles(repo: string, pick: (files: HubFile[]) => string[], options: Partial<HubOptions> & { revision?: string; onProgress?: (message: string) => void } = {}): Promise<HubSnapshot> {
  const o = { ...hubOptionsFromEnv(), ...options };
  const revision = options.revision ?? "main";
  const fromCache = (why: string): HubSnapshot => {
    const snap = cachedSnapshot(repo, revision, o.cacheDir);
    if (!snap) throw new HubError(`${repo}: ${why}, and the Hub cache ${o.cacheDir} has no copy of it`);
    const present = listTree(snap.dir);
    const files = pick(present.map((path) => ({ path, size: statSync(join(snap.dir, path)).size })));
    const missing = files.filter((f) => !present.includes(f));
    if (files.length === 0 || missing.length) throw new HubError(`${repo}: ${why}, and the cached snapshot ${snap.commit.slice(0, 8)} lacks ${missing.join(", ") || "usable files"}`);
    return { ...snap, files };
  };
  if (o.offline) return fromCache("offline (cache only)");
  // Loaded here, not at startup: it costs ~90 ms and most runs use local models.
  const { downloadFile, listFiles, modelInfo } = await import("@huggingface/hub");

  const credentials = o.token ? { accessToken: o.token } : {};
  let commit: string;
  try {
    const info = await modelInfo({ name: repo, revision, hubUrl: o.hubUrl, additionalFields: ["sha"], ...credentials });
    commit = info.sha;
  } catch (e) {
    const status = (e as { statusCode?: number }).statusCode;
    if (status === 401 || status === 403 || status === 404) throw new HubError(`${repo}: not found on ${o.hubUrl} (HTTP ${status}; private or gated repos need a token: --hf_token or HF_TOKEN)`);
    return fromCache(`cannot reach ${o.hubUrl} (${causeText(e)})`);
  }
  if (!/^[0-9a-f]{40}$/.test(commit ?? "")) throw new HubError(`${repo}: the Hub at ${o.hubUrl} gave no commit for revision '${revision}'`);

  const listed: (HubFile & { etag: string })[] = [];
  for await (const entry of listFiles({ repo, revision: commit, recursive: true, hubUrl: o.hubUrl, ...credentials })) {
    const etag = entry.lfs?.oid ?? entry.oid;
    if (entry.type === "file" && etag) listed.push({ path: entry.path, size: entry.lfs?.size ?? entry.size, etag });
  }
  const files = pick(listed);
  if (files.length === 0) throw new HubError(`${repo}: no usable files in the repo (it has ${listed.map((f) => f.path).join(", ") || "no files"})`);

  const folder = repoFolder(o.cacheDir, repo);
  const snapshot = join(folder, "snapshots", commit);
  for (const path of files) {
    const entry = listed.find((f) => f.path === path);
    if (!entry) throw new HubError(`${repo}: no file '${path}' at ${commit.slice(0, 8)}`);
    if (path.split("/").some((p) => p === ".." || p === "") || path.startsWith("/")) throw new HubError(`${repo}: refusing file path '${path}'`);
    const pointer = join(snapshot, path);
    if (existsSync(pointer)) continue;
    const blob = join(folder, "blobs", entry.etag);
    if (!existsSync(blob)) {
      o.onProgress?.(`downloading ${repo}/${path} (${(entry.size / 1e6).toFixed(1)} MB)`);
      try {
        const data = await downloadFile({ repo, path, revision: commit, hubUrl: o.hubUrl, ...credentials });
        if (!data) throw new Error("no such file");
        await streamToFile(data.stream(), blob, entry.size);
      } catch (e) {
        throw new HubError(`${repo}/${path}: download failed (${causeText(e)})`);
      }
    }
    mkdirSync(dirname(pointer), { recursive: true });
    // Relative links, as huggingface_hub makes them, so the cache can move.
    symlinkSync(relative(dirname(pointer), blob), pointer);
  }
  mkdirSync(join(folder, "refs"), { recursive: true });
  if (revision !== commit) writeFileAtomic(join(folder, "refs", revision), commit);
  return { dir: snapshot, commit, files };
}
