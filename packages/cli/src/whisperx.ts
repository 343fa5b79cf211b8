#!/usr/bin/env node
/**
 * `whisperx`: WhisperX's command line over the whisperx-mlx library. It parses flags, calls the
 * public API and writes files. Exit codes: 0 all files done, 1 some files failed (each reported
 * on one line), 2 bad usage, model or runtime.
 */
import { mkdirSync } from "node:fs";
import {
  align,
  DEMO_MODEL,
  EngineError,
  formatTimestamp,
  HubError,
  loadAlignModel,
  loadModel,
  MlxRuntimeError,
  ModelLoadError,
  ModelResolveError,
  OnnxModelError,
  VERSION,
  writeResult,
  temperatureSchedule,
  type Progress,
  type TranscriptionResult,
} from "whisperx-mlx";
import { alignMain } from "./align-command.js";
import { helpText, parseFlags, UsageError } from "./args.js";
import { expandGlobs } from "./expand-globs.js";
import { relaunchTuned } from "./launch.js";
import { WHISPERX_FLAGS } from "./whisperx-flags.js";

/** `--suppress_tokens "-1,264"` → token ids. */
function tokenList(flag: string): number[] {
  const ids = flag.split(",").filter((t) => t.trim() !== "").map((t) => Number(t.trim()));
  if (ids.some((t) => !Number.isInteger(t))) throw new UsageError(`argument --suppress_tokens: expected comma-separated token ids, got '${flag}'`);
  return ids;
}

const log = (message: string) => process.stderr.write(`whisperx: ${message}\n`);
const printProgress = (p: Progress) => process.stdout.write(`Progress: ${p.percent.toFixed(2)}%...\n`);

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let pipeline;
  try {
    const { flags: f, positional } = parseFlags(argv, WHISPERX_FLAGS);
    if (f.help) {
      process.stdout.write(helpText("usage: whisperx [options] audio [audio ...]\n       whisperx align audio --transcript FILE [options]", WHISPERX_FLAGS) + "\n");
      return 0;
    }
    if (f.version) {
      process.stdout.write(`whisperx ${VERSION}\n`);
      return 0;
    }
    const files = expandGlobs(positional);
    if (files.length === 0) throw new UsageError("the following arguments are required: audio");
    if (f.vad_method === "pyannote") throw new UsageError("--vad_method pyannote is not available in this version; use silero (or none)");
    if (f.diarize) throw new UsageError("--diarize is not available in this version yet");
    const dtw = f.word_timestamps === "dtw";
    if (dtw && f.vad_method !== "none") throw new UsageError("--word_timestamps dtw works on openai-whisper's sequential path: add --vad_method none");
    if (f.model === null) log(`no --model given: using the bundled demo model ${DEMO_MODEL}, trained on synthetic espeak-ng speech only (it cannot transcribe real speech); choose a real model with --model small (or tiny, base, medium, large-v3, turbo, a Hub id or a directory)`);
    const source = { downloadRoot: f.model_dir ?? undefined, localFilesOnly: f.model_cache_only, onLog: log };
    pipeline = await loadModel(f.model ?? DEMO_MODEL, {
      ...source,
      backend: f.backend,
      computeType: f.compute_type,
      asrOptions: {
        temperatures: temperatureSchedule(f.temperature, f.temperature_increment_on_fallback),
        compressionRatioThreshold: f.compression_ratio_threshold,
        logProbThreshold: f.logprob_threshold,
        noSpeechThreshold: f.no_speech_threshold,
        conditionOnPreviousText: f.condition_on_previous_text,
        initialPrompt: f.initial_prompt ?? undefined,
        suppressTokens: tokenList(f.suppress_tokens),
        wordTimestamps: dtw,
      },
      vadMethod: f.vad_method,
      vadOptions: { vadOnset: f.vad_onset, vadOffset: f.vad_offset, chunkSize: f.chunk_size },
      vadRuntime: f.vad_backend,
      vadModel: f.vad_model ?? undefined,
    });
    mkdirSync(f.output_dir, { recursive: true });
    if (f.verbose) log(`backend ${pipeline.engine}${f.backend === "auto" ? " (auto)" : ""}`);
    // WhisperX: translation cannot be aligned to the audio's language.
    const doAlign = !f.no_align && !dtw && f.task !== "translate";
    let failed = 0;
    const callOptions = { language: f.language ?? undefined, task: f.task, batchSize: f.batch_size, chunkSize: f.chunk_size, prefetch: f.prefetch, onProgress: f.print_progress ? printProgress : undefined };
    for await (const item of pipeline.transcribeFiles(files, callOptions)) {
      const file = item.file;
      try {
        if (!item.ok) throw item.error;
        for (const w of item.warnings) log(`${file}: ${w}${w === "no active speech found" ? "; writing an empty transcript" : ""}`);
        let output: TranscriptionResult = item.result;
        let alignSeconds = 0;
        if (doAlign && output.segments.length) {
          const ta = performance.now();
          const alignModel = await loadAlignModel(output.language, { ...source, modelName: f.align_model ?? undefined, asrModel: pipeline });
          const aligned = await align(output.segments, alignModel, item.audio, { interpolateMethod: f.interpolate_method, returnCharAlignments: f.return_char_alignments, onProgress: f.print_progress ? (done, total) => printProgress({ stage: "align", done, total, percent: (100 * done) / total }) : undefined });
          output = { segments: aligned.segments, word_segments: aligned.word_segments, language: output.language };
          alignSeconds = (performance.now() - ta) / 1000;
        }
        if (f.verbose) {
          for (const s of output.segments) process.stdout.write(`[${formatTimestamp(s.start)} --> ${formatTimestamp(s.end)}] ${s.text}\n`);
          const secs = item.seconds + alignSeconds;
          const audioSeconds = item.audio.length / 16000;
          log(`${file}: ${audioSeconds.toFixed(1)} s of audio in ${secs.toFixed(2)} s (${(audioSeconds / secs).toFixed(1)}× real time${doAlign ? `; alignment ${alignSeconds.toFixed(2)} s` : ""})`);
        }
        writeResult(output, file, f.output_dir, f.output_format, { maxLineWidth: f.max_line_width, maxLineCount: f.max_line_count, highlightWords: f.highlight_words });
      } catch (e) {
        failed++;
        const msg = (e as Error).message;
        log(msg.startsWith(file) ? msg : `${file}: ${msg}`);
      }
    }
    if (failed) log(`${failed} of ${files.length} file(s) failed`);
    return failed ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof ModelResolveError || e instanceof EngineError || e instanceof MlxRuntimeError || e instanceof ModelLoadError || e instanceof OnnxModelError || e instanceof HubError) {
      process.stderr.write(`whisperx: error: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    await pipeline?.close();
  }
}

if (!relaunchTuned()) {
  const argv = process.argv.slice(2);
  (argv[0] === "align" ? alignMain(argv.slice(1)) : main(argv)).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`whisperx: internal error: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 70;
    },
  );
}
