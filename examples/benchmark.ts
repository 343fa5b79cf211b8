/**
 * Time each stage of the pipeline on one file: model loading, VAD, batched transcription,
 * alignment; real-time factors and the process's peak memory.
 *
 *   npx tsx examples/benchmark.ts [audio] [--model small] [--backend onnx|mlx] [--batch-size 8] [--runs 3]
 */
import { resourceUsage } from "node:process";
import { parseArgs } from "node:util";
import { align, DEMO_MODEL, loadAlignModel, loadAudio, loadModel, type BackendChoice } from "whisperx-mlx";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { model: { type: "string", default: DEMO_MODEL }, backend: { type: "string", default: "auto" }, "batch-size": { type: "string", default: "8" }, runs: { type: "string", default: "3" } },
});
const backends: readonly BackendChoice[] = ["auto", "mlx", "onnx"];
const backend = backends.find((b) => b === values.backend);
if (!backend) throw new Error(`--backend: expected one of ${backends.join(", ")}`);
const file = positionals[0] ?? new URL("../fixtures/audio/sample.wav", import.meta.url).pathname;
const seconds = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const value = await f();
  return [value, (performance.now() - t0) / 1000];
};

const [model, loadTime] = await seconds(() => loadModel(values.model, { backend }));
const [alignModel, alignLoadTime] = await seconds(() => loadAlignModel("en", { asrModel: model }));
const audio = await loadAudio(file);
const duration = audio.length / 16000;
console.log(`${file}: ${duration.toFixed(1)} s of audio; engine ${model.engine}; models loaded in ${(loadTime + alignLoadTime).toFixed(2)} s`);
const batchSize = Number(values["batch-size"]);
for (let run = 1; run <= Number(values.runs); run++) {
  const [chunks, vad] = await seconds(() => model.detectSpeech(audio));
  const [result, asr] = await seconds(() => model.transcribeChunks(audio, chunks, { batchSize }));
  const [, alignment] = await seconds(() => align(result.segments, alignModel, audio));
  const total = vad + asr + alignment;
  console.log(`run ${run}: VAD ${vad.toFixed(2)} s, ASR ${asr.toFixed(2)} s (${chunks.length} chunks, batch ${batchSize}), alignment ${alignment.toFixed(2)} s → ${(duration / total).toFixed(1)}× real time`);
}
console.log(`peak RSS ${(resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
await model.close();
