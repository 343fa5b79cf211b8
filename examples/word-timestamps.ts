/**
 * Word-level timestamps two ways: wav2vec2 forced alignment (WhisperX's) on the batched path,
 * and Whisper's own cross-attention DTW (openai-whisper's `word_timestamps`) on the sequential
 * path. Prints each word with both timings.
 *
 *   npx tsx examples/word-timestamps.ts [audio] [--model small]
 */
import { parseArgs } from "node:util";
import { align, DEMO_MODEL, loadAlignModel, loadAudio, loadModel, type Word } from "whisperx-mlx";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { model: { type: "string", default: DEMO_MODEL } } });
const file = positionals[0] ?? new URL("../fixtures/audio/sample.wav", import.meta.url).pathname;
const audio = await loadAudio(file);

const batched = await loadModel(values.model);
const result = await batched.transcribe(audio);
const aligned = await align(result.segments, await loadAlignModel(result.language, { asrModel: batched }), audio, { returnCharAlignments: true });
await batched.close();

const sequential = await loadModel(values.model, { vadMethod: "none", language: result.language, asrOptions: { wordTimestamps: true, temperatures: [0] } });
const dtw = (await sequential.transcribe(audio)).word_segments ?? [];

const time = (w: Word | undefined) => (w?.start === undefined || w.end === undefined ? "      —      " : `${w.start.toFixed(2)}–${w.end.toFixed(2)}`);
console.log("word".padEnd(16), "wav2vec2".padEnd(13), "DTW");
for (const [i, w] of aligned.word_segments.entries()) console.log(w.word.padEnd(16), time(w).padEnd(13), time(dtw[i]), w.score === undefined ? "" : `score ${w.score.toFixed(2)}`);
console.log(`${aligned.word_segments.length} aligned words, ${dtw.length} DTW words, ${aligned.segments[0]?.chars?.length ?? 0} characters in the first sentence`);
