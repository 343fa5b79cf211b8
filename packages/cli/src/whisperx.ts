#!/usr/bin/env node
/**
 * `whisperx`: WhisperX's command line on MLX. Exit codes: 0 all files done, 1 some files
 * failed (each reported on one line), 2 bad usage or model.
 */
import { mkdirSync } from "node:fs";
import {
  AudioLoadError,
  formatTimestamp,
  align,
  getSpeechTimestamps,
  type AlignModel,
  type InterpolateMethod,
  speechToChunks,
  transcribe,
  transcribeChunks,
  VadService,
  VadWorkerError,
  writeResult,
  type OutputFormat,
  type TranscriptionResult,
  type WhisperBackend,
  type VadResult,
} from "@whisperx-mlx/core";
import { MlxRuntimeError, MlxWhisperBackend, ModelLoadError, SileroVadMlx, Wav2Vec2Mlx } from "@whisperx-mlx/mlx-native";
import { OnnxModelError, OnnxWhisperBackend, Wav2Vec2Onnx } from "@whisperx-mlx/onnx";
import { expandGlobs } from "./expand-globs.js";
import { alignMain } from "./align-command.js";
import { helpText, parseFlags, UsageError } from "./args.js";
import { relaunchTuned } from "./launch.js";
import { BUNDLED_SILERO_MLX } from "./paths.js";
import { resolveAlignModel, resolveWhisperModel } from "./models.js";
import { WHISPERX_FLAGS } from "./whisperx-flags.js";

/**
 * The engine for `--backend`: `auto` is MLX on Apple Silicon and ONNX Runtime elsewhere (MLX has
 * only a slow CPU backend there).
 */
function chooseEngine(flag: "auto" | "mlx" | "onnx"): "mlx" | "onnx" {
  if (flag !== "auto") return flag;
  return process.platform === "darwin" && process.arch === "arm64" ? "mlx" : "onnx";
}

function temperatures(t: number, increment: number | null): number[] {
  if (increment === null || increment <= 0) return [t];
  const out: number[] = [];
  for (let v = t; v <= 1.0 + 1e-6; v += increment) out.push(Math.round(v * 1e6) / 1e6);
  return out;
}

interface Job {
  file: string;
  /** Decoded audio and, for the ONNX VAD, speech timestamps, from the worker. */
  prepared: Promise<VadResult>;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseFlags(argv, WHISPERX_FLAGS);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`whisperx: error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const f = args.flags;
  if (f.help) {
    process.stdout.write(helpText("usage: whisperx [options] audio [audio ...]", WHISPERX_FLAGS) + "\n");
    return 0;
  }
  const files = expandGlobs(args.positional);
  let vad: VadService | undefined;
  try {
    if (files.length === 0) throw new UsageError("the following arguments are required: audio");
    if (f.vad_method === "pyannote") throw new UsageError("--vad_method pyannote is not available in this version; use silero (or none)");
    if (f.diarize) throw new UsageError("--diarize is not available in this version yet");
    // WhisperX's --model_dir is the download root; --model_cache_only forbids downloads.
    const fetchOptions = {
      log: (m: string) => process.stderr.write(`whisperx: ${m}\n`),
      hub: { ...(f.model_dir ? { cacheDir: f.model_dir as string } : {}), ...(f.model_cache_only ? { offline: true } : {}) },
    };
    const modelDir = await resolveWhisperModel(f.model as string | null, fetchOptions);
    const outputDir = f.output_dir as string;
    mkdirSync(outputDir, { recursive: true });
    const verbose = f.verbose as boolean;
    const dtw = f.word_timestamps === "dtw";
    const engine = chooseEngine(f.backend as "auto" | "mlx" | "onnx");
    if (verbose) process.stderr.write(`whisperx: backend ${engine}${f.backend === "auto" ? " (auto)" : ""}\n`);
    const backend: WhisperBackend =
      engine === "mlx" ? MlxWhisperBackend.load(modelDir) : await OnnxWhisperBackend.load(modelDir, { onBuild: (m) => process.stderr.write(`whisperx: ${m}\n`), weights: f.compute_type === "int8" || f.compute_type === "int4" ? f.compute_type : "float32" });
    if (dtw && f.vad_method !== "none") throw new UsageError("--word_timestamps dtw works on openai-whisper's sequential path: add --vad_method none");
    // WhisperX: translation cannot be aligned to the audio's language.
    const doAlign = !f.no_align && !dtw && f.task !== "translate";
    const aligners = new Map<string, AlignModel>();
    const alignerFor = async (language: string): Promise<AlignModel> => {
      const dir = await resolveAlignModel(f.align_model as string | null, language, modelDir, fetchOptions);
      let a = aligners.get(dir);
      if (!a) {
        // The aligner runs on the same engine as the transcription.
        const m = engine === "mlx" ? Wav2Vec2Mlx.load(dir) : await Wav2Vec2Onnx.load(dir, { onBuild: (msg) => process.stderr.write(`whisperx: ${msg}\n`) });
        a = { vocab: m.config.vocab, emissions: (x) => m.emissions(x) };
        aligners.set(dir, a);
      }
      return a;
    };
    const useVad = f.vad_method === "silero";
    const mlxVad = useVad && f.vad_backend === "mlx" ? SileroVadMlx.load((f.vad_model as string | null) ?? BUNDLED_SILERO_MLX) : undefined;
    vad = new VadService({ modelPath: f.vad_backend === "onnx" ? ((f.vad_model as string | null) ?? undefined) : undefined });
    // WhisperX's Silero call: get_speech_timestamps(max_speech_duration_s=chunk_size, threshold=vad_onset).
    const vadOptions = { threshold: f.vad_onset as number, maxSpeechDurationS: f.chunk_size as number };
    const service = vad;
    const prepare = (file: string): Job => {
      const prepared = service.loadAndDetect(file, vadOptions, useVad && !mlxVad);
      prepared.catch(() => undefined); // handled when the job is reached
      return { file, prepared };
    };
    let failed = 0;
    let next: Job | undefined = prepare(files[0]);
    for (let i = 0; i < files.length; i++) {
      const job = next as Job;
      // Decoding and VAD of the next file overlap transcription of this one.
      if (f.prefetch) next = i + 1 < files.length ? prepare(files[i + 1]) : undefined;
      const file = job.file;
      try {
        const { audio, timestamps } = await job.prepared;
        const t0 = performance.now();
        let result: TranscriptionResult;
        if (useVad) {
          const speech = timestamps ?? getSpeechTimestamps(await (mlxVad as SileroVadMlx).speechProbabilities(audio), audio.length, vadOptions);
          const chunks = speechToChunks(speech, 16000, f.chunk_size as number);
          if (chunks.length === 0) process.stderr.write(`whisperx: ${file}: no active speech found; writing an empty transcript\n`);
          result = await transcribeChunks(backend, audio, chunks, {
            language: (f.language as string | null) ?? undefined,
            task: f.task as "transcribe" | "translate",
            batchSize: f.batch_size as number,
            suppressTokens: f.suppress_tokens as string,
            initialPrompt: (f.initial_prompt as string | null) ?? undefined,
          });
        } else {
          result = await transcribe(backend, audio, {
            language: (f.language as string | null) ?? undefined,
            task: f.task as "transcribe" | "translate",
            temperature: temperatures(f.temperature as number, f.temperature_increment_on_fallback as number | null),
            compressionRatioThreshold: f.compression_ratio_threshold as number | null,
            logprobThreshold: f.logprob_threshold as number | null,
            noSpeechThreshold: f.no_speech_threshold as number | null,
            conditionOnPreviousText: f.condition_on_previous_text as boolean,
            initialPrompt: (f.initial_prompt as string | null) ?? undefined,
            suppressTokens: f.suppress_tokens as string,
            wordTimestamps: dtw,
            onProgress: f.print_progress ? (done, total) => process.stderr.write(`Progress: ${((100 * done) / total).toFixed(2)}%...\n`) : undefined,
          });
        }
        let output: TranscriptionResult = {
          segments: result.segments.map((s) => ({ start: s.start, end: s.end, text: s.text, tokens: s.tokens, avg_logprob: s.avg_logprob, ...(s.words ? { words: s.words } : {}) })),
          language: result.language,
        };
        if (dtw) output.word_segments = output.segments.flatMap((s) => s.words ?? []);
        let alignSeconds = 0;
        if (doAlign && output.segments.length) {
          const ta = performance.now();
          const aligned = await align(output.segments, audio, await alignerFor(result.language), {
            language: result.language,
            interpolateMethod: f.interpolate_method as InterpolateMethod,
            returnCharAlignments: Boolean(f.return_char_alignments),
          });
          output = { segments: aligned.segments, word_segments: aligned.word_segments, language: result.language };
          alignSeconds = (performance.now() - ta) / 1000;
        }
        if (verbose) {
          for (const s of output.segments) process.stdout.write(`[${formatTimestamp(s.start)} --> ${formatTimestamp(s.end)}] ${s.text}\n`);
          const secs = (performance.now() - t0) / 1000;
          process.stderr.write(`${file}: ${(audio.length / 16000).toFixed(1)} s of audio in ${secs.toFixed(2)} s (${(audio.length / 16000 / secs).toFixed(1)}× real time${doAlign ? `; alignment ${alignSeconds.toFixed(2)} s` : ""})\n`);
        }
        writeResult(output, file, outputDir, f.output_format as OutputFormat | "all", {
          maxLineWidth: f.max_line_width as number | null,
          maxLineCount: f.max_line_count as number | null,
          highlightWords: f.highlight_words as boolean,
        });
      } catch (e) {
        failed++;
        const msg = e instanceof AudioLoadError || e instanceof VadWorkerError ? e.message : `${file}: ${(e as Error).message}`;
        process.stderr.write(`whisperx: ${msg.startsWith(file) ? msg : `${file}: ${msg}`}\n`);
      }
      if (!f.prefetch) next = i + 1 < files.length ? prepare(files[i + 1]) : undefined;
    }
    if (failed) process.stderr.write(`whisperx: ${failed} of ${files.length} file(s) failed\n`);
    return failed ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof MlxRuntimeError || e instanceof ModelLoadError || e instanceof OnnxModelError) {
      process.stderr.write(`whisperx: error: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    await vad?.close();
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
