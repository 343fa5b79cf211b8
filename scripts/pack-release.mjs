#!/usr/bin/env node
// @ts-check
/**
 * Builds the installable tarball `whisperx-mlx-<version>.tgz`: the public library (package
 * `whisperx-mlx`) with the workspace packages it is made of bundled inside it
 * (`bundleDependencies`: core, convert, mlx-native, onnx, server, bench, cli), the bundled models, and
 * the `whisperx`, `whisperx-convert` and `whisperx-bench` commands. npm installs it from the file
 * alone; only the external npm dependencies come from the registry, pinned to the versions this
 * workspace was tested with.
 *
 *   node scripts/pack-release.mjs [--out DIR]      (after `pnpm build`)
 *   npm install -g --ignore-scripts DIR/whisperx-mlx-<version>.tgz
 *
 * The library's source never imports the CLI; the CLI rides along in the tarball so that one
 * install gives both, as `pip install whisperx` does.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const LIBRARY = "whisperx-mlx";
/** Workspace packages bundled inside the tarball, by directory. */
const BUNDLED = ["core", "convert", "mlx-native", "onnx", "server", "bench", "cli"];
/** Bundled models: directories of fixtures/models, without their caches. */
const MODELS = ["synth-whisper-256-mlx", "synth-wav2vec2-mlx", "silero-vad-mlx"];
/** External dependencies an install may do without (their absence is handled at run time). */
const OPTIONAL = new Set(["@frost-beta/mlx"]);
const COMMANDS = { whisperx: "whisperx", "whisperx-convert": "convert", "whisperx-bench": "bench" };

const args = process.argv.slice(2);
const outIndex = args.indexOf("--out");
const outDir = resolve(outIndex >= 0 ? args[outIndex + 1] : join(ROOT, "dist-pack"));

/** @param {string} file @returns {Record<string, any>} */
const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));
/** @param {string} file @param {unknown} value */
const writeJson = (file, value) => writeFileSync(file, JSON.stringify(value, null, 2) + "\n");

const library = readJson(join(ROOT, "packages", LIBRARY, "package.json"));
const version = library.version;
/** @type {Map<string, string>} name → the version installed in this workspace */
const external = new Map();
/** @type {Map<string, string>} bundled package name → directory */
const bundledNames = new Map();
for (const dir of BUNDLED) bundledNames.set(readJson(join(ROOT, "packages", dir, "package.json")).name, dir);

/** The exact version of `name` as Node resolves it from package directory `from` (nearest node_modules up). */
function installedVersion(name, from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "node_modules", name, "package.json");
    if (existsSync(manifest)) return readJson(manifest).version;
    if (dirname(dir) === dir) throw new Error(`${name} is not installed for ${from}; run pnpm install`);
  }
}

/**
 * Rewrites a workspace package.json for the tarball: workspace deps pinned, external deps
 * collected for the top-level manifest and, with `dropExternal`, removed here. npm counts every
 * dependency of a bundled package as part of the bundle, and would expect it inside the tarball
 * instead of installing it; listed only at the top, they are installed beside the bundled
 * packages, where Node's resolution finds them.
 */
function rewrite(pkgDir, dropExternal) {
  const pkg = readJson(join(pkgDir, "package.json"));
  for (const field of ["dependencies", "optionalDependencies"]) {
    const deps = pkg[field] ?? {};
    for (const [name, spec] of Object.entries(deps)) {
      if (name === LIBRARY) delete deps[name]; // the containing package itself
      else if (bundledNames.has(name)) deps[name] = version;
      else {
        const v = installedVersion(name, pkgDir);
        if (external.has(name) && external.get(name) !== v) throw new Error(`${name}: ${external.get(name)} and ${v} in one workspace`);
        external.set(name, v);
        if (dropExternal) delete deps[name];
        else deps[name] = String(spec).startsWith("workspace:") ? version : v;
      }
    }
  }
  delete pkg.devDependencies;
  delete pkg.scripts;
  return pkg;
}

/** Copies a package's published files (its `files` list, package.json, README). */
function copyPackage(pkgDir, dest, manifest) {
  mkdirSync(dest, { recursive: true });
  for (const f of [...(manifest.files ?? []), "README.md", "LICENSE"]) {
    const src = join(pkgDir, f);
    // Source maps point at sources the tarball does not carry.
    if (existsSync(src)) cpSync(src, join(dest, f), { recursive: true, filter: (p) => !p.endsWith(".map") });
  }
  writeJson(join(dest, "package.json"), manifest);
}

if (!existsSync(join(ROOT, "packages", LIBRARY, "dist", "index.js"))) throw new Error("run `pnpm build` first");
const stage = mkdtempSync(join(tmpdir(), "whisperx-mlx-pack-"));
const top = join(stage, "package");
try {
  for (const [name, dir] of bundledNames) {
    const pkgDir = join(ROOT, "packages", dir);
    copyPackage(pkgDir, join(top, "node_modules", ...name.split("/")), rewrite(pkgDir, true));
  }
  const manifest = rewrite(join(ROOT, "packages", LIBRARY), false);
  copyPackage(join(ROOT, "packages", LIBRARY), top, manifest);
  for (const m of MODELS) cpSync(join(ROOT, "fixtures", "models", m), join(top, "models", m), { recursive: true, filter: (p) => !p.includes(".onnx-cache") });
  cpSync(join(ROOT, "fixtures", "README.md"), join(top, "models", "README.md"));
  mkdirSync(join(top, "bin"));
  for (const [command, entry] of Object.entries(COMMANDS)) {
    const shim = join(top, "bin", `${command}.js`);
    writeFileSync(shim, `#!/usr/bin/env node\nimport "@whisperx-mlx/cli/${entry}";\n`);
    chmodSync(shim, 0o755);
  }
  const dependencies = Object.fromEntries([...external].filter(([n]) => !OPTIONAL.has(n)).sort());
  const optionalDependencies = Object.fromEntries([...external].filter(([n]) => OPTIONAL.has(n)).sort());
  writeJson(join(top, "package.json"), {
    ...manifest,
    bin: Object.fromEntries(Object.keys(COMMANDS).map((c) => [c, `bin/${c}.js`])),
    files: [...manifest.files, "bin", "models"],
    dependencies: { ...dependencies, ...Object.fromEntries([...bundledNames.keys()].map((n) => [n, version])) },
    optionalDependencies,
    bundleDependencies: [...bundledNames.keys()],
  });
  mkdirSync(outDir, { recursive: true });
  const tarball = execFileSync("npm", ["pack", "--pack-destination", outDir, "--ignore-scripts", "--silent"], { cwd: top, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim().split("\n").pop();
  process.stdout.write(`${join(outDir, tarball ?? "")}\n`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
