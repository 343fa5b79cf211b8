/**
 * `pnpm bench <audio…>`: user files through the public pipeline, on openai-whisper's sequential
 * path (greedy, no conditioning) or, with `batchSizes`, on the VAD + batched path at each batch
 * size: real-time factor, peak RSS, WER against references, and whether the text stays the same
 * across batch sizes.
 */
import { basename, extname } from "node:path";
import { loadAudio, loadModel, type BackendChoice } from "whisperx-mlx";
import { peakRssMb, realTimeFactor } from "../rtf.js";
import { wordErrorRate, type WerResult } from "../wer.js";

/** One file's timing on the sequential path. */
export interface FileRow {
  file: string;
  audioSeconds: number;
  wallSeconds: number;
  rtf: number;
}

/** The sequential-path report. */
export interface FilesReport {
  date: string;
  model: string;
  engine: string;
  loadSeconds: number;
  rows: FileRow[];
  rtf: number;
  peakRssMb: number;
  wer?: WerResult;
}

/** Transcribes `files` one by one; `references` maps a file's basename to its ground truth. */
export async function runFilesBench(o: { model: string; backend: BackendChoice; files: string[]; references?: Map<string, string>; onRow?: (row: FileRow) => void }): Promise<FilesReport> {
  const t0 = performance.now();
  const pipeline = await loadModel(o.model, { backend: o.backend, language: "en", vadMethod: "none", asrOptions: { temperatures: [0], conditionOnPreviousText: false } });
  const loadSeconds = (performance.now() - t0) / 1000;
  const rows: FileRow[] = [];
  const pairs: [string, string][] = [];
  for (const file of o.files) {
    const audio = await loadAudio(file);
    const t1 = performance.now();
    const r = await pipeline.transcribe(audio);
    const wall = (performance.now() - t1) / 1000;
    const id = basename(file, extname(file));
    const truth = o.references?.get(id);
    if (truth !== undefined) pairs.push([truth, r.segments.map((s) => s.text).join("")]);
    const row = { file: id, audioSeconds: audio.length / 16000, wallSeconds: wall, rtf: realTimeFactor(audio.length / 16000, wall) };
    rows.push(row);
    o.onRow?.(row);
  }
  await pipeline.close();
  const audioTotal = rows.reduce((a, r) => a + r.audioSeconds, 0);
  const wallTotal = rows.reduce((a, r) => a + r.wallSeconds, 0);
  return { date: new Date().toISOString(), model: o.model, engine: pipeline.engine, loadSeconds, rows, rtf: realTimeFactor(audioTotal, wallTotal), peakRssMb: await peakRssMb(), wer: pairs.length ? wordErrorRate(pairs) : undefined };
}

/** One (file, batch size) measurement of the batched path. */
export interface BatchRow {
  file: string;
  audioSeconds: number;
  chunks: number;
  batchSize: number;
  wallSeconds: number;
  rtf: number;
  vadSeconds: number;
}

/** The batch-size report. */
export interface BatchSizesReport {
  date: string;
  model: string;
  engine: string;
  rows: BatchRow[];
  /** Per file: the chunk texts were identical at every batch size. */
  identical: Record<string, boolean>;
  peakRssMb: number;
}

/** Each file (repeated `repeat` times end to end) through VAD once, then the batched ASR stage at every batch size. */
export async function runBatchSizesBench(o: { model: string; backend: BackendChoice; files: string[]; batchSizes: number[]; repeat: number; onRow?: (row: BatchRow) => void }): Promise<BatchSizesReport> {
  const pipeline = await loadModel(o.model, { backend: o.backend, language: "en" });
  const rows: BatchRow[] = [];
  const identical: Record<string, boolean> = {};
  for (const file of o.files) {
    const one = await loadAudio(file);
    const audio = new Float32Array(one.length * o.repeat);
    for (let i = 0; i < o.repeat; i++) audio.set(one, i * one.length);
    const seconds = audio.length / 16000;
    let t0 = performance.now();
    const chunks = await pipeline.detectSpeech(audio);
    const vadSeconds = (performance.now() - t0) / 1000;
    await pipeline.transcribeChunks(audio, chunks.slice(0, 1), { batchSize: 1 }); // warm-up: compile kernels
    const texts: string[] = [];
    for (const batchSize of o.batchSizes) {
      t0 = performance.now();
      const r = await pipeline.transcribeChunks(audio, chunks, { batchSize });
      const wall = (performance.now() - t0) / 1000;
      texts.push(JSON.stringify(r.segments.map((s) => s.text)));
      const row = { file: basename(file), audioSeconds: seconds, chunks: chunks.length, batchSize, wallSeconds: wall, rtf: realTimeFactor(seconds, wall), vadSeconds };
      rows.push(row);
      o.onRow?.(row);
    }
    identical[basename(file)] = texts.every((t) => t === texts[0]);
  }
  await pipeline.close();
  return { date: new Date().toISOString(), model: o.model, engine: pipeline.engine, rows, identical, peakRssMb: await peakRssMb() };
}
