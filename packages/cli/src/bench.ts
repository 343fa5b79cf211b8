#!/usr/bin/env node
/**
 * `pnpm bench`: transcribes audio files with an MLX model and reports the real-time factor,
 * peak RSS and (when `--refs` gives a refs.json) WER against the reference transcripts.
 * The full roadmap bench (targets, HTML report, regression gate) is a later issue.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { getSpeechTimestamps, loadAudio, SileroVadOnnx, speechToChunks, transcribe, transcribeChunks, writeFileAtomic } from "@whisperx-mlx/core";
import { MlxWhisperBackend } from "@whisperx-mlx/mlx-native";
import { peakRssMb, realTimeFactor, wordErrorRate } from "@whisperx-mlx/bench";
import { helpText, parseFlags, UsageError, type FlagSpec } from "./args.js";
import { BUNDLED_MODEL, REPO_ROOT } from "./paths.js";
import { relaunchTuned } from "./launch.js";

const FLAGS: Record<string, FlagSpec> = {
  model: { kind: "string", default: BUNDLED_MODEL, help: "MLX model directory" },
  refs: { kind: "string", default: null, help: "refs.json with reference transcripts (clips[].ground_truth)" },
  out: { kind: "string", default: join(REPO_ROOT, "reports", "runs"), help: "directory for the JSON report" },
  batch_sizes: { kind: "string", default: null, help: "e.g. 1,8: run the WhisperX path (Silero VAD → chunks → batched decoding) at each batch size and compare throughput" },
  repeat: { kind: "int", default: 1, help: "concatenate each file this many times (e.g. 4 × longform_000 = 10.8 min)" },
  help: { kind: "switch", alias: "h", help: "show this help and exit" },
};

async function main(argv: string[]): Promise<number> {
  const { flags, positional } = parseFlags(argv, FLAGS);
  if (flags.help || positional.length === 0) {
    process.stdout.write(helpText("usage: bench [options] audio [audio ...]", FLAGS) + "\n");
    return flags.help ? 0 : 2;
  }
  if (flags.batch_sizes) return batchBench(flags, positional);
  const refs = flags.refs ? (JSON.parse(readFileSync(flags.refs as string, "utf8")) as { clips: { id: string; ground_truth: string }[] }) : undefined;
  const tLoad = performance.now();
  const backend = MlxWhisperBackend.load(flags.model as string);
  const loadSeconds = (performance.now() - tLoad) / 1000;
  const rows = [];
  const pairs: [string, string][] = [];
  for (const file of positional) {
    const audio = await loadAudio(file);
    const t0 = performance.now();
    const r = await transcribe(backend, audio, { language: "en", temperature: 0, conditionOnPreviousText: false });
    const wall = (performance.now() - t0) / 1000;
    const id = basename(file, extname(file));
    const gt = refs?.clips.find((c) => c.id === id)?.ground_truth;
    if (gt !== undefined) pairs.push([gt, r.text ?? ""]);
    const row = { file: id, audioSeconds: audio.length / 16000, wallSeconds: wall, rtf: realTimeFactor(audio.length / 16000, wall) };
    rows.push(row);
    process.stdout.write(`${id}: ${row.audioSeconds.toFixed(1)} s audio, ${wall.toFixed(2)} s wall, ${row.rtf.toFixed(1)}× real time\n`);
  }
  const audioTotal = rows.reduce((a, r) => a + r.audioSeconds, 0);
  const wallTotal = rows.reduce((a, r) => a + r.wallSeconds, 0);
  const report = { date: new Date().toISOString(), model: flags.model, loadSeconds, rows, rtf: realTimeFactor(audioTotal, wallTotal), peakRssMb: await peakRssMb(), wer: pairs.length ? wordErrorRate(pairs) : undefined };
  process.stdout.write(`total: ${audioTotal.toFixed(1)} s audio in ${wallTotal.toFixed(2)} s → ${report.rtf.toFixed(1)}× real time; peak RSS ${report.peakRssMb.toFixed(0)} MB${report.wer ? `; WER ${(100 * report.wer.wer).toFixed(1)} %` : ""}\n`);
  mkdirSync(flags.out as string, { recursive: true });
  writeFileAtomic(join(flags.out as string, `bench-${Date.now()}.json`), JSON.stringify(report, null, 2) + "\n");
  return 0;
}

/** Throughput of the chunked path at several batch sizes, with identical-text check. */
async function batchBench(flags: Record<string, unknown>, files: string[]): Promise<number> {
  const sizes = String(flags.batch_sizes).split(",").map((x) => Number.parseInt(x, 10));
  if (sizes.some((b) => !Number.isInteger(b) || b < 1)) throw new UsageError(`--batch_sizes: expected positive integers, got '${flags.batch_sizes}'`);
  const backend = MlxWhisperBackend.load(flags.model as string);
  const vad = await SileroVadOnnx.load();
  const rows = [];
  for (const file of files) {
    const one = await loadAudio(file);
    const n = flags.repeat as number;
    const audio = new Float32Array(one.length * n);
    for (let i = 0; i < n; i++) audio.set(one, i * one.length);
    const seconds = audio.length / 16000;
    let t0 = performance.now();
    const chunks = speechToChunks(getSpeechTimestamps(await vad.speechProbabilities(audio), audio.length, { maxSpeechDurationS: 30 }), 16000, 30);
    const vadSeconds = (performance.now() - t0) / 1000;
    await transcribeChunks(backend, audio, chunks.slice(0, 1), { language: "en", batchSize: 1 }); // warm-up: compile kernels
    const texts: string[][] = [];
    for (const bs of sizes) {
      t0 = performance.now();
      const r = await transcribeChunks(backend, audio, chunks, { language: "en", batchSize: bs });
      const wall = (performance.now() - t0) / 1000;
      texts.push(r.segments.map((s) => s.text));
      rows.push({ file: basename(file), audioSeconds: seconds, chunks: chunks.length, batchSize: bs, wallSeconds: wall, rtf: realTimeFactor(seconds, wall), vadSeconds });
      process.stdout.write(`${basename(file)} ×${n} (${seconds.toFixed(1)} s, ${chunks.length} chunks): batch ${bs}: ${wall.toFixed(1)} s → ${realTimeFactor(seconds, wall).toFixed(1)}× real time\n`);
    }
    const same = texts.every((t) => JSON.stringify(t) === JSON.stringify(texts[0]));
    const base = rows.find((r) => r.file === basename(file) && r.batchSize === sizes[0]);
    const last = rows[rows.length - 1];
    process.stdout.write(`  throughput batch ${last.batchSize} / batch ${sizes[0]}: ${((base?.wallSeconds ?? 0) / last.wallSeconds).toFixed(2)}×; texts identical across batch sizes: ${same}\n`);
  }
  mkdirSync(flags.out as string, { recursive: true });
  writeFileAtomic(join(flags.out as string, `batch-bench-${Date.now()}.json`), JSON.stringify({ date: new Date().toISOString(), model: flags.model, rows, peakRssMb: await peakRssMb() }, null, 2) + "\n");
  return 0;
}

if (!relaunchTuned()) {
  main(process.argv.slice(2)).then(
    (c) => (process.exitCode = c),
    (e) => {
      process.stderr.write(`bench: error: ${e instanceof UsageError ? e.message : ((e as Error).stack ?? String(e))}\n`);
      process.exitCode = 2;
    },
  );
}
