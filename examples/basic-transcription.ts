/**
 * Transcribe one file and align its words, as WhisperX's README does in Python:
 *
 *   npx tsx examples/basic-transcription.ts [audio] [--model small]
 *
 * Without --model it uses the bundled demo model, which knows only synthetic speech.
 */
import { mkdirSync } from "node:fs";
import { parseArgs } from "node:util";
import { align, DEMO_MODEL, loadAlignModel, loadAudio, loadModel, writeResult } from "whisperx-mlx";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { model: { type: "string", default: DEMO_MODEL }, out: { type: "string", default: "out" } } });
const file = positionals[0] ?? new URL("../fixtures/audio/sample.wav", import.meta.url).pathname;

// 1. Transcribe with batched Whisper over VAD-cut chunks.
const model = await loadModel(values.model);
const audio = await loadAudio(file);
const result = await model.transcribe(audio, { batchSize: 8 });
console.log(`language: ${result.language}`);
for (const s of result.segments) console.log(`[${s.start.toFixed(2)} → ${s.end.toFixed(2)}] ${s.text.trim()}`);

// 2. Align the words with wav2vec2.
const alignModel = await loadAlignModel(result.language, { asrModel: model });
const aligned = await align(result.segments, alignModel, audio);
const sentences = aligned.segments.length;
console.log(`${aligned.word_segments.length} words aligned in ${sentences} sentence${sentences === 1 ? "" : "s"}`);

// 3. Write every format next to each other (txt, srt, vtt, tsv, json).
mkdirSync(values.out, { recursive: true });
const written = writeResult({ ...aligned, language: result.language }, file, values.out, "all");
console.log(`wrote ${written.join(", ")}`);
await model.close();
