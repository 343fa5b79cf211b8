/**
 * Fetches `@frost-beta/mlx`'s prebuilt binary for this host from the package's own GitHub
 * release (`mlx-<os>-<arch>.node.gz`, and on Apple Silicon `…metallib.gz`), checks it, and puts
 * it where it will be loaded. Each file is gunzipped while downloading (zlib checks the CRC and
 * length, so a truncated or corrupt download fails), written to a staging directory, loaded in a
 * child process that must report the expected device and compute 1 + 2, and only then renamed
 * into place. Nothing is left behind on failure.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { buildFiles, releaseTag, type Host } from "./native-binary.js";

/** The package's release downloads (override with WHISPERX_MLX_RELEASE_URL, e.g. a mirror). */
export const MLX_RELEASE_URL = "https://github.com/frost-beta/node-mlx/releases/download";

/** A build that could not be fetched or did not pass its checks; the message is one line. */
export class MlxBuildError extends Error {
  override name = "MlxBuildError";
}

/** What a loaded build reported in the child process. */
export interface BuildCheck {
  device: string;
  gpu: boolean;
}

/** Options of `fetchMlxBuild`. */
export interface FetchBuildOptions {
  host: Host;
  /** The `@frost-beta/mlx` version whose release assets to fetch. */
  version: string;
  /** Where the build goes (the package's `build/Release`, or the cache). */
  destDir: string;
  /** Release base URL (default: WHISPERX_MLX_RELEASE_URL or the GitHub release). */
  baseUrl?: string;
  /** Require a GPU device (default: on Apple Silicon). */
  requireGpu?: boolean;
  onLog?: (message: string) => void;
}

/** The release URL of one asset of a host's build. */
export function assetUrl(baseUrl: string, version: string, tag: string, file: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/v${version}/mlx-${tag}.${file.slice("mlx.".length)}.gz`;
}

async function downloadGunzipped(url: string, dest: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: "follow" });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new MlxBuildError(`cannot reach ${url} (${cause?.code ?? cause?.message ?? (e as Error).message}); connect to the internet once, or set WHISPERX_MLX_RELEASE_URL to a mirror`);
  }
  if (!response.ok || !response.body) throw new MlxBuildError(`${url}: HTTP ${response.status}`);
  try {
    await pipeline(Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>), createGunzip(), createWriteStream(dest));
  } catch (e) {
    throw new MlxBuildError(`${url}: corrupt download (${(e as Error).message})`);
  }
}

/** Loads the build in `dir` in a child process; returns what it reports, or why it failed. */
export function checkBuild(dir: string): BuildCheck {
  const script = [
    "const c = require(process.argv[1]);",
    "const d = c.defaultDevice();",
    "const sum = c.add(c.array([1]), c.array([2])).item();",
    "if (sum !== 3) throw new Error('1 + 2 = ' + sum);",
    "process.stdout.write(JSON.stringify({ device: String(d), gpu: d.type === c.gpu && c.metal.isAvailable() }));",
  ].join("\n");
  const r = spawnSync(process.execPath, ["-e", script, join(dir, "mlx.node")], { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || `exit ${r.status ?? r.signal}`).trim().split("\n").find((l) => /Error|error/.test(l)) ?? `exit ${r.status ?? r.signal}`;
    throw new MlxBuildError(`the fetched MLX build does not load (${why.trim()})`);
  }
  try {
    return JSON.parse(r.stdout) as BuildCheck;
  } catch {
    throw new MlxBuildError(`the fetched MLX build printed no device (${r.stdout.slice(0, 80)})`);
  }
}

/** Downloads, checks and places the host's build into `destDir`; returns the check's report. */
export async function fetchMlxBuild(options: FetchBuildOptions): Promise<BuildCheck> {
  const tag = releaseTag(options.host);
  if (!tag) throw new MlxBuildError(`@frost-beta/mlx has no build for ${options.host.platform}-${options.host.arch}`);
  const baseUrl = options.baseUrl ?? process.env.WHISPERX_MLX_RELEASE_URL ?? MLX_RELEASE_URL;
  const files = buildFiles(options.host);
  const staging = join(options.destDir, `.staging-${process.pid}-${Date.now()}`);
  mkdirSync(staging, { recursive: true });
  try {
    for (const f of files) {
      const url = assetUrl(baseUrl, options.version, tag, f);
      options.onLog?.(`downloading ${url}`);
      await downloadGunzipped(url, join(staging, f));
    }
    const check = checkBuild(staging);
    if ((options.requireGpu ?? tag === "mac-arm64") && !check.gpu) throw new MlxBuildError(`the fetched MLX build reports no GPU device (${check.device})`);
    for (const f of files) renameSync(join(staging, f), join(options.destDir, f));
    options.onLog?.(`MLX ${options.version} (${tag}, ${check.device}) installed in ${options.destDir}`);
    return check;
  } finally {
    if (existsSync(staging)) rmSync(staging, { recursive: true, force: true });
  }
}
