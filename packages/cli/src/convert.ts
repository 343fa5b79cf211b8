#!/usr/bin/env node
/**
 * `pnpm convert whisper|wav2vec2|silero-vad --torch-name-or-path … --mlx-path …`:
 * checkpoints → MLX. Errors are one line naming the file and the problem, exit code 2;
 * `--verbose` adds the stack.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { convertModel, convertMlxToOnnx, ConvertError, MODEL_FAMILIES, type ModelFamily, type WeightFormat } from "@whisperx-mlx/convert";
import { helpText, parseFlags, UsageError, type FlagSpec } from "./args.js";
import { ProgressBar } from "./progress.js";

const SOURCES: Record<ModelFamily, string> = {
  whisper: "an OpenAI .pt checkpoint or a Hugging Face Whisper directory",
  wav2vec2: "a Hugging Face Wav2Vec2ForCTC directory (safetensors or pytorch_model.bin) or a torchaudio .pth",
  "silero-vad": "silero_vad.onnx or silero_vad.jit (v5/v6)",
};

function flagsFor(family: ModelFamily): Record<string, FlagSpec> {
  const flags: Record<string, FlagSpec> = {
    "torch-name-or-path": { kind: "string", help: SOURCES[family] },
    "mlx-path": { kind: "string", default: "mlx_model", help: "output directory" },
    dtype: { kind: "string", default: family === "whisper" ? "float16" : "float32", choices: ["float16", "float32", "bfloat16"], help: "dtype of the saved float weights" },
  };
  if (family !== "silero-vad") {
    flags.quantize = { kind: "switch", alias: "q", help: "quantize Linear and Embedding weights (MLX affine)" };
    flags["q-bits"] = { kind: "int", default: 4, choices: ["4", "8"], help: "bits per weight" };
    flags["q-group-size"] = { kind: "int", default: 64, choices: ["32", "64", "128"], help: "weights per scale/bias group" };
  } else {
    flags["sample-rate"] = { kind: "int", default: 16000, choices: ["16000", "8000"], help: "which sample-rate branch to convert" };
  }
  if (family === "whisper" || family === "wav2vec2") {
    flags.to = { kind: "string", default: "mlx", choices: ["mlx", "onnx"], help: "output format: MLX safetensors, or ONNX graphs (built from an MLX model directory)" };
    flags["onnx-path"] = { kind: "string", default: null, help: "with --to onnx: output directory (default <mlx dir>-onnx)" };
    flags["onnx-weights"] = { kind: "string", default: "float32", choices: ["float32", "int8", "int4"], help: "with --to onnx (Whisper): linear layers and logits in float32, int8 with per-column scales (dynamic quantisation), or int4 blocks of 32 (MatMulNBits)" };
  }
  flags.verify = { kind: "switch", help: "reload the output and compare every tensor with the source" };
  flags.force = { kind: "switch", help: "overwrite an existing output directory" };
  flags.verbose = { kind: "switch", help: "show stack traces" };
  flags.help = { kind: "switch", alias: "h", help: "show this help and exit" };
  return flags;
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** Runs the converter CLI; returns the exit code. */
export function main(argv: string[]): number {
  const family = argv[0];
  const usage = `usage: convert {${MODEL_FAMILIES.join(",")}} --torch-name-or-path PATH --mlx-path DIR [options]`;
  if (!family || family === "--help" || family === "-h") {
    process.stdout.write(`${usage}\n\nRun 'convert <family> --help' for the options of a family.\n`);
    return family ? 0 : 2;
  }
  if (!(MODEL_FAMILIES as readonly string[]).includes(family)) {
    process.stderr.write(`convert: error: unknown model family '${family}' (choose from ${MODEL_FAMILIES.join(", ")})\n`);
    return 2;
  }
  const fam = family as ModelFamily;
  let verbose = argv.includes("--verbose");
  const bar = new ProgressBar(`converting ${fam}`);
  try {
    const specs = flagsFor(fam);
    const { flags, positional } = parseFlags(argv.slice(1), specs);
    verbose = Boolean(flags.verbose);
    if (flags.help) {
      process.stdout.write(helpText(`usage: convert ${fam} [options]`, specs) + "\n");
      return 0;
    }
    if (positional.length) throw new UsageError(`unrecognized arguments: ${positional.join(" ")}`);
    const src = flags["torch-name-or-path"];
    if (typeof src !== "string") throw new UsageError("the following arguments are required: --torch-name-or-path");
    const t0 = performance.now();
    if (flags.to === "onnx") {
      // The source is an MLX directory (convert a checkpoint to MLX first).
      const out = (flags["onnx-path"] as string | null) ?? `${src.replace(/\/+$/, "")}-onnx`;
      let type: string | undefined;
      try {
        type = (JSON.parse(readFileSync(join(src, "config.json"), "utf8")) as { model_type?: string }).model_type;
      } catch {
        throw new UsageError(`--to onnx: ${src} is not an MLX model directory (convert the checkpoint to MLX first)`);
      }
      if ((type ?? "whisper") !== fam) throw new UsageError(`--to onnx: ${src} is a ${type} model, not ${fam}`);
      const m = convertMlxToOnnx(src, out, { force: Boolean(flags.force), weights: flags["onnx-weights"] as WeightFormat });
      process.stderr.write(`converted ${src} → ${out}: ${m.family} graphs ${Object.values(m.graphs).join(", ")} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
      return 0;
    }
    const s = convertModel({
      family: fam,
      torchNameOrPath: src,
      mlxPath: flags["mlx-path"] as string,
      dtype: flags.dtype as "float16",
      quantize: flags.quantize ? { bits: flags["q-bits"] as 4 | 8, groupSize: flags["q-group-size"] as 32 | 64 | 128 } : undefined,
      sampleRate: (flags["sample-rate"] as 16000 | 8000 | undefined) ?? 16000,
      force: Boolean(flags.force),
      verify: Boolean(flags.verify),
      onProgress: (d, t) => bar.update(d, t),
    });
    bar.finish();
    const q = flags.quantize ? `, ${s.quantized} matrices quantized to ${flags["q-bits"]} bits (group ${flags["q-group-size"]})` : "";
    process.stderr.write(
      `converted ${src} → ${flags["mlx-path"]}: ${s.tensors} tensors, ${(s.parameters / 1e6).toFixed(2)} M parameters, ${mb(s.bytesIn)} in, ${mb(s.bytesOut)} out (${flags.dtype}${q}) in ${((performance.now() - t0) / 1000).toFixed(1)} s; max |Δ| vs source ${s.maxError.toExponential(2)}\n`,
    );
    if (s.maxErrorByFamily) {
      const entries = Object.entries(s.maxErrorByFamily);
      const worst = Math.max(0, ...entries.map(([, e]) => e));
      process.stderr.write(`verify: ${entries.length} tensor families, max |Δ| ${worst.toExponential(2)}\n`);
      for (const [k, e] of entries) process.stderr.write(`  ${k.padEnd(48)} ${e.toExponential(2)}\n`);
    }
    return 0;
  } catch (e) {
    bar.finish();
    const msg = e instanceof ConvertError || e instanceof UsageError ? e.message : (e as Error).message.split("\n")[0];
    process.stderr.write(`convert: error: ${msg}\n`);
    if (verbose) process.stderr.write(((e as Error).stack ?? "") + "\n");
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
