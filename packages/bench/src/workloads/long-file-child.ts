/**
 * The process `runLongFile` measures: `node long-file-child.js <whisper> <aligner> <engine> <wav>`
 * transcribes and aligns one file the way the CLI does and prints one JSON line.
 */
import { align, loadAlignModel, loadModel } from "whisperx-mlx";
import { ownPeakRssMib } from "./measured-child.js";

const [whisper, aligner, engine, file] = process.argv.slice(2);
const pipeline = await loadModel(whisper, { backend: engine === "mlx" ? "mlx" : "onnx" });
let segments = 0;
let words = 0;
for await (const item of pipeline.transcribeFiles([file])) {
  if (!item.ok) throw item.error;
  const model = await loadAlignModel(item.result.language, { modelName: aligner, asrModel: pipeline });
  const aligned = await align(item.result.segments, model, item.audio);
  segments = aligned.segments.length;
  words = aligned.word_segments.length;
}
await pipeline.close();
console.log(JSON.stringify({ peakRssMib: ownPeakRssMib(), segments, words }));
