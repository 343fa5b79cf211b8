/**
 * The process `runStreamMemory` measures: `node stream-memory-child.js <whisper> <engine> <audio dir> <minutes>`
 * streams `minutes` of the fixture clips (longform_000 and the eval clips, looped, each followed
 * by 3–15 s of silence) through `transcribeStream` on the audio clock, and prints one JSON line:
 * the longest buffer a pass saw, and the RSS after a full GC at every 5 minutes of audio.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadAudio, transcribeStream } from "@whisperx-mlx/core";
import { loadModel } from "whisperx-mlx";
import { streamMemoryPlan, type StreamMemoryChildResult } from "./stream-memory.js";
import { ownPeakRssMib } from "./measured-child.js";

const [whisper, engine, audioDir, minutesArg] = process.argv.slice(2);
const plan = streamMemoryPlan(Number(minutesArg));
const names = readdirSync(audioDir).filter((f) => /^(longform|eval)_\d+\.wav$/.test(f)).sort();
const clips = await Promise.all(names.map((f) => loadAudio(join(audioDir, f))));
// Greedy passes (one decode per pass) keep an hour of audio within minutes; memory does not
// depend on the beam.
const model = await loadModel(whisper, { backend: engine === "mlx" ? "mlx" : "onnx", vadMethod: "none", language: "en", asrOptions: { beamSize: 1, temperatures: [0] } });

const total = plan.minutes * 60 * 16000;
let fed = 0;
async function* source(): AsyncGenerator<Float32Array> {
  const silence = new Float32Array(1600);
  for (let k = 0; fed < total; k++) {
    const clip = clips[k % clips.length];
    for (let i = 0; i < clip.length && fed < total; i += 1600, fed += 1600) yield clip.subarray(i, i + 1600);
    // Gaps of 3–15 s, deterministic.
    const gap = (3 + ((k * 7) % 13)) * 10;
    for (let i = 0; i < gap && fed < total; i++, fed += 1600) yield silence;
  }
}

const rss: { minute: number; rssMib: number }[] = [];
let maxBuffer = 0;
let passes = 0;
let words = 0;
let nextMark = plan.sampleEveryMinutes;
for await (const u of transcribeStream(source(), { model, clock: "audio", minChunkSize: plan.minChunkSize, onPass: (s) => ((maxBuffer = Math.max(maxBuffer, s.bufferSeconds)), passes++) })) {
  words += u.committed.length;
  if (u.audioTime >= nextMark * 60) {
    globalThis.gc?.();
    rss.push({ minute: nextMark, rssMib: process.memoryUsage().rss / 2 ** 20 });
    nextMark += plan.sampleEveryMinutes;
  }
}
globalThis.gc?.();
if (rss.at(-1)?.minute !== plan.minutes) rss.push({ minute: plan.minutes, rssMib: process.memoryUsage().rss / 2 ** 20 });
await model.close();
const result: StreamMemoryChildResult = { peakRssMib: ownPeakRssMib(), maxBufferSeconds: maxBuffer, passes, words, rss };
console.log(JSON.stringify(result));
