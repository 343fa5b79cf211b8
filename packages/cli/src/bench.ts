#!/usr/bin/env node
/**
 * `pnpm bench`: the roadmap bench. Without audio arguments it runs the workloads (`--quick` for
 * CI, `--full`), writes `reports/<date>-<machine>/report.{json,md,html}`, and with `--check`
 * compares the run with `reports/baseline.json` (exit 1 naming each regression).
 * With audio arguments it transcribes them and reports RTF/RSS/WER (`--refs`) or batch
 * throughput (`--batch_sizes`).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import { getSpeechTimestamps, loadAudio, SileroVadOnnx, speechToChunks, transcribe, transcribeChunks, writeFileAtomic } from "@whisperx-mlx/core";
import { MlxWhisperBackend } from "@whisperx-mlx/mlx-native";
import { checkRegressions, formatRegressions, peakRssMb, realTimeFactor, reportDirName, runBench, wordErrorRate, writeReport, type BenchReport } from "@whisperx-mlx/bench";
import { helpText, parseFlags, UsageError, type FlagSpec } from "./args.js";
import { BUNDLED_ALIGN_MODEL, BUNDLED_MODEL, REPO_ROOT } from "./paths.js";
import { relaunchTuned } from "./launch.js";
import { ProgressBar } from "./progress.js";

const REPORTS = join(REPO_ROOT, "reports");
const BASELINE = join(REPORTS, "baseline.json");

const FLAGS: Record<string, FlagSpec> = {
  quick: { kind: "switch", help: "CI-sized run: tiny dims only, fewer iterations (the default)" },
  full: { kind: "switch", help: "tiny, base and small dims, more iterations, a 10-minute end-to-end file" },
  large: { kind: "switch", help: "with --full: also large-v3 dims (several GB of memory)" },
  out: { kind: "string", default: null, help: "report directory (default reports/<date>-<machine>)" },
  check: { kind: "switch", help: "compare with the baseline; exit 1 naming each regression" },
  baseline: { kind: "string", default: BASELINE, help: "baseline report for --check / --update-baseline" },
  tolerance: { kind: "number", default: 0.15, help: "allowed relative regression of a normalised figure" },
  update_baseline: { kind: "switch", help: "write this run's report.json as the baseline" },
  report: { kind: "string", default: null, help: "check an existing report.json instead of running the workloads" },
  fixtures: { kind: "string", default: join(REPO_ROOT, "..", "shared", "fixtures", "synth-whisper-256"), help: "synth-whisper-256 fixture directory (refs.json, audio/)" },
  model: { kind: "string", default: BUNDLED_MODEL, help: "MLX Whisper model directory" },
  align_model: { kind: "string", default: BUNDLED_ALIGN_MODEL, help: "MLX wav2vec2 model directory" },
  refs: { kind: "string", default: null, help: "with audio: refs.json with reference transcripts (clips[].ground_truth)" },
  batch_sizes: { kind: "string", default: null, help: "with audio, e.g. 1,8: run the WhisperX path at each batch size and compare throughput" },
  repeat: { kind: "int", default: 1, help: "with audio: concatenate each file this many times (e.g. 4 × longform_000 = 10.8 min)" },
  help: { kind: "switch", alias: "h", help: "show this help and exit" },
};

async function main(argv: string[]): Promise<number> {
  const { flags, positional } = parseFlags(argv, FLAGS);
  if (flags.help) {
    process.stdout.write(helpText("usage: bench [--quick|--full] [--check] [options]\n       bench [options] audio [audio ...]", FLAGS) + "\n");
    return 0;
  }
  if (positional.length === 0) return roadmapBench(flags);
  if (flags.batch_sizes) return batchBench(flags, positional);
  return filesBench(flags, positional);
}

/** The bench's progress: a bar on a terminal, one line per stage in logs. */
function progressPrinter(bar: ProgressBar): (what: string, done: number, total: number) => void {
  let last = "";
  return (what, done, total) => {
    bar.update(done, total, what);
    if (!process.stderr.isTTY && what !== last && !what.startsWith("WER: clip")) process.stderr.write(`bench: ${what}\n`);
    last = what;
  };
}

function readReport(file: string, what: string): BenchReport {
  if (!existsSync(file)) throw new UsageError(`${what} ${file}: no such file`);
  try {
    const r = JSON.parse(readFileSync(file, "utf8")) as BenchReport;
    if (r.schema !== 1 || !Array.isArray(r.figures)) throw new Error("not a bench report (schema 1)");
    return r;
  } catch (e) {
    throw new UsageError(`${what} ${file}: ${(e as Error).message}`);
  }
}

/** The roadmap bench: run (or read) a report, write it, check it against the baseline. */
async function roadmapBench(flags: Record<string, unknown>): Promise<number> {
  if (flags.quick && flags.full) throw new UsageError("--quick and --full are exclusive");
  const tolerance = flags.tolerance as number;
  if (!(tolerance >= 0 && tolerance < 1)) throw new UsageError(`--tolerance: expected a fraction in [0, 1), got ${tolerance}`);
  let report: BenchReport;
  if (flags.report) {
    report = readReport(resolve(flags.report as string), "--report");
    // With --out, render the report's files again (e.g. after a change to the page).
    if (flags.out) writeReport(report, flags.out as string, REPORTS);
  } else {
    const fixtureDir = flags.fixtures as string;
    if (!existsSync(join(fixtureDir, "refs.json"))) throw new UsageError(`--fixtures ${fixtureDir}: no refs.json (the synth-whisper-256 fixture from ../shared)`);
    const bar = new ProgressBar("bench");
    const progress = progressPrinter(bar);
    report = await runBench({
      mode: flags.full ? "full" : "quick",
      large: Boolean(flags.large),
      models: { whisper: flags.model as string, align: flags.align_model as string },
      fixtureDir,
      repoRoot: REPO_ROOT,
      onProgress: progress,
    });
    bar.finish();
    const dir = (flags.out as string | null) ?? join(REPORTS, reportDirName(report));
    const paths = writeReport(report, dir, REPORTS);
    process.stdout.write(summary(report));
    process.stdout.write(`report: ${paths.json}\n        ${paths.md}\n        ${paths.html}\n`);
    if (flags.update_baseline) {
      mkdirSync(resolve(flags.baseline as string, ".."), { recursive: true });
      copyFileSync(paths.json, flags.baseline as string);
      process.stdout.write(`baseline updated: ${flags.baseline}\n`);
    }
  }
  if (!flags.check) return 0;
  const baseline = readReport(flags.baseline as string, "--baseline");
  const gate = checkRegressions(report, baseline, tolerance);
  if (gate.regressions.length || gate.missing.length) {
    process.stdout.write(formatRegressions(gate, tolerance) + "\n");
    process.stdout.write(`gate: FAILED — ${gate.regressions.length} regression(s), ${gate.missing.length} missing, of ${gate.checked} checked figures (tolerance ${tolerance})\n`);
    return 1;
  }
  process.stdout.write(`gate: passed — ${gate.checked} figures within ${tolerance} of ${flags.baseline} (calibration-normalised)\n`);
  return 0;
}

/** The console summary: targets and the headline figures. */
function summary(r: BenchReport): string {
  const lines = [`calibration: ${r.calibration.gflops.toFixed(1)} GFLOP/s (sgemm ${r.calibration.before.n}³)`];
  for (const a of r.architecture) {
    lines.push(`${a.engine === "onnx" ? "ONNX Runtime" : "MLX"} ${a.arch} ${a.precision}: encoder ${a.encoderMsPerWindow[a.bestEncoderBatch].median.toFixed(0)} ms/window, ` + Object.keys(a.decoderMsPerStep).map((b) => `batch ${b}: ${a.decoderMsPerStep[b].median.toFixed(1)} ms/step → ${a.rtf[b].toFixed(1)}×`).join(", "));
  }
  for (const p of r.pipeline) lines.push(`${p.engine === "onnx" ? "ONNX Runtime" : "MLX"} ${p.name}: VAD ${p.stages.vad.toFixed(2)} s + ASR ${p.stages.asr.toFixed(2)} s + alignment ${p.stages.align.toFixed(2)} s = ${p.stages.total.toFixed(2)} s → ${p.rtf.total.toFixed(1)}× real time; peak RSS ${p.peakRssMb.toFixed(0)} MB`);
  const all = r.wer.find((w) => w.split === "all");
  if (all) lines.push(`WER (all visible clips): ${(100 * all.ours).toFixed(1)} % (reference ${(100 * all.reference).toFixed(1)} %)`);
  for (const t of r.targets) lines.push(`target ${t.id}: ${t.pass === null ? `not measured (${t.reason})` : `${t.value?.toFixed(t.figure.startsWith("wer") ? 3 : 1)} ${t.pass ? "pass" : "MISS"} (${t.op} ${t.threshold})`}`);
  return lines.join("\n") + "\n";
}

/** Transcribes audio files sequentially: RTF, peak RSS and WER against a refs.json. */
async function filesBench(flags: Record<string, unknown>, positional: string[]): Promise<number> {
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
  const runsDir = (flags.out as string | null) ?? join(REPORTS, "runs");
  mkdirSync(runsDir, { recursive: true });
  writeFileAtomic(join(runsDir, `bench-${Date.now()}.json`), JSON.stringify(report, null, 2) + "\n");
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
  const runsDir = (flags.out as string | null) ?? join(REPORTS, "runs");
  mkdirSync(runsDir, { recursive: true });
  writeFileAtomic(join(runsDir, `batch-bench-${Date.now()}.json`), JSON.stringify({ date: new Date().toISOString(), model: flags.model, rows, peakRssMb: await peakRssMb() }, null, 2) + "\n");
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
