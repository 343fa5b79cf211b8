/**
 * Acceptance: the release tarball installs with plain npm into a clean prefix (the npm registry
 * is the only network it needs) and works from a directory outside the repository: the
 * `whisperx` command transcribes the bundled sample with the bundled model exactly as the
 * workspace CLI does, `--version` answers, and a project that installs the tarball imports
 * the typed library.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SAMPLE = join(ROOT, "fixtures", "audio", "sample.wav");
const VERSION = (JSON.parse(readFileSync(join(ROOT, "packages", "whisperx-mlx", "package.json"), "utf8")) as { version: string }).version;
const work = mkdtempSync(join(tmpdir(), "wx-install-"));
// The tarball, a global prefix and a project with its node_modules: 1.2 GB, removed after the run.
afterAll(() => rmSync(work, { recursive: true, force: true }));
let tarball: string;

/** npm without the session's update checks; the dependencies' install scripts only fetch what is not used here (ONNX Runtime's CUDA provider, another copy of MLX's binary). */
function npm(args: string[], cwd: string): string {
  return execFileSync("npm", [...args, "--ignore-scripts", "--no-audit", "--no-fund", "--no-update-notifier"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

describe("the installable package", () => {
  beforeAll(() => {
    tarball = execFileSync(process.execPath, [join(ROOT, "scripts", "pack-release.mjs"), "--out", join(work, "dist")], { encoding: "utf8" }).trim();
  }, 300_000);

  it("npm install -g puts whisperx on PATH; it transcribes the sample from outside the repository as the workspace CLI does", async () => {
    expect(tarball).toBe(join(work, "dist", `whisperx-mlx-${VERSION}.tgz`));
    const prefix = join(work, "prefix");
    npm(["install", "-g", "--prefix", prefix, tarball], work);
    const bin = join(prefix, "bin", "whisperx");
    const elsewhere = join(work, "elsewhere");
    mkdirSync(elsewhere);
    const version = spawnSync(bin, ["--version"], { cwd: elsewhere, encoding: "utf8" });
    expect(version.stdout).toBe(`whisperx ${VERSION}\n`);
    const r = spawnSync(bin, [SAMPLE, "-o", "out", "-f", "json", "--verbose", "False"], { cwd: elsewhere, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const installed = readFileSync(join(elsewhere, "out", "sample.json"), "utf8");
    const workspace = mkdtempSync(join(tmpdir(), "wx-ws-"));
    expect((await runCli("whisperx", [SAMPLE, "-o", workspace, "-f", "json", "--verbose", "False"])).code).toBe(0);
    expect(installed).toBe(readFileSync(join(workspace, "sample.json"), "utf8"));
    for (const command of ["whisperx-convert", "whisperx-bench"]) {
      const help = spawnSync(join(prefix, "bin", command), ["--help"], { cwd: elsewhere, encoding: "utf8" });
      expect(help.status, `${command}: ${help.stderr}`).toBe(0);
    }
  }, 600_000);

  it("a project that installs the tarball imports the library and transcribes with it", () => {
    const project = join(work, "project");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    npm(["install", tarball], project);
    writeFileSync(
      join(project, "main.js"),
      [
        'import { DEMO_MODEL, loadModel, VERSION } from "whisperx-mlx";',
        "const model = await loadModel(DEMO_MODEL, { language: 'en' });",
        `const result = await model.transcribe(${JSON.stringify(SAMPLE)});`,
        "await model.close();",
        "console.log(JSON.stringify({ version: VERSION, segments: result.segments.length, text: result.segments.map((s) => s.text).join('') }));",
      ].join("\n"),
    );
    const out = JSON.parse(execFileSync(process.execPath, ["main.js"], { cwd: project, encoding: "utf8" })) as { version: string; segments: number; text: string };
    expect(out.version).toBe(VERSION);
    expect(out.segments).toBeGreaterThan(0);
    expect(out.text).toMatch(/ski resort/);
  }, 600_000);
});
