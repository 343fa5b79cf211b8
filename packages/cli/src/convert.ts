#!/usr/bin/env node
/**
 * `pnpm convert <family> --torch-name-or-path … --mlx-path …`: checkpoints → MLX. Errors are
 * one line naming the file and the problem, exit code 2; `--verbose` adds the stack.
 */
import { convertWhisper, ConvertError } from "@whisperx-mlx/convert";
import { helpText, parseFlags, UsageError, type FlagSpec } from "./args.js";

const FLAGS: Record<string, FlagSpec> = {
  "torch-name-or-path": { kind: "string", help: "a .pt file, a Hugging Face model directory, or a Hub id" },
  "mlx-path": { kind: "string", default: "mlx_models", help: "output directory" },
  dtype: { kind: "string", default: "float16", choices: ["float16", "float32", "bfloat16"], help: "dtype of the saved weights" },
  force: { kind: "switch", help: "overwrite an existing output directory" },
  verbose: { kind: "switch", help: "show stack traces" },
  help: { kind: "switch", alias: "h", help: "show this help and exit" },
};
const FAMILIES = ["whisper"];

/** Runs the converter CLI; returns the exit code. */
export function main(argv: string[]): number {
  const family = argv[0];
  if (!family || family === "--help" || family === "-h") {
    process.stdout.write(`usage: convert {${FAMILIES.join(",")}} --torch-name-or-path PATH --mlx-path DIR [--dtype float16|float32|bfloat16] [--force]\n`);
    return family ? 0 : 2;
  }
  if (!FAMILIES.includes(family)) {
    process.stderr.write(`convert: error: unknown model family '${family}' (choose from ${FAMILIES.join(", ")})\n`);
    return 2;
  }
  let verbose = argv.includes("--verbose");
  try {
    const { flags } = parseFlags(argv.slice(1), FLAGS);
    verbose = Boolean(flags.verbose);
    if (flags.help) {
      process.stdout.write(helpText(`usage: convert ${family} [options]`, FLAGS) + "\n");
      return 0;
    }
    const src = flags["torch-name-or-path"];
    if (typeof src !== "string") throw new UsageError("the following arguments are required: --torch-name-or-path");
    const t0 = performance.now();
    const s = convertWhisper({ torchNameOrPath: src, mlxPath: flags["mlx-path"] as string, dtype: flags.dtype as "float16", force: Boolean(flags.force) });
    process.stderr.write(
      `converted ${src} → ${flags["mlx-path"]}: ${s.tensors} tensors, ${(s.parameters / 1e6).toFixed(2)} M parameters, ${(s.bytesOut / 1e6).toFixed(1)} MB (${flags.dtype}) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof ConvertError || e instanceof UsageError) {
      process.stderr.write(`convert: error: ${e.message}\n`);
      if (verbose && e.stack) process.stderr.write(e.stack + "\n");
      return 2;
    }
    process.stderr.write(`convert: error: ${(e as Error).message.split("\n")[0]}\n`);
    if (verbose) process.stderr.write(((e as Error).stack ?? "") + "\n");
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
