#!/usr/bin/env node
/**
 * `whisperx`: WhisperX's command line over the whisperx-mlx library. It parses flags, calls the
 * public API and writes files. Exit codes: 0 all files done, 1 some files failed (each reported
 * on one line), 2 bad usage, model or runtime.
 */
import { mkdirSync } from "node:fs";
import {
  align,
  assignWordSpeakers,
  DEMO_MODEL,
  DiarizationModelError,
  loadDiarizationPipeline,
  type DiarizationPipeline,
  EngineError,
  formatTimestamp,
  HubError,
  InvalidOptionError,
  loadAlignModel,
  loadModel,
  MlxRuntimeError,
  ModelLoadError,
  ModelResolveError,
  OnnxModelError,
  PromptTooLongError,
  runtimeVersions,
  VERSION,
  writeResult,
  type AsrPipeline,
  type Progress,
  type TranscriptionResult,
} from "whisperx-mlx";
import { alignMain } from "./align-command.js";
import { diarizeMain } from "./diarize-command.js";
import { serveMain } from "./serve-command.js";
import { streamMain } from "./stream-command.js";
import { helpText, parseFlags, UsageError } from "./args.js";
import { expandGlobs } from "./expand-globs.js";
import { relaunchTuned, selectsMlx } from "./launch.js";
import { Log } from "./log.js";
import { WHISPERX_FLAGS } from "./whisperx-flags.js";
import { whisperxRun } from "./whisperx-options.js";

const printProgress = (p: Progress) => process.stdout.write(`Progress: ${p.percent.toFixed(2)}%...\n`);

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let pipeline: AsrPipeline | undefined;
  let diarization: DiarizationPipeline | undefined;
  try {
    const { flags, given, positional } = parseFlags(argv, WHISPERX_FLAGS);
    if (flags.help) {
      process.stdout.write(helpText("usage: whisperx [options] audio [audio ...]\n       whisperx align audio --transcript FILE [options]\n       whisperx diarize audio [options]\n       whisperx stream [options] [FILE|-]\n       whisperx serve [--host H] [--port N] [options]", WHISPERX_FLAGS) + "\n");
      return 0;
    }
    if (flags.version) {
      process.stdout.write(`whisperx ${VERSION}\n`);
      return 0;
    }
    if (flags.python_version) {
      process.stdout.write(Object.entries(runtimeVersions()).map(([name, version]) => `${name} ${version}`).join("\n") + "\n");
      return 0;
    }
    const run = whisperxRun(flags, given);
    const files = expandGlobs(positional);
    if (files.length === 0) throw new UsageError("the following arguments are required: audio");
    const log = new Log("whisperx", run.logLevel);
    for (const w of run.warnings) log.warning(w);
    if (run.model === undefined) log.warning(`no --model given: using the bundled demo model ${DEMO_MODEL}, trained on synthetic espeak-ng speech only (it cannot transcribe real speech); choose a real model with --model small (or tiny, base, medium, large-v3, turbo, a Hub id or a directory)`);
    // Downloads, conversions, graph builds and engine fallbacks are shown unless --log-level says error.
    pipeline = await loadModel(run.model ?? DEMO_MODEL, { ...run.load, onLog: log.warning });
    mkdirSync(run.outputDir, { recursive: true });
    log.info(`backend ${pipeline.engine}${flags.backend === "auto" ? " (auto)" : ""}`);
    let failed = 0;
    for await (const item of pipeline.transcribeFiles(files, { ...run.call, onProgress: run.printProgress ? printProgress : undefined })) {
      const file = item.file;
      try {
        if (!item.ok) throw item.error;
        for (const w of item.warnings) log.warning(`${file}: ${w}${w === "no active speech found" ? "; writing an empty transcript" : ""}`);
        const probs = item.result.language_probs;
        if (probs) log.info(`${file}: detected language: ${item.result.language} (${probs[item.result.language].toFixed(2)}) in first 30s of audio`);
        let output: TranscriptionResult = { segments: item.result.segments, language: item.result.language, ...(item.result.word_segments ? { word_segments: item.result.word_segments } : {}) };
        let alignSeconds = 0;
        if (run.align && output.segments.length) {
          const ta = performance.now();
          const alignModel = await loadAlignModel(output.language, { ...run.load, modelName: run.align.modelName, asrModel: pipeline, onLog: log.warning });
          const onProgress = run.printProgress ? (done: number, total: number) => printProgress({ stage: "align", done, total, percent: (100 * done) / total }) : undefined;
          const aligned = await align(output.segments, alignModel, item.audio, { ...run.align, onProgress });
          output = { segments: aligned.segments, word_segments: aligned.word_segments, language: output.language };
          alignSeconds = (performance.now() - ta) / 1000;
        }
        let diarizeSeconds = 0;
        if (run.diarize) {
          const td = performance.now();
          diarization ??= await loadDiarizationPipeline(run.diarize.model, { ...run.load, onLog: log.warning });
          const onProgress = run.printProgress ? printProgress : undefined;
          const d = await diarization.diarize(item.audio, { minSpeakers: run.diarize.minSpeakers, maxSpeakers: run.diarize.maxSpeakers, returnEmbeddings: run.diarize.speakerEmbeddings, onProgress });
          output = assignWordSpeakers(d.turns, output, { speakerEmbeddings: d.speakerEmbeddings });
          diarizeSeconds = (performance.now() - td) / 1000;
        }
        if (run.verbose) for (const s of output.segments) process.stdout.write(`[${formatTimestamp(s.start)} --> ${formatTimestamp(s.end)}] ${s.text}\n`);
        const secs = item.seconds + alignSeconds + diarizeSeconds;
        const audioSeconds = item.audio.length / 16000;
        log.info(`${file}: ${audioSeconds.toFixed(1)} s of audio in ${secs.toFixed(2)} s (${(audioSeconds / secs).toFixed(1)}× real time${run.align ? `; alignment ${alignSeconds.toFixed(2)} s` : ""}${run.diarize ? `; diarization ${diarizeSeconds.toFixed(2)} s` : ""})`);
        writeResult(output, file, run.outputDir, run.format, run.subtitles);
      } catch (e) {
        failed++;
        const msg = (e as Error).message;
        log.error(msg.startsWith(file) ? msg : `${file}: ${msg}`);
      }
    }
    if (failed) log.error(`${failed} of ${files.length} file(s) failed`);
    return failed ? 1 : 0;
  } catch (e) {
    if ([UsageError, InvalidOptionError, PromptTooLongError, ModelResolveError, EngineError, MlxRuntimeError, ModelLoadError, OnnxModelError, HubError, DiarizationModelError].some((c) => e instanceof c)) {
      process.stderr.write(`whisperx: error: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  } finally {
    await pipeline?.close();
    await diarization?.release();
  }
}

if (!relaunchTuned(selectsMlx)) {
  const argv = process.argv.slice(2);
  const command = new Map([["align", alignMain], ["diarize", diarizeMain], ["stream", streamMain], ["serve", serveMain]]).get(argv[0] ?? "");
  (command ? command(argv.slice(1)) : main(argv)).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`whisperx: internal error: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 70;
    },
  );
}
