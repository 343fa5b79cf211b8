#!/usr/bin/env node
/**
 * `pnpm convert whisper|wav2vec2|silero-vad --torch-name-or-path … --mlx-path …`:
 * checkpoints → MLX. Errors are one line naming the file and the problem, exit code 2;
 * `--verbose` adds the stack.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { convertModel, convertMlxToOnnx, convertWhisperToGgml, convertPyannote, exportPyannoteOnnx, ConvertError, MODEL_FAMILIES as MODEL_FAMILIES_WITH_WEIGHTS, type ModelFamily as WeightFamily } from "@whisperx-mlx/convert";
import { helpText, parseFlags, UsageError, type FlagSpec } from "./args.js";
import { ProgressBar } from "./progress.js";

/** Every family `convert` takes: the weight-converting ones plus pyannote pipelines. */
const MODEL_FAMILIES = [...MODEL_FAMILIES_WITH_WEIGHTS, "pyannote"] as const;
type ModelFamily = WeightFamily | "pyannote";

const SOURCES: Record<ModelFamily, string> = {
  whisper: "an OpenAI .pt checkpoint or a Hugging Face Whisper directory",
  wav2vec2: "a Hugging Face Wav2Vec2ForCTC directory (safetensors or pytorch_model.bin) or a torchaudio .pth",
  "silero-vad": "silero_vad.onnx or silero_vad.jit (v5/v6)",
  pyannote: "a pyannote speaker-diarization pipeline (directory with config.yaml, or a config.yaml), or one pytorch_model.bin (PyanNet, WeSpeaker) or wespeaker.pt",
};

/** Every flag of `convert`; those marked in FAMILY_FLAGS apply only to some families. */
const FLAGS = {
  "torch-name-or-path": { kind: "string", help: "the checkpoint (see the family's sources above)" },
  "mlx-path": { kind: "string", default: "mlx_model", help: "output directory" },
  dtype: { kind: "string", default: null, choices: ["float16", "float32", "bfloat16"], help: "whisper, wav2vec2, silero-vad: dtype of the saved float weights (default: float16 for whisper, float32 otherwise)" },
  quantize: { kind: "switch", alias: "q", help: "whisper, wav2vec2: quantize Linear and Embedding weights (MLX affine)" },
  "q-bits": { kind: "int", default: null, choices: ["4", "8"], help: "with -q: bits per weight (default 4)" },
  "q-group-size": { kind: "int", default: null, choices: ["32", "64", "128"], help: "with -q: weights per scale/bias group (default 64)" },
  "sample-rate": { kind: "int", default: null, choices: ["16000", "8000"], help: "silero-vad: which sample-rate branch to convert (default 16000)" },
  to: { kind: "string", default: "mlx", choices: ["mlx", "onnx", "ggml"], help: "whisper, wav2vec2: output format: MLX safetensors, or ONNX graphs (built from an MLX model directory); whisper: ggml, whisper.cpp's model file (from a .pt, HF or MLX directory); pyannote: ONNX files of a converted pipeline's networks in sherpa-onnx's conventions" },
  "onnx-path": { kind: "string", default: null, help: "with --to onnx: output directory (default <mlx dir>-onnx)" },
  "onnx-weights": { kind: "string", default: null, choices: ["float32", "int8", "int4"], help: "with --to onnx (whisper): linear layers and logits in float32 (default), int8 with per-column scales (dynamic quantisation), or int4 blocks of 32 (MatMulNBits)" },
  "ggml-path": { kind: "string", default: null, help: "with --to ggml: output file (default: ggml-model.bin, or ggml-model-<type>.bin for the other types, as whisper.cpp names them)" },
  "ggml-type": { kind: "string", default: null, choices: ["f16", "f32", "q8_0", "q4_0"], help: "with --to ggml: weight format: f16 (as whisper.cpp's converter, the default), f32, or ggml's Q8_0/Q4_0 blocks (as whisper.cpp's quantize)" },
  verify: { kind: "switch", help: "reload the output and compare every tensor with the source" },
  force: { kind: "switch", help: "overwrite an existing output directory" },
  verbose: { kind: "switch", help: "show stack traces" },
  help: { kind: "switch", alias: "h", help: "show this help and exit" },
} as const satisfies Record<string, FlagSpec>;

/** Flags that apply to some families only (a flag given to another family is an error). */
const FAMILY_FLAGS: Partial<Record<keyof typeof FLAGS, readonly ModelFamily[]>> = {
  dtype: ["whisper", "wav2vec2", "silero-vad"],
  verify: ["whisper", "wav2vec2", "silero-vad"],
  quantize: ["whisper", "wav2vec2"],
  "q-bits": ["whisper", "wav2vec2"],
  "q-group-size": ["whisper", "wav2vec2"],
  "sample-rate": ["silero-vad"],
  to: ["whisper", "wav2vec2", "pyannote"],
  "onnx-path": ["whisper", "wav2vec2", "pyannote"],
  "onnx-weights": ["whisper"],
  "ggml-path": ["whisper"],
  "ggml-type": ["whisper"],
};

/** The flag table shown in a family's help. */
function flagsFor(family: ModelFamily): Record<string, FlagSpec> {
  const specs: Record<string, FlagSpec> = { ...FLAGS, "torch-name-or-path": { ...FLAGS["torch-name-or-path"], help: SOURCES[family] } };
  for (const [name, families] of Object.entries(FAMILY_FLAGS)) if (!families?.includes(family)) delete specs[name];
  return specs;
}

/** Refuses a flag given to a family it does not apply to, as a flag the family does not have. */
function checkFamilyFlags(family: ModelFamily, argv: readonly string[]): void {
  const own = flagsFor(family);
  for (const a of argv) {
    if (!a.startsWith("-") || a === "-") continue;
    const name = a.startsWith("--") ? a.slice(2).split("=")[0] : Object.keys(FLAGS).find((k) => (FLAGS[k as keyof typeof FLAGS] as FlagSpec).alias === a.slice(1));
    if (name !== undefined && name in FLAGS && !(name in own)) throw new UsageError(`unrecognized argument: ${a}`);
  }
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
    const { flags, positional } = parseFlags(argv.slice(1), FLAGS);
    verbose = flags.verbose;
    if (flags.help) {
      process.stdout.write(helpText(`usage: convert ${fam} [options]`, flagsFor(fam)) + "\n");
      return 0;
    }
    checkFamilyFlags(fam, argv.slice(1));
    if (positional.length) throw new UsageError(`unrecognized arguments: ${positional.join(" ")}`);
    const src = flags["torch-name-or-path"];
    if (src === undefined) throw new UsageError("the following arguments are required: --torch-name-or-path");
    const t0 = performance.now();
    if (fam === "pyannote" && flags.to === "onnx") {
      // From a converted pipeline: both networks as ONNX files in sherpa-onnx's conventions.
      const out = flags["onnx-path"] ?? `${src.replace(/\/+$/, "")}-onnx`;
      const files = exportPyannoteOnnx(src, out, { force: flags.force });
      process.stderr.write(`converted ${src} → ${files.join(", ")} (sherpa-onnx conventions) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
      return 0;
    }
    if ((flags["ggml-path"] !== null || flags["ggml-type"] !== null) && flags.to !== "ggml") throw new UsageError("--ggml-path and --ggml-type need --to ggml");
    if (flags.to === "ggml") {
      if (fam !== "whisper") throw new UsageError(`--to ggml: whisper.cpp's format holds Whisper models, not ${fam}`);
      const type = flags["ggml-type"] ?? "f16";
      // whisper.cpp's own names: ggml-model.bin from its converter, ggml-model-<type>.bin from quantize.
      const out = flags["ggml-path"] ?? (type === "f16" ? "ggml-model.bin" : `ggml-model-${type}.bin`);
      const g = convertWhisperToGgml({ source: src, ggmlPath: out, type: type === "f32" ? "f32" : type === "q8_0" ? "q8_0" : type === "q4_0" ? "q4_0" : "f16", force: flags.force });
      process.stderr.write(`converted ${src} → ${out}: whisper.cpp ${type}, ${g.tensors} tensors, ${mb(g.bytesOut)} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
      return 0;
    }
    if (flags.to === "onnx") {
      // The source is an MLX directory (convert a checkpoint to MLX first).
      const out = flags["onnx-path"] ?? `${src.replace(/\/+$/, "")}-onnx`;
      let type: string | undefined;
      try {
        type = (JSON.parse(readFileSync(join(src, "config.json"), "utf8")) as { model_type?: string }).model_type;
      } catch {
        throw new UsageError(`--to onnx: ${src} is not an MLX model directory (convert the checkpoint to MLX first)`);
      }
      if ((type ?? "whisper") !== fam) throw new UsageError(`--to onnx: ${src} is a ${type} model, not ${fam}`);
      const m = convertMlxToOnnx(src, out, { force: flags.force, weights: flags["onnx-weights"] ?? "float32" });
      process.stderr.write(`converted ${src} → ${out}: ${m.family} graphs ${Object.values(m.graphs).join(", ")} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
      return 0;
    }
    if (fam === "pyannote") {
      const s = convertPyannote({ torchNameOrPath: src, mlxPath: flags["mlx-path"], force: flags.force });
      process.stderr.write(`converted ${src} → ${flags["mlx-path"]}: ${s.kind}, ${s.tensors} tensors, ${(s.parameters / 1e6).toFixed(2)} M parameters (float32) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
      return 0;
    }
    const dtype = flags.dtype ?? (fam === "whisper" ? "float16" : "float32");
    const bits = flags["q-bits"] ?? 4;
    const groupSize = flags["q-group-size"] ?? 64;
    const sampleRate = flags["sample-rate"] ?? 16000;
    if (!flags.quantize && (flags["q-bits"] !== null || flags["q-group-size"] !== null)) throw new UsageError("--q-bits and --q-group-size need -q/--quantize");
    const s = convertModel({
      family: fam,
      torchNameOrPath: src,
      mlxPath: flags["mlx-path"],
      dtype,
      // The parser allowed only the listed choices.
      quantize: flags.quantize ? { bits: bits === 8 ? 8 : 4, groupSize: groupSize === 32 ? 32 : groupSize === 128 ? 128 : 64 } : undefined,
      sampleRate: sampleRate === 8000 ? 8000 : 16000,
      force: flags.force,
      verify: flags.verify,
      onProgress: (d, t) => bar.update(d, t),
    });
    bar.finish();
    const q = flags.quantize ? `, ${s.quantized} matrices quantized to ${bits} bits (group ${groupSize})` : "";
    process.stderr.write(
      `converted ${src} → ${flags["mlx-path"]}: ${s.tensors} tensors, ${(s.parameters / 1e6).toFixed(2)} M parameters, ${mb(s.bytesIn)} in, ${mb(s.bytesOut)} out (${dtype}${q}) in ${((performance.now() - t0) / 1000).toFixed(1)} s; max |Δ| vs source ${s.maxError.toExponential(2)}\n`,
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
