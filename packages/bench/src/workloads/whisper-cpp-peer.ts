/**
 * `pnpm bench --peers`: our `whisperx` CLI against whisper.cpp's `whisper-cli` on the same
 * checkpoint (the fixture's `.pt`, converted by `convert --to ggml`, byte-identical to
 * whisper.cpp's own converter and `quantize`), the same files and the same decoding (greedy,
 * English, no temperature fallback, no text context, 2 threads). Whole processes, run in paired
 * alternation (ours first on even rounds, theirs on odd), so load on a shared machine hits both
 * alike; wall time and peak RSS per process; WER of each side's transcript against the ground truth.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { convertWhisperToGgml, type GgmlWeightType } from "@whisperx-mlx/convert";
import { loadAudio, SAMPLE_RATE } from "@whisperx-mlx/core";
import { setUpWhisperCpp } from "../peers/whisper-cpp.js";
import { summarize } from "../stats.js";
import { gnuTimeAvailable, runTimed, type TimedRun } from "../timed-process.js";
import { wordErrorRate } from "../wer.js";
import { writeWav } from "../wav-file.js";
import { userEnvironment } from "./measured-child.js";
import { concatenateClips, type PipelineModels } from "./pipeline.js";

/** One side of a case: medians over the paired rounds. */
export interface PeerSide {
  /** Median wall time, process start to exit. */
  seconds: number;
  /** Every round's wall time. */
  runs: number[];
  /** Median peak RSS of the process (the largest single process), MiB. */
  peakRssMib: number;
  /** WER of the transcript against the ground truth. */
  wer: number;
  /** What ran (the settings that differ between cases). */
  settings: string;
}

/** One file set, both sides. */
export interface PeerCaseResult {
  id: string;
  label: string;
  files: number;
  audioSeconds: number;
  ours: PeerSide;
  peer: PeerSide;
  /** The peer's time ÷ ours: above 1 we are faster. */
  speedup: number;
  /** Our peak RSS ÷ the peer's. */
  rssRatio: number;
}

/** What `--peers` measured, or why not. */
export interface PeerComparison {
  peer: string;
  measured: boolean;
  reason?: string;
  rounds: number;
  cases: PeerCaseResult[];
}

/** Options of `runWhisperCppComparison`. */
export interface PeerOptions {
  /** Our CLI entry script (`whisperx.js`), run with this Node. */
  whisperx: string;
  models: PipelineModels;
  /** The synth-whisper-256 fixture directory: its `.pt` is the checkpoint both sides run. */
  fixtureDir: string;
  rounds: number;
  /** Where whisper.cpp is built (default: the user cache). */
  cacheDir?: string;
  onProgress?: (what: string) => void;
}

interface RefClip {
  id: string;
  ground_truth: string;
}

interface CaseSpec {
  id: string;
  label: string;
  files: string[];
  groundTruth: string[];
  audioSeconds: number;
  ourFlags: string[];
  ourSettings: string;
  ggml: GgmlWeightType;
}

/** Runs every case; never throws for a missing peer (the result says why it was not measured). */
export async function runWhisperCppComparison(o: PeerOptions): Promise<PeerComparison> {
  const notMeasured = (reason: string): PeerComparison => ({ peer: "whisper.cpp", measured: false, reason, rounds: 0, cases: [] });
  if (process.platform !== "linux") return notMeasured("peak RSS is read by GNU time on Linux only");
  if (!gnuTimeAvailable()) return notMeasured("GNU time is not installed (apt-get install time): it reads each process's own peak RSS");
  const setUp = setUpWhisperCpp({ cacheDir: o.cacheDir, onBuild: o.onProgress });
  if (!setUp.ok) return notMeasured(setUp.reason);
  const cpp = setUp.peer;
  const work = mkdtempSync(join(tmpdir(), "wx-bench-peers-"));
  try {
    const checkpoint = join(o.fixtureDir, "synth-whisper-256.pt");
    const ggml: Record<string, string> = {};
    for (const type of ["f16", "q4_0"] as const) {
      ggml[type] = join(work, `ggml-model-${type}.bin`);
      convertWhisperToGgml({ source: checkpoint, ggmlPath: ggml[type], type });
    }
    const cases = await caseSpecs(o.fixtureDir, work);
    const threads = String(Math.min(2, availableParallelism()));
    // As a user runs our CLI off Apple Silicon: ONNX Runtime, so without the MLX malloc tunables.
    const env = userEnvironment("onnx");
    const results: PeerCaseResult[] = [];
    // One untimed run of each model variant first: the page cache and our ONNX graph cache.
    o.onProgress?.("peers: warm-up");
    const warm = cases.find((c) => c.id === "3s-clip") ?? cases[0];
    await runOurs(o, warm, join(work, "warm"), env);
    await runOurs(o, { ...warm, ourFlags: ["--no_align", "--compute_type", "int8"] }, join(work, "warm"), env);
    for (const type of ["f16", "q4_0"]) await runPeer(cpp.cli, ggml[type], warm, join(work, "warm"), threads);
    for (const c of cases) {
      const ours: TimedRun[] = [];
      const peer: TimedRun[] = [];
      for (let r = 0; r < o.rounds; r++) {
        o.onProgress?.(`peers: ${c.label}, round ${r + 1}/${o.rounds}`);
        const oursRun = () => runOurs(o, c, join(work, "ours", c.id), env);
        const peerRun = () => runPeer(cpp.cli, ggml[c.ggml], c, join(work, "peer", c.id), threads);
        if (r % 2 === 0) {
          ours.push(await oursRun());
          peer.push(await peerRun());
        } else {
          peer.push(await peerRun());
          ours.push(await oursRun());
        }
      }
      const side = (runs: TimedRun[], transcripts: string[], settings: string): PeerSide => ({
        seconds: summarize(runs.map((x) => x.seconds)).median,
        runs: runs.map((x) => x.seconds),
        peakRssMib: summarize(runs.map((x) => x.peakRssMib)).median,
        wer: wordErrorRate(c.groundTruth.map((g, i): [string, string] => [g, transcripts[i] ?? ""])).wer,
        settings,
      });
      const oursSide = side(ours, ourTranscripts(join(work, "ours", c.id), c.files), c.ourSettings);
      const peerSide = side(peer, peerTranscripts(join(work, "peer", c.id), c.files), `${c.ggml} weights`);
      results.push({ id: c.id, label: c.label, files: c.files.length, audioSeconds: c.audioSeconds, ours: oursSide, peer: peerSide, speedup: peerSide.seconds / oursSide.seconds, rssRatio: oursSide.peakRssMib / peerSide.peakRssMib });
    }
    return { peer: `whisper.cpp ${cpp.version} (${cpp.origin}, whisper-cli -t ${threads} -bs 1 -bo 1 -nf -mc 0 -l en)`, measured: true, rounds: o.rounds, cases: results };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The acceptance file sets of issue 15. Inputs are symlinked into `work` (whisper-cli writes its text beside them). */
async function caseSpecs(fixtureDir: string, work: string): Promise<CaseSpec[]> {
  const refs = (JSON.parse(readFileSync(join(fixtureDir, "refs.json"), "utf8")) as { clips: RefClip[] }).clips;
  const truth = new Map(refs.map((c) => [c.id, c.ground_truth]));
  const audioDir = join(fixtureDir, "audio");
  const inputs = join(work, "inputs");
  mkdirSync(inputs);
  const link = (id: string) => {
    const dest = join(inputs, `${id}.wav`);
    if (!existsSync(dest)) symlinkSync(join(audioDir, `${id}.wav`), dest);
    return dest;
  };
  const durations = new Map<string, number>();
  for (const id of refs.map((c) => c.id)) durations.set(id, (await loadAudio(join(audioDir, `${id}.wav`))).length / SAMPLE_RATE);
  const seconds = (id: string) => durations.get(id) ?? 0;
  const short = refs.map((c) => c.id).filter((id) => id !== "longform_000").sort().slice(0, 30);
  const evalIds = refs.map((c) => c.id).filter((id) => id.startsWith("eval_")).sort();
  const tenMinutes = await concatenateClips(evalIds.map((id) => join(audioDir, `${id}.wav`)), 600);
  const tenMinuteFile = join(inputs, "eval-clips-10min.wav");
  writeWav(tenMinuteFile, tenMinutes.audio);
  const tenMinuteTruth = tenMinutes.order.map((i) => truth.get(evalIds[i]) ?? "").join(" ");
  const longform = link("longform_000");
  const noAlign = ["--no_align"];
  return [
    { id: "longform-no-align", label: "longform_000, --no_align vs f16", files: [longform], groundTruth: [truth.get("longform_000") ?? ""], audioSeconds: seconds("longform_000"), ourFlags: noAlign, ourSettings: "--no_align", ggml: "f16" },
    { id: "longform-align", label: "longform_000, with alignment vs f16 without", files: [longform], groundTruth: [truth.get("longform_000") ?? ""], audioSeconds: seconds("longform_000"), ourFlags: [], ourSettings: "alignment (default path)", ggml: "f16" },
    { id: "10min-no-align", label: "a 10-minute file, --no_align vs f16", files: [tenMinuteFile], groundTruth: [tenMinuteTruth], audioSeconds: tenMinutes.audio.length / SAMPLE_RATE, ourFlags: noAlign, ourSettings: "--no_align", ggml: "f16" },
    { id: "10min-int8", label: "a 10-minute file, --compute_type int8 vs q4_0", files: [tenMinuteFile], groundTruth: [tenMinuteTruth], audioSeconds: tenMinutes.audio.length / SAMPLE_RATE, ourFlags: [...noAlign, "--compute_type", "int8"], ourSettings: "--no_align --compute_type int8", ggml: "q4_0" },
    { id: "30-clips", label: "30 short clips in one call, --no_align vs f16", files: short.map(link), groundTruth: short.map((id) => truth.get(id) ?? ""), audioSeconds: short.reduce((a, id) => a + seconds(id), 0), ourFlags: noAlign, ourSettings: "--no_align", ggml: "f16" },
    { id: "3s-clip", label: "one 3-second clip (eval_003): start-up, --no_align vs f16", files: [link("eval_003")], groundTruth: [truth.get("eval_003") ?? ""], audioSeconds: seconds("eval_003"), ourFlags: noAlign, ourSettings: "--no_align", ggml: "f16" },
  ];
}

function runOurs(o: PeerOptions, c: CaseSpec, outDir: string, env: NodeJS.ProcessEnv): Promise<TimedRun> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const args = [o.whisperx, ...c.files, "--model", o.models.whisper, "--align_model", o.models.align, "--language", "en", "--beam_size", "1", "-f", "json", "--output_dir", outDir, ...c.ourFlags];
  return runTimed(process.execPath, args, { env });
}

function runPeer(cli: string, model: string, c: CaseSpec, outDir: string, threads: string): Promise<TimedRun> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  // whisper-cli writes <input>.txt beside each input; link the inputs into a fresh directory.
  const inputs = c.files.map((f) => {
    const dest = join(outDir, basename(f));
    symlinkSync(f, dest);
    return dest;
  });
  const args = ["-m", model, "-l", "en", "-t", threads, "-bs", "1", "-bo", "1", "-nf", "-mc", "0", "-np", "-otxt", ...inputs.flatMap((f) => ["-f", f])];
  return runTimed(cli, args);
}

function ourTranscripts(outDir: string, files: string[]): string[] {
  return files.map((f) => {
    const json = JSON.parse(readFileSync(join(outDir, basename(f).replace(/\.wav$/, ".json")), "utf8")) as { segments: { text: string }[] };
    return json.segments.map((s) => s.text).join(" ");
  });
}

function peerTranscripts(outDir: string, files: string[]): string[] {
  const written = new Set(readdirSync(outDir));
  return files.map((f) => {
    const txt = `${basename(f)}.txt`;
    return written.has(txt) ? readFileSync(join(outDir, txt), "utf8").replace(/\s+/g, " ").trim() : "";
  });
}
