/**
 * Which `mlx.node` this host can load. `@frost-beta/mlx`'s npm tarball ships only the linux-x64
 * CPU build in `build/Release/`; on Apple Silicon the Metal build (`mlx.node` + `mlx.metallib`
 * from the package's GitHub release) must be put there, or, when the package directory is not
 * writable, into our cache, from where `loadMlx` loads it.
 */
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

/** A host the project knows an MLX build for. */
export interface Host {
  platform: NodeJS.Platform;
  arch: string;
}

/** The release asset name of a host (`mlx-<os>-<arch>`, as the package's install script names them), or undefined. */
export function releaseTag(host: Host): string | undefined {
  if (host.platform === "darwin" && host.arch === "arm64") return "mac-arm64";
  if (host.platform === "linux" && host.arch === "x64") return "linux-x64";
  return undefined;
}

/** Apple Silicon: the only host where MLX has a GPU and where `auto` prefers MLX. */
export function isAppleSilicon(host: Host): boolean {
  return host.platform === "darwin" && host.arch === "arm64";
}

/** The first bytes of a shared library built for `host` (ELF x86-64, or Mach-O 64-bit arm64). */
function matchesHost(header: Buffer, host: Host): boolean {
  if (releaseTag(host) === "linux-x64") return header.length >= 20 && header.readUInt32BE(0) === 0x7f454c46 && header.readUInt16LE(18) === 62;
  if (releaseTag(host) === "mac-arm64") return header.length >= 8 && header.readUInt32LE(0) === 0xfeedfacf && header.readUInt32LE(4) === 0x0100000c;
  return false;
}

/** Whether `file` is a native module built for `host` (reads 20 bytes). */
export function binaryMatchesHost(file: string, host: Host): boolean {
  if (!existsSync(file)) return false;
  const fd = openSync(file, "r");
  try {
    const header = Buffer.alloc(20);
    const n = readSync(fd, header, 0, 20, 0);
    return matchesHost(header.subarray(0, n), host);
  } finally {
    closeSync(fd);
  }
}

/** The installed `@frost-beta/mlx`: its directory and version, or undefined when it is not installed. */
export function mlxPackage(): { dir: string; version: string } | undefined {
  const require = createRequire(import.meta.url);
  try {
    const manifest = require.resolve("@frost-beta/mlx/package.json");
    return { dir: dirname(manifest), version: (require(manifest) as { version: string }).version };
  } catch {
    return undefined;
  }
}

/** Where a fetched build is kept when the package directory is read-only. */
export function mlxCacheDir(version: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "whisperx-mlx", "mlx", version);
}

/** The files a build consists of on `host`: the module, and on Apple Silicon its Metal library beside it. */
export function buildFiles(host: Host): string[] {
  return isAppleSilicon(host) ? ["mlx.node", "mlx.metallib"] : ["mlx.node"];
}

/** A directory holds a complete build for `host`. */
export function hasBuild(dir: string, host: Host): boolean {
  return binaryMatchesHost(join(dir, "mlx.node"), host) && buildFiles(host).every((f) => existsSync(join(dir, f)));
}
