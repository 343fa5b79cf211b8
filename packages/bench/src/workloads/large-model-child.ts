/**
 * The process `runLargeModels` measures: `node large-model-child.js <task> <arch>` with task
 * `generate` (the random fp16 model), `onnx-build` (its ONNX graphs, external data past 2 GiB),
 * `onnx-run` or `mlx-run` (load, then one 30 s window: log-mel, encoder, 16 decoder steps).
 * Prints one JSON line.
 */
import { rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { onnxGraphDir } from "@whisperx-mlx/onnx";
import { randomWhisperModel, type WhisperArchitecture } from "../random-whisper.js";
import { runArchitecture } from "./architecture.js";
import { runOnnxArchitecture } from "./onnx-architecture.js";
import { ownPeakRssMib } from "./measured-child.js";

const [task, arch] = process.argv.slice(2) as [string, WhisperArchitecture];
const one = { encoderBatches: [1], decoderBatches: [1], steps: 16, repeats: 1 };
const t0 = performance.now();
let result: Record<string, unknown> = {};
if (task === "generate") {
  const dir = randomWhisperModel(arch, "fp16");
  result = { weightsBytes: statSync(join(dir, "weights.safetensors")).size };
} else if (task === "onnx-build") {
  // Built afresh every run (the cache of an earlier run would time nothing).
  const model = randomWhisperModel(arch, "fp16");
  rmSync(join(model, ".onnx-cache"), { recursive: true, force: true });
  const dir = onnxGraphDir(model);
  const bytes = (f: string) => {
    try {
      return statSync(join(dir, f)).size;
    } catch {
      return 0;
    }
  };
  result = { graphBytes: { encoder: bytes("encoder.onnx") + bytes("encoder.onnx.data"), decoder: bytes("decoder.onnx") + bytes("decoder.onnx.data") }, external: bytes("encoder.onnx.data") > 0 || bytes("decoder.onnx.data") > 0 };
} else if (task === "onnx-run" || task === "mlx-run") {
  const r = task === "onnx-run" ? await runOnnxArchitecture({ arch, source: "fp16", ...one }) : await runArchitecture({ arch, precision: "fp16", ...one });
  result = { encoderMs: r.encoderMsPerWindow[1].median, decoderMsPerStep: r.decoderMsPerStep[1].median, melMs: r.melMs.median };
} else {
  throw new Error(`unknown task ${task}`);
}
console.log(JSON.stringify({ ...result, seconds: (performance.now() - t0) / 1000, peakRssMib: ownPeakRssMib() }));
