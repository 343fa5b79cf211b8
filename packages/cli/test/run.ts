import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The built CLI entry points. */
export const DIST = fileURLToPath(new URL("../dist/", import.meta.url));

/** Runs a CLI entry point (`whisperx`, `convert`, `bench`) as a real subprocess (with `env`, or this process's environment; `stdin` piped in when given). */
export function runCli(entry: "whisperx" | "convert" | "bench", args: string[], cwd?: string, env?: NodeJS.ProcessEnv, stdin?: Buffer): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--expose-gc", `${DIST}${entry}.js`, ...args], { cwd, env: env ?? process.env, stdio: "pipe" });
    p.stdin.end(stdin);
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    p.on("error", reject);
    p.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The one-line notice printed when no `--model` is given (the bundled demo model is used). */
export const DEMO_NOTICE = /^whisperx: no --model given: using the bundled demo model synth-whisper-256, trained on synthetic espeak-ng speech only/;

/** stderr without the demo-model notice, for tests that run the default model and check the rest. */
export function withoutDemoNotice(stderr: string): string {
  return stderr
    .split("\n")
    .filter((l) => !DEMO_NOTICE.test(l))
    .join("\n");
}
