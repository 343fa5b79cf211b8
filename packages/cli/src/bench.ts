#!/usr/bin/env node
/**
 * `pnpm bench`: the roadmap bench. Without audio arguments it runs the workloads (`--quick` for
 * CI, `--full`), writes `reports/<date>-<machine>/report.{json,md,html}`, and with `--check`
 * compares the run with `reports/baseline.json` (exit 1 naming each regression).
 * With audio arguments it transcribes them and reports RTF/RSS/WER (`--refs`) or batch
 * throughput (`--batch_sizes`).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { averageLatency, checkRegressions, formatRegressions, reportDirName, runBatchSizesBench, parseCandidateWords, parseGoldWords, runBench, runFilesBench, writeReport, writeRunReport, type BenchReport } from "@whisperx-mlx/bench";
import { DEMO_ALIGN_MODEL, DEMO_MODEL } from "whisperx-mlx";
import { helpText, parseFlags, UsageError, type FlagSpec, type FlagValues } from "./args.js";
import { relaunchTuned } from "./launch.js";
import { ProgressBar } from "./progress.js";

// Reports, the baseline and the fixtures are found relative to the working directory: `pnpm bench`
// runs in the repository root.
const REPORTS = resolve("reports");
const BASELINE = join(REPORTS, "baseline.json");

const FLAGS = {
  quick: { kind: "switch", help: "CI-sized run: tiny dims only, fewer iterations (the default)" },
  full: { kind: "switch", help: "tiny, base and small dims, more iterations, a 10-minute end-to-end file" },
  large: { kind: "switch", help: "also large-v3 and large-v3-turbo dims (random fp16 weights) on both engines: ONNX build (external data past 2 GiB) and one window each, in fresh processes with their peak RSS (~10 GB, ~10 minutes)" },
  streaming: { kind: "switch", help: "also stream longform_000 and the eval clips at real-time pace against the offline transcript: WER, word latency, lag (~5 minutes)" },
  diarization: { kind: "switch", help: "also diarize the visible synthetic conversations with pyannote's two configurations: DER, JER, speaker counts, DER vs pyannote, time per stage (every clip on ONNX Runtime, vis_long on MLX; ~6 minutes)" },
  long: { kind: "switch", help: "also a 2-hour file through the whole pipeline in a fresh process, for its peak RSS (~5 minutes); with --streaming also a 60-minute stream (buffer bound, RSS growth after GC; ~10 minutes)" },
  peers: { kind: "switch", help: "also run our CLI against whisper.cpp (built once from the nodejs-whisper package's source; needs cmake, g++ and GNU time) on the same checkpoint and files: whole processes in paired alternation, wall time, peak RSS, WER and the ratios (~5 minutes)" },
  peers_only: { kind: "switch", help: "only calibration and the whisper.cpp comparison (for the peer gate: --check --baseline reports/baseline-peers.json)" },
  rounds: { kind: "int", default: null, help: "with --peers: paired rounds per case (default 3 with --quick, 5 with --full)" },
  latency: { kind: "string", default: null, help: "GOLD.tsv: ÚFAL's streaming latency tool — the mean word latency of a whisper_streaming-format transcript on stdin (`whisperx stream --output text`) against gold word times (begin<TAB>end<TAB>word)" },
  out: { kind: "string", default: null, help: "report directory (default reports/<date>-<machine>)" },
  check: { kind: "switch", help: "compare with the baseline; exit 1 naming each regression" },
  baseline: { kind: "string", default: BASELINE, help: "baseline report for --check / --update-baseline" },
  tolerance: { kind: "number", default: 0.15, help: "allowed relative regression of a normalised figure" },
  update_baseline: { kind: "switch", help: "write this run's report.json as the baseline" },
  report: { kind: "string", default: null, help: "check an existing report.json instead of running the workloads" },
  fixtures: { kind: "string", default: resolve(process.env.SHARED_DIR ?? "../shared", "fixtures", "synth-whisper-256"), help: "synth-whisper-256 fixture directory (refs.json, audio/)" },
  model: { kind: "string", default: DEMO_MODEL, help: "Whisper model: a name, Hub id or MLX directory" },
  align_model: { kind: "string", default: DEMO_ALIGN_MODEL, help: "wav2vec2 model: a name, Hub id or MLX directory" },
  backend: { kind: "string", default: "auto", choices: ["auto", "mlx", "onnx"], help: "with audio: the engine (auto: MLX on Apple Silicon, ONNX Runtime elsewhere)" },
  refs: { kind: "string", default: null, help: "with audio: refs.json with reference transcripts (clips[].ground_truth)" },
  batch_sizes: { kind: "string", default: null, help: "with audio, e.g. 1,8: run the WhisperX path at each batch size and compare throughput" },
  repeat: { kind: "int", default: 1, help: "with audio: concatenate each file this many times (e.g. 4 × longform_000 = 10.8 min)" },
  help: { kind: "switch", alias: "h", help: "show this help and exit" },
} as const satisfies Record<string, FlagSpec>;

type BenchFlags = FlagValues<typeof FLAGS>;

async function main(argv: string[]): Promise<number> {
  const { flags, positional } = parseFlags(argv, FLAGS);
  if (flags.help) {
    process.stdout.write(helpText("usage: bench [--quick|--full] [--check] [options]\n       bench [options] audio [audio ...]", FLAGS) + "\n");
    return 0;
  }
  if (flags.latency) return streamingLatency(flags.latency, positional);
  if (positional.length === 0) return roadmapBench(flags);
  if (flags.batch_sizes) return batchBench(flags, positional);
  return filesBench(flags, positional);
}

/** `--latency GOLD`: prints the average word latency of the transcript on stdin, as latency.py does. */
async function streamingLatency(goldFile: string, positional: string[]): Promise<number> {
  if (positional.length) throw new UsageError("--latency reads the transcript from stdin; no audio arguments");
  if (!existsSync(goldFile)) throw new UsageError(`--latency ${goldFile}: no such file`);
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  let gold, candidate;
  try {
    gold = parseGoldWords(readFileSync(goldFile, "utf8"));
  } catch (e) {
    throw new UsageError(`--latency ${goldFile}: ${(e as Error).message}`);
  }
  try {
    candidate = parseCandidateWords(Buffer.concat(chunks).toString("utf8"));
  } catch (e) {
    throw new UsageError(`stdin: ${(e as Error).message}`);
  }
  const latency = averageLatency(gold, candidate);
  // As Python prints a float (`2.0`, not `2`).
  process.stdout.write(`${Number.isInteger(latency) ? latency.toFixed(1) : latency}\n`);
  return 0;
}

/** The bench's progress: a bar on a terminal, one line per stage in logs. */
function progressPrinter(bar: ProgressBar): (what: string, done: number, total: number) => void {
  let last = "";
  return (what, done, total) => {
    bar.update(done, total, what);
    if (!process.stderr.isTTY && what !== last && !/^WER .*: clip \d/.test(what)) process.stderr.write(`bench: ${what}\n`);
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
async function roadmapBench(flags: BenchFlags): Promise<number> {
  if (flags.quick && flags.full) throw new UsageError("--quick and --full are exclusive");
  if (flags.rounds !== null && !(flags.peers || flags.peers_only)) throw new UsageError("--rounds applies to --peers");
  if (flags.rounds !== null && flags.rounds < 1) throw new UsageError(`--rounds: expected a positive integer, got ${flags.rounds}`);
  const tolerance = flags.tolerance;
  if (!(tolerance >= 0 && tolerance < 1)) throw new UsageError(`--tolerance: expected a fraction in [0, 1), got ${tolerance}`);
  let report: BenchReport;
  if (flags.report) {
    report = readReport(resolve(flags.report), "--report");
    // With --out, render the report's files again (e.g. after a change to the page).
    if (flags.out) writeReport(report, flags.out, REPORTS);
  } else {
    const fixtureDir = flags.fixtures;
    if (!existsSync(join(fixtureDir, "refs.json"))) throw new UsageError(`--fixtures ${fixtureDir}: no refs.json (the synth-whisper-256 fixture from ../shared)`);
    const bar = new ProgressBar("bench");
    const progress = progressPrinter(bar);
    report = await runBench({
      mode: flags.full ? "full" : "quick",
      large: Boolean(flags.large),
      long: Boolean(flags.long),
      streaming: Boolean(flags.streaming),
      diarization: Boolean(flags.diarization),
      ...(flags.peers || flags.peers_only ? { peers: { whisperx: fileURLToPath(new URL("./whisperx.js", import.meta.url)), only: Boolean(flags.peers_only), ...(flags.rounds ? { rounds: flags.rounds } : {}) } } : {}),
      models: { whisper: flags.model, align: flags.align_model },
      fixtureDir,
      repoRoot: process.cwd(),
      onProgress: progress,
    });
    bar.finish();
    const dir = flags.out ?? join(REPORTS, reportDirName(report));
    const paths = writeReport(report, dir, REPORTS);
    process.stdout.write(summary(report));
    process.stdout.write(`report: ${paths.json}\n        ${paths.md}\n        ${paths.html}\n`);
    if (flags.update_baseline) {
      mkdirSync(resolve(flags.baseline, ".."), { recursive: true });
      copyFileSync(paths.json, flags.baseline);
      process.stdout.write(`baseline updated: ${flags.baseline}\n`);
    }
  }
  if (!flags.check) return 0;
  const baseline = readReport(flags.baseline, "--baseline");
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
async function filesBench(flags: BenchFlags, files: string[]): Promise<number> {
  let references: Map<string, string> | undefined;
  if (flags.refs) {
    const refs = JSON.parse(readFileSync(flags.refs, "utf8")) as { clips?: { id: string; ground_truth: string }[] };
    if (!Array.isArray(refs.clips)) throw new UsageError(`--refs ${flags.refs}: no clips[] with ground_truth`);
    references = new Map(refs.clips.map((c) => [c.id, c.ground_truth]));
  }
  const report = await runFilesBench({
    model: flags.model,
    backend: flags.backend,
    files,
    references,
    onRow: (r) => process.stdout.write(`${r.file}: ${r.audioSeconds.toFixed(1)} s audio, ${r.wallSeconds.toFixed(2)} s wall, ${r.rtf.toFixed(1)}× real time\n`),
  });
  const audioTotal = report.rows.reduce((a, r) => a + r.audioSeconds, 0);
  const wallTotal = report.rows.reduce((a, r) => a + r.wallSeconds, 0);
  process.stdout.write(`total: ${audioTotal.toFixed(1)} s audio in ${wallTotal.toFixed(2)} s → ${report.rtf.toFixed(1)}× real time on ${report.engine}; peak RSS ${report.peakRssMb.toFixed(0)} MB${report.wer ? `; WER ${(100 * report.wer.wer).toFixed(1)} %` : ""}\n`);
  writeRun(flags, "bench", report);
  return 0;
}

/** Throughput of the chunked path at several batch sizes, with identical-text check. */
async function batchBench(flags: BenchFlags, files: string[]): Promise<number> {
  const sizes = String(flags.batch_sizes).split(",").map((x) => Number.parseInt(x, 10));
  if (sizes.some((b) => !Number.isInteger(b) || b < 1)) throw new UsageError(`--batch_sizes: expected positive integers, got '${flags.batch_sizes}'`);
  const report = await runBatchSizesBench({
    model: flags.model,
    backend: flags.backend,
    files,
    batchSizes: sizes,
    repeat: flags.repeat,
    onRow: (r) => process.stdout.write(`${r.file} ×${flags.repeat} (${r.audioSeconds.toFixed(1)} s, ${r.chunks} chunks): batch ${r.batchSize}: ${r.wallSeconds.toFixed(1)} s → ${r.rtf.toFixed(1)}× real time\n`),
  });
  for (const [file, same] of Object.entries(report.identical)) {
    const rows = report.rows.filter((r) => r.file === file);
    process.stdout.write(`  ${file}: throughput batch ${rows[rows.length - 1].batchSize} / batch ${rows[0].batchSize}: ${(rows[0].wallSeconds / rows[rows.length - 1].wallSeconds).toFixed(2)}×; texts identical across batch sizes: ${same}\n`);
  }
  writeRun(flags, "batch-bench", report);
  return 0;
}

/** Keeps a run's JSON in reports/runs (or --out). */
function writeRun(flags: BenchFlags, kind: string, report: object): void {
  process.stdout.write(`report: ${writeRunReport(flags.out ?? join(REPORTS, "runs"), kind, report)}\n`);
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
