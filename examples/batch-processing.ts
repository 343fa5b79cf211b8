/**
 * Transcribe many files with one loaded model: the next file is decoded and segmented in a
 * worker thread while the current one is transcribed. A file that fails is reported and the
 * others go on.
 *
 *   npx tsx examples/batch-processing.ts a.wav b.mp3 c.flac [--model small] [--out out]
 */
import { mkdirSync } from "node:fs";
import { parseArgs } from "node:util";
import { align, DEMO_MODEL, getWriter, loadAlignModel, loadModel } from "whisperx-mlx";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { model: { type: "string", default: DEMO_MODEL }, out: { type: "string", default: "out" } } });
if (positionals.length === 0) throw new Error("usage: batch-processing.ts audio [audio ...]");

const model = await loadModel(values.model);
mkdirSync(values.out, { recursive: true });
const writeSrt = getWriter("srt", values.out);
let failed = 0;
for await (const item of model.transcribeFiles(positionals, { batchSize: 8 })) {
  if (!item.ok) {
    failed++;
    console.error(item.error.message);
    continue;
  }
  const aligned = await align(item.result.segments, await loadAlignModel(item.result.language, { asrModel: model }), item.audio);
  const [path] = writeSrt({ ...aligned, language: item.result.language }, item.file);
  console.log(`${item.file}: ${(item.audio.length / 16000).toFixed(1)} s, ${aligned.segments.length} subtitles → ${path}`);
}
await model.close();
process.exitCode = failed ? 1 : 0;
