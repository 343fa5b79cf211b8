/**
 * Loading `@frost-beta/mlx` safely and the MLX memory discipline.
 *
 * - On Linux the prebuilt binding links `libblas.so.3` and `liblapack.so.3`; a missing library
 *   would kill the process inside `dlopen` with a long loader message, so we check first and fail
 *   with one line that says what to install.
 * - MLX frees buffers only when V8 collects their JS wrappers, so long loops must collect garbage
 *   on a cadence (`collectGarbage`).
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type * as mlxTypes from "./mlx-binding.js";
import { checkBuild, fetchMlxBuild, MlxBuildError } from "./metal-build.js";
import { hasBuild, isAppleSilicon, mlxCacheDir, mlxPackage, releaseTag, type Host } from "./native-binary.js";

export type MlxCore = typeof mlxTypes.core;

/** Thrown when the MLX runtime cannot be loaded on this machine. */
export class MlxRuntimeError extends Error {}

const LIB_DIRS = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib", "/lib", "/usr/local/lib", "/usr/lib64", "/lib64"];

/** Where the dynamic loader would look: LD_LIBRARY_PATH, the usual dirs, and ld.so.cache. */
export interface LibrarySearch {
  dirs: string[];
  ldCache?: string;
}

function defaultSearch(): LibrarySearch {
  const extra = (process.env.LD_LIBRARY_PATH ?? "").split(":").filter(Boolean);
  return { dirs: [...extra, ...LIB_DIRS], ldCache: "/etc/ld.so.cache" };
}

function sharedLibraryPresent(name: string, search: LibrarySearch): boolean {
  if (search.dirs.some((d) => existsSync(`${d}/${name}`))) return true;
  if (!search.ldCache) return false;
  try {
    return readFileSync(search.ldCache).includes(Buffer.from(name));
  } catch {
    return false;
  }
}

/** The shared libraries the prebuilt Linux binding links (from Debian's OpenBLAS and LAPACK). */
export const MLX_LINUX_LIBRARIES = ["libblas.so.3", "liblapack.so.3"];

/** Checks the shared libraries MLX needs on Linux; returns the missing ones. */
export function missingMlxLibraries(search: LibrarySearch = defaultSearch(), libraries = MLX_LINUX_LIBRARIES): string[] {
  if (process.platform !== "linux") return [];
  return libraries.filter((l) => !sharedLibraryPresent(l, search));
}

let mlx: MlxCore | undefined;
let loadedFrom: string | undefined;

const HOST: Host = { platform: process.platform, arch: process.arch };

/** A build of MLX this host can load: the package's own `build/Release`, or one fetched into the cache. */
function locateBuild(host: Host): string | undefined {
  const pkg = mlxPackage();
  if (!pkg) return undefined;
  return [join(pkg.dir, "build", "Release"), mlxCacheDir(pkg.version)].find((d) => hasBuild(d, host));
}

/** Loads a native build from a directory other than the package's, giving it the helpers the package's entry point adds. */
function loadBuildFrom(dir: string): MlxCore {
  const require = createRequire(import.meta.url);
  const core = require(join(dir, "mlx.node")) as MlxCore;
  const mutable = core as unknown as Record<string, unknown>;
  mutable.Complex = (re: number, im?: number) => ({ re, im: im ?? 0 });
  // The package's `stream` helper binds to its own copy of the module, so this one gets its own.
  mutable.stream = (s: Parameters<MlxCore["toStream"]>[0]) => {
    const old = core.defaultStream(core.defaultDevice());
    const target = core.toStream(s);
    core.setDefaultDevice(target.device);
    core.setDefaultStream(target);
    return {
      [Symbol.dispose]() {
        core.setDefaultDevice(old.device);
        core.setDefaultStream(old);
      },
    };
  };
  return core;
}

/**
 * Loads MLX once: after checking its shared libraries (Linux), from the build this host can use
 * (`prepareMlx` fetches one when there is none).
 */
export function loadMlx(): MlxCore {
  if (mlx) return mlx;
  const missing = missingMlxLibraries();
  if (missing.length) {
    throw new MlxRuntimeError(`MLX cannot start: missing ${missing.join(", ")}; install them with: apt-get install -y libopenblas0-pthread liblapack3`);
  }
  const pkg = mlxPackage();
  if (!pkg) throw new MlxRuntimeError("MLX cannot start: @frost-beta/mlx is not installed (npm install --ignore-scripts @frost-beta/mlx@0.0.7)");
  const dir = locateBuild(HOST);
  if (!dir) {
    throw new MlxRuntimeError(
      releaseTag(HOST)
        ? `MLX cannot start: no ${releaseTag(HOST)} build of @frost-beta/mlx ${pkg.version} here yet; run once with network access (whisperx --backend mlx fetches it), or set WHISPERX_MLX_RELEASE_URL to a mirror`
        : `MLX cannot start: @frost-beta/mlx has no build for ${HOST.platform}-${HOST.arch}; use --backend onnx`,
    );
  }
  const require = createRequire(import.meta.url);
  try {
    mlx = dir === join(pkg.dir, "build", "Release") ? (require("@frost-beta/mlx") as typeof mlxTypes).core : loadBuildFrom(dir);
  } catch (e) {
    throw new MlxRuntimeError(`MLX cannot start: ${(e as Error).message.split("\n")[0]}`);
  }
  loadedFrom = dir;
  if (!hasCompiler()) mlx.disableCompile();
  return mlx;
}

/** Whether MLX can run here, and on what; or why not and what to do. */
export type MlxAvailability = { ok: true; device: string; buildDir: string } | { ok: false; reason: string };

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Apple Silicon builds are loaded once in a child process before this process trusts them; the result is remembered beside them. */
function checkedOnce(dir: string): void {
  const marker = join(dir, "mlx.checked.json");
  const st = statSync(join(dir, "mlx.node"));
  const stamp = JSON.stringify({ size: st.size, mtimeMs: st.mtimeMs });
  if (existsSync(marker) && readFileSync(marker, "utf8") === stamp) return;
  const check = checkBuild(dir);
  if (!check.gpu) throw new MlxBuildError(`the MLX build in ${dir} reports no GPU device (${check.device})`);
  if (writable(dir)) writeFileSync(marker, stamp);
}

/**
 * Makes MLX ready: on Apple Silicon, fetches the Metal build when the package holds another one
 * (into the package when writable, else the cache), checks it in a child process, and loads it.
 * Never throws: the answer says why MLX cannot run.
 */
export async function prepareMlx(options: { onLog?: (message: string) => void } = {}): Promise<MlxAvailability> {
  if (mlx && loadedFrom) return { ok: true, device: String(mlx.defaultDevice()), buildDir: loadedFrom };
  const pkg = mlxPackage();
  if (!pkg) return { ok: false, reason: "@frost-beta/mlx is not installed" };
  try {
    if (!locateBuild(HOST) && releaseTag(HOST)) {
      const packageDir = join(pkg.dir, "build", "Release");
      const destDir = writable(packageDir) ? packageDir : mlxCacheDir(pkg.version);
      mkdirSync(destDir, { recursive: true });
      await fetchMlxBuild({ host: HOST, version: pkg.version, destDir, onLog: options.onLog });
    }
    const dir = locateBuild(HOST);
    if (dir && isAppleSilicon(HOST)) checkedOnce(dir);
    const core = loadMlx();
    return { ok: true, device: String(core.defaultDevice()), buildDir: loadedFrom as string };
  } catch (e) {
    return { ok: false, reason: (e as Error).message.replace(/^MLX cannot start: /, "") };
  }
}

function hasCompiler(): boolean {
  // mx.compile shells out to g++ on the CPU backend; without it the process aborts.
  const dirs = (process.env.PATH ?? "/usr/bin").split(":");
  return dirs.some((d) => existsSync(`${d}/g++`));
}

let gcFn: (() => void) | undefined;

/** Returns V8's `gc`, enabling it at run time when node was started without --expose-gc. */
function getGc(): () => void {
  if (gcFn) return gcFn;
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return (gcFn = g);
  setFlagsFromString("--expose-gc");
  gcFn = runInNewContext("gc") as () => void;
  return gcFn;
}

/**
 * Collects garbage and lets the event loop turn so Node-API finalizers run and MLX buffers are
 * released. Call it between forwards and every few decode steps.
 */
export async function collectGarbage(): Promise<void> {
  getGc()();
  await new Promise<void>((r) => setImmediate(r));
}

/** The installed `@frost-beta/mlx` version, for reports. */
export function mlxPackageVersion(): string {
  return mlxPackage()?.version ?? "unknown";
}
