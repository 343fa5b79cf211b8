/**
 * Loading `@frost-beta/mlx` safely and the MLX memory discipline.
 *
 * - On Linux the prebuilt binding links `libblas.so.3` and `liblapack.so.3`; a missing library
 *   would kill the process inside `dlopen` with a long loader message, so we check first and fail
 *   with one line that says what to install.
 * - MLX frees buffers only when V8 collects their JS wrappers, so long loops must collect garbage
 *   on a cadence (`collectGarbage`).
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type * as mlxTypes from "@frost-beta/mlx";

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

/** Loads MLX once, after checking its shared libraries. */
export function loadMlx(): MlxCore {
  if (mlx) return mlx;
  const missing = missingMlxLibraries();
  if (missing.length) {
    throw new MlxRuntimeError(`MLX cannot start: missing ${missing.join(", ")}; install them with: apt-get install -y libopenblas0-pthread liblapack3`);
  }
  const require = createRequire(import.meta.url);
  try {
    mlx = (require("@frost-beta/mlx") as typeof mlxTypes).core;
  } catch (e) {
    throw new MlxRuntimeError(`MLX cannot start: ${(e as Error).message.split("\n")[0]}`);
  }
  if (!hasCompiler()) mlx.disableCompile();
  return mlx;
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
  try {
    const require = createRequire(import.meta.url);
    return (require("@frost-beta/mlx/package.json") as { version: string }).version;
  } catch {
    return "unknown";
  }
}
