/**
 * One `pnpm bench` run: calibration, architecture workloads, the real model end to end, WER on
 * the visible clips, micro-benchmarks, calibration again; then figures and targets.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { loadAudio } from "@whisperx-mlx/core";
import { mlxPackageVersion } from "@whisperx-mlx/mlx-native";
import { calibrate } from "./calibration.js";
import { EnglishTextNormalizer } from "./normalizers/english.js";
import { buildFigures } from "./report/figures.js";
import type { BenchReport, Environment, WerSplit } from "./report/types.js";
import type { WhisperArchitecture } from "./random-whisper.js";
import { baselineStatus, evaluateTargets } from "./targets.js";
import { normalizeWords, wordErrorRate } from "./wer.js";
import { runArchitecture, type ArchitectureResult } from "./workloads/architecture.js";
import { runOnnxArchitecture } from "./workloads/onnx-architecture.js";
import { runMicro } from "./workloads/micro.js";
import { concatenateAudio, PipelineRunner, type PipelineModels, type PipelineResult } from "./workloads/pipeline.js";
import { runDecodingComparison, type DecodingResult } from "./workloads/decoding.js";
import { runLongFile, writeLoopedWav, type LongFileResult } from "./workloads/long-file.js";
import { runLargeModels, type LargeModelResult } from "./workloads/large-model.js";
import { runStreamMemory, type StreamMemoryResult } from "./workloads/stream-memory.js";
import { runStreaming, type StreamingResult } from "./workloads/streaming.js";
import { runDiarization, type DiarizationResult } from "./workloads/diarization.js";
import { runWhisperCppComparison, type PeerComparison } from "./workloads/whisper-cpp-peer.js";
import { convertPyannote } from "@whisperx-mlx/convert";
import { loadModel } from "whisperx-mlx";

/** Options of `runBench`. */
export interface BenchOptions {
  mode: "quick" | "full";
  /** Also run large-v3 and large-v3-turbo dims on both engines, each step in a fresh process (needs ~10 GB and ~10 minutes). */
  large?: boolean;
  /** Also run a 2-hour file through the whole pipeline in a fresh process for its peak RSS (~5 min). */
  long?: boolean;
  /** Also stream longform_000 and the eval clips at real-time pace against offline (~5 min). */
  streaming?: boolean;
  /**
   * Also diarize the visible synthetic conversations (../synth-diarization beside the fixture) with
   * both pipeline configurations: every clip on ONNX Runtime, the long clip on MLX (~6 min).
   */
  diarization?: boolean;
  /**
   * Also run our CLI against whisper.cpp (built from the nodejs-whisper package) on the same
   * checkpoint and files, whole processes in paired alternation (~5 minutes; ~2 more to build
   * whisper.cpp the first time). `whisperx` is our CLI's entry script.
   */
  peers?: { whisperx: string; rounds?: number; only?: boolean };
  models: PipelineModels;
  /** The synth-whisper-256 fixture directory (refs.json and audio/). */
  fixtureDir: string;
  /** Repository root, for the commit id. */
  repoRoot: string;
  onProgress?: (what: string, done: number, total: number) => void;
}

interface RefClip {
  id: string;
  split: string;
  ground_truth: string;
  transcribe: { text: string };
}

/** A directory-safe machine class: CPU model and core count. */
export function environment(repoRoot: string): Environment {
  const cpuModel = cpus()[0]?.model.trim() ?? "unknown cpu";
  const cores = cpus().length;
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    // not a git checkout
  }
  const slug = cpuModel.toLowerCase().replace(/\(r\)|\(tm\)|cpu|processor|@.*$/g, "").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  return { machine: `${slug}-${cores}c`, cpuModel, cores, memoryGb: totalmem() / 2 ** 30, platform: process.platform, arch: process.arch, node: process.versions.node, mlxVersion: mlxPackageVersion(), commit };
}

/** Runs every workload of the mode and returns the report (not yet written). */
export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const t0 = performance.now();
  if (o.peers?.only) return runPeersOnly(o, o.peers.whisperx, t0);
  const quick = o.mode === "quick";
  const archs: WhisperArchitecture[] = quick ? ["tiny"] : ["tiny", "base", "small"];
  const steps = 3 + archs.length * 5 + 13;
  let done = 0;
  const progress = (what: string) => o.onProgress?.(what, done++, steps);

  progress("calibration");
  const before = calibrate();
  const refs = JSON.parse(readFileSync(join(o.fixtureDir, "refs.json"), "utf8")) as { clips: RefClip[] };
  const longform = await loadAudio(join(o.fixtureDir, "audio", "longform_000.wav"));
  const tenMinutes = quick ? undefined : await concatenateAudio(refs.clips.map((c) => join(o.fixtureDir, "audio", `${c.id}.wav`)), 600);
  const pipeline: PipelineResult[] = [];
  const wer: WerSplit[] = [];
  for (const engine of ["mlx", "onnx"] as const) {
    progress(`pipeline (${engine}): loading models`);
    const runner = await PipelineRunner.load(o.models, engine);
    await runner.warmUp(longform);
    progress(`pipeline (${engine}): longform_000`);
    pipeline.push(await runner.run("longform_000", longform, quick ? 2 : 3));
    if (tenMinutes) {
      progress(`pipeline (${engine}): 10-minute file`);
      pipeline.push(await runner.run("eval-clips-10min", tenMinutes, 1));
    }
    progress(`WER on the visible clips (${engine})`);
    const rows = await measureWer(runner, refs.clips, o.fixtureDir, (i, n) => o.onProgress?.(`WER (${engine}): clip ${i}/${n}`, done, steps));
    // MLX's rows keep the plain split names (the baseline's figures); ONNX's are prefixed.
    wer.push(...rows.map((r) => (engine === "mlx" ? r : { ...r, split: `onnx:${r.split}` })));
    await runner.close();
  }
  // Beam search (WhisperX's default decoding): its WER once (both engines give the same
  // transcripts: 37/37 clips identical to openai-whisper's beam search on each), its cost on both.
  progress("WER on the visible clips (onnx, beam 5)");
  const beamRunner = await PipelineRunner.load(o.models, "onnx", "default", 5);
  const beamRows = await measureWer(beamRunner, refs.clips, o.fixtureDir, (i, n) => o.onProgress?.(`WER (onnx, beam 5): clip ${i}/${n}`, done, steps));
  wer.push(...beamRows.map((r) => ({ ...r, split: `beam5:${r.split}` })));
  await beamRunner.close();
  const decoding: DecodingResult[] = [];
  for (const engine of ["mlx", "onnx"] as const) {
    progress(`decoding (${engine}): greedy vs beam 5`);
    decoding.push(...(await runDecodingComparison({ whisper: o.models.whisper, engine, audio: longform, batchSizes: [1, 8], repeats: quick ? 1 : 2, onProgress: (w) => o.onProgress?.(w, done, steps) })));
  }
  for (const weights of ["int8", "int4"] as const) {
    progress(`WER on the visible clips (onnx ${weights})`);
    const runner = await PipelineRunner.load(o.models, "onnx", weights);
    const rows = await measureWer(runner, refs.clips, o.fixtureDir, (i, n) => o.onProgress?.(`WER (onnx ${weights}): clip ${i}/${n}`, done, steps));
    wer.push(...rows.map((r) => ({ ...r, split: `onnx-${weights}:${r.split}` })));
    await runner.close();
  }

  const architecture: ArchitectureResult[] = [];
  // The same sizes for both engines, so their figures line up.
  const sizes = {
    encoderBatches: quick ? [1, 2] : [1, 2, 4],
    decoderBatches: quick ? [1, 8] : [1, 2, 4, 8],
    steps: quick ? 32 : 90,
    repeats: quick ? 5 : 7,
    onProgress: (w: string) => o.onProgress?.(w, done, steps),
  };
  for (const arch of archs) {
    for (const precision of ["fp32", "q4"] as const) {
      progress(`${arch} ${precision}`);
      architecture.push(await runArchitecture({ arch, precision, ...sizes }));
    }
  }
  for (const arch of archs) {
    for (const weights of ["float32", "int8", "int4"] as const) {
      progress(`onnx ${arch} ${weights}`);
      architecture.push(await runOnnxArchitecture({ arch, weights, ...sizes }));
    }
  }

  const longFile: LongFileResult[] = [];
  if (o.long) {
    progress("2-hour file: whole pipeline in a fresh process (peak RSS)");
    const dir = mkdtempSync(join(tmpdir(), "wx-bench-long-"));
    try {
      const wav = join(dir, "two-hours.wav");
      await writeLoopedWav(join(o.fixtureDir, "audio", "longform_000.wav"), 7200, wav);
      // The default engine: MLX on Apple Silicon, ONNX Runtime elsewhere.
      longFile.push(await runLongFile(o.models, process.platform === "darwin" && process.arch === "arm64" ? "mlx" : "onnx", wav, 7200));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const streaming: StreamingResult[] = [];
  if (o.streaming) {
    progress("streaming at real-time pace vs offline (longform_000 and the eval clips)");
    const stream = await loadModel(o.models.whisper, { vadMethod: "none", language: "en" });
    const clips = refs.clips.filter((c) => c.split !== "trainlike").map((c) => ({ id: c.id, file: join(o.fixtureDir, "audio", `${c.id}.wav`), groundTruth: c.ground_truth }));
    await stream.decodeWindows(longform.subarray(0, 16000 * 5), { wordTimestamps: true }); // warm-up, as whisper_streaming does
    streaming.push(await runStreaming(stream, clips, "realtime"));
    await stream.close();
  }
  const streamMemory: StreamMemoryResult[] = [];
  if (o.streaming && o.long) {
    progress("a 60-minute stream in a fresh process (buffer bound, RSS growth after GC)");
    streamMemory.push(await runStreamMemory(o.models.whisper, process.platform === "darwin" && process.arch === "arm64" ? "mlx" : "onnx", join(o.fixtureDir, "audio")));
  }

  const diarization: DiarizationResult[] = [];
  if (o.diarization) {
    progress("speaker diarization of the visible conversations (both configurations; ONNX Runtime, then MLX on vis_long)");
    const fixture = join(o.fixtureDir, "..", "synth-diarization");
    const dir = mkdtempSync(join(tmpdir(), "wx-bench-diarization-"));
    try {
      const configs = [
        { name: "3.1", dir: join(dir, "3.1") },
        { name: "community-1", dir: join(dir, "community-1") },
      ];
      convertPyannote({ torchNameOrPath: join(fixture, "models", "config-3.1.yaml"), mlxPath: configs[0].dir });
      convertPyannote({ torchNameOrPath: join(fixture, "models"), mlxPath: configs[1].dir });
      diarization.push(await runDiarization((await import("@whisperx-mlx/onnx")).onnxEngine, fixture, configs));
      diarization.push(await runDiarization((await import("@whisperx-mlx/mlx-native")).mlxEngine, fixture, configs, { clips: ["vis_long"] }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  let peers: PeerComparison | undefined;
  if (o.peers) {
    progress("against whisper.cpp: whole processes, paired (same checkpoint and files)");
    peers = await runWhisperCppComparison({ whisperx: o.peers.whisperx, models: o.models, fixtureDir: o.fixtureDir, rounds: o.peers.rounds ?? (quick ? 3 : 5), onProgress: (w) => o.onProgress?.(w, done, steps) });
  }

  progress("micro-benchmarks");
  const micro = await runMicro(quick ? 300 : 1000, (w) => o.onProgress?.(w, done, steps));
  progress("calibration (after)");
  const after = calibrate();
  // The peak sgemm rate is the steadiest measure of the machine; medians move with its load.
  const gflops = Math.max(before.gflops.max, after.gflops.max);
  const largeModels: LargeModelResult[] = [];
  if (o.large) {
    progress("large-v3 and large-v3-turbo dims (fresh processes)");
    largeModels.push(...(await runLargeModels((w) => o.onProgress?.(w, done, steps))));
  }
  const figures = buildFigures(gflops, architecture, pipeline, wer, decoding, longFile, largeModels, streaming, diarization, streamMemory, peers);
  const targets = evaluateTargets(figures, {
    "e2e/2h/peak-rss": "run with --long (a 2-hour file through the whole pipeline, ~5 minutes)",
    "stream/realtime/latency-mean": "run with --streaming (real-time streaming of the visible clips, ~5 minutes)",
    "stream/realtime/latency-p95": "run with --streaming (real-time streaming of the visible clips, ~5 minutes)",
    "stream/realtime/wer-minus-offline": "run with --streaming (real-time streaming of the visible clips, ~5 minutes)",
    "stream/60min/rss-growth": "run with --streaming --long (a 60-minute stream in a fresh process, ~10 minutes)",
    "stream/60min/max-buffer": "run with --streaming --long (a 60-minute stream in a fresh process, ~10 minutes)",
    "diar/onnx/3.1/der-minus-pyannote": "run with --diarization (the visible conversations, ~6 minutes)",
    "diar/onnx/community-1/der-minus-pyannote": "run with --diarization (the visible conversations, ~6 minutes)",
    ...peerReasons(peers),
  });
  return {
    schema: 1,
    date: new Date().toISOString(),
    mode: o.mode,
    environment: environment(o.repoRoot),
    calibration: { before, after, gflops },
    architecture,
    pipeline,
    decoding,
    ...(longFile.length ? { longFile } : {}),
    ...(largeModels.length ? { largeModels } : {}),
    ...(streaming.length ? { streaming } : {}),
    ...(streamMemory.length ? { streamMemory } : {}),
    ...(diarization.length ? { diarization } : {}),
    ...(peers ? { peers } : {}),
    wer,
    micro,
    baselines: baselineStatus(),
    figures,
    targets,
    wallSeconds: (performance.now() - t0) / 1000,
  };
}

/** WER per split of the VAD + batched path against the ground truth, next to the reference's. */
async function measureWer(runner: PipelineRunner, clips: RefClip[], fixtureDir: string, onClip: (i: number, n: number) => void): Promise<WerSplit[]> {
  const english = new EnglishTextNormalizer();
  const englishWords = (s: string) => english.normalize(s).split(" ").filter(Boolean);
  const hyps = new Map<string, string>();
  for (const [i, c] of clips.entries()) {
    onClip(i + 1, clips.length);
    hyps.set(c.id, await runner.transcribe(await loadAudio(join(fixtureDir, "audio", `${c.id}.wav`))));
  }
  const splits = [...new Set(clips.map((c) => c.split))].sort();
  const row = (split: string, group: RefClip[]): WerSplit => {
    const ours = group.map((c): [string, string] => [c.ground_truth, hyps.get(c.id) ?? ""]);
    const ref = group.map((c): [string, string] => [c.ground_truth, c.transcribe.text]);
    const w = wordErrorRate(ours, normalizeWords);
    return {
      split,
      clips: group.length,
      refWords: w.refWords,
      ours: w.wer,
      reference: wordErrorRate(ref, normalizeWords).wer,
      oursEnglish: wordErrorRate(ours, englishWords).wer,
      referenceEnglish: wordErrorRate(ref, englishWords).wer,
    };
  };
  return [...splits.map((s) => row(s, clips.filter((c) => c.split === s))), row("all", clips)];
}

/** Why each whisper.cpp target has no value: not asked for, or the peer could not run. */
function peerReasons(peers: PeerComparison | undefined): Record<string, string> {
  const reason = peers ? `whisper.cpp not measured: ${peers.reason ?? "no such case"}` : "run with --peers (our CLI against whisper.cpp, ~5 minutes)";
  const cases = ["longform-no-align", "longform-align", "10min-no-align", "10min-int8", "30-clips", "3s-clip"];
  return Object.fromEntries(cases.flatMap((c) => [[`peer/whisper.cpp/${c}/speedup`, reason], [`peer/whisper.cpp/${c}/rss-ratio`, reason]]));
}

/** `--peers-only`: calibration and the whisper.cpp comparison, nothing else. */
async function runPeersOnly(o: BenchOptions, whisperx: string, t0: number): Promise<BenchReport> {
  o.onProgress?.("calibration", 0, 3);
  const before = calibrate();
  o.onProgress?.("against whisper.cpp: whole processes, paired (same checkpoint and files)", 1, 3);
  const peers = await runWhisperCppComparison({ whisperx, models: o.models, fixtureDir: o.fixtureDir, rounds: o.peers?.rounds ?? (o.mode === "quick" ? 3 : 5), onProgress: (w) => o.onProgress?.(w, 1, 3) });
  o.onProgress?.("calibration (after)", 2, 3);
  const after = calibrate();
  const gflops = Math.max(before.gflops.max, after.gflops.max);
  const figures = buildFigures(gflops, [], [], [], [], [], [], [], [], [], peers);
  const targets = evaluateTargets(figures, peerReasons(peers)).filter((t) => t.figure.startsWith("peer/"));
  return { schema: 1, date: new Date().toISOString(), mode: o.mode, environment: environment(o.repoRoot), calibration: { before, after, gflops }, architecture: [], pipeline: [], wer: [], micro: [], baselines: baselineStatus(), peers, peersOnly: true, figures, targets, wallSeconds: (performance.now() - t0) / 1000 };
}
