/**
 * The architecture workload on the ONNX Runtime engine: the same random-weight model as the MLX
 * workload, converted with `convert --to onnx`, timed the same way (log-mel, encoder per window,
 * decoder ms per step over forced tokens, real-time factor of 30 s with 90 tokens).
 */
import type { WeightFormat } from "@whisperx-mlx/convert";
import { N_SAMPLES } from "@whisperx-mlx/core";
import { onnxGraphDir, OnnxWhisperModel, ort, type CrossCache } from "@whisperx-mlx/onnx";
import { randomWhisperModel, type WhisperArchitecture } from "../random-whisper.js";
import { summarize, timeRuns, type SampleStats } from "../stats.js";
import { promptForTimedSteps, realTimeFactors, type ArchitectureResult } from "./architecture.js";

function tile(t: ort.Tensor, b: number): ort.Tensor {
  const src = t.data as Float32Array;
  const out = new Float32Array(src.length * b);
  for (let i = 0; i < b; i++) out.set(src, i * src.length);
  return new ort.Tensor("float32", out, [b, ...t.dims.slice(1)]);
}

/** Runs the ONNX architecture workload (fp32 graphs, or int8 / int4 linear layers). */
export async function runOnnxArchitecture(o: { arch: WhisperArchitecture; weights?: WeightFormat; source?: "fp32" | "fp16"; encoderBatches: number[]; decoderBatches: number[]; steps: number; repeats: number; onProgress?: (what: string) => void }): Promise<ArchitectureResult> {
  o.onProgress?.(`onnx ${o.arch}: graphs`);
  const model = await OnnxWhisperModel.load(onnxGraphDir(randomWhisperModel(o.arch, o.source ?? "fp32"), undefined, o.weights));
  try {
    const audio = new Float32Array(N_SAMPLES);
    for (let i = 0; i < audio.length; i++) audio[i] = 0.1 * Math.sin(i * 0.05) * Math.sin(i * 0.0007);
    o.onProgress?.(`onnx ${o.arch}: log-mel`);
    const mel = await model.logMel([audio]);
    const melMs = summarize(await timeRuns(o.repeats, () => model.logMel([audio])));
    const encoderMsPerWindow: Record<string, SampleStats> = {};
    for (const b of o.encoderBatches) {
      o.onProgress?.(`onnx ${o.arch}: encoder batch ${b}`);
      const batch = new Float32Array(mel.data.length * b);
      for (let i = 0; i < b; i++) batch.set(mel.data, i * mel.data.length);
      await model.encode(batch, b);
      encoderMsPerWindow[b] = summarize((await timeRuns(o.repeats, () => model.encode(batch, b))).map((ms) => ms / b));
    }
    const bestEncoderBatch = o.encoderBatches.reduce((best, b) => (encoderMsPerWindow[b].median < encoderMsPerWindow[best].median ? b : best), o.encoderBatches[0]);
    const one = await model.encode(mel.data, 1);
    const decoderMsPerStep: Record<string, SampleStats> = {};
    const tokenAt = (i: number) => 1000 + ((i * 7919) % 40000);
    for (const b of o.decoderBatches) {
      o.onProgress?.(`onnx ${o.arch}: decoder batch ${b}`);
      const cross: CrossCache = { k: one.k.map((t) => tile(t, b)), v: one.v.map((t) => tile(t, b)), batch: b };
      const sample: number[] = [];
      for (let r = 0; r <= o.repeats; r++) {
        const prompt = promptForTimedSteps(o.steps);
        let { cache } = await model.step(Array.from({ length: b }, () => prompt), 0, model.emptyCache(b), cross, undefined, { logits: false });
        let offset = prompt.length;
        const t0 = performance.now();
        for (let i = 0; i < o.steps; i++) {
          // The graph makes the greedy choice per row, as real (fixed-rule) decoding uses it.
          const res = await model.step(Array.from({ length: b }, () => [tokenAt(i)]), offset++, cache, cross, undefined, { logits: false });
          cache = res.cache;
        }
        if (r > 0) sample.push((performance.now() - t0) / o.steps);
      }
      decoderMsPerStep[b] = summarize(sample);
    }
    const { rtf, rtfBest } = realTimeFactors(melMs, encoderMsPerWindow[bestEncoderBatch], decoderMsPerStep, o.decoderBatches);
    return { engine: "onnx", arch: o.arch, precision: o.weights === "int8" || o.weights === "int4" ? o.weights : "fp32", melMs, encoderMsPerWindow, bestEncoderBatch, decoderMsPerStep, rtf, rtfBest };
  } finally {
    await model.release();
  }
}
