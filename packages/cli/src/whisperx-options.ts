/**
 * WhisperX's flags → the library's options. Every flag is either turned into an option here or
 * refused with a one-line `UsageError` naming it (WhisperX's own `parser.error` checks included);
 * options only go to the library when given, so its defaults (WhisperX's) apply otherwise.
 */
import {
  DEFAULT_DIARIZE_MODEL,
  toLanguageCode,
  temperatureSchedule,
  type AlignOptions,
  type AsrOptions,
  type LoadModelOptions,
  type OutputFormat,
  type SubtitleOptions,
  type TranscribeCallOptions,
} from "whisperx-mlx";
import { UsageError, type FlagValues } from "./args.js";
import type { LogLevel } from "./log.js";
import type { WHISPERX_FLAGS } from "./whisperx-flags.js";

type Flags = FlagValues<typeof WHISPERX_FLAGS>;
type Given = ReadonlySet<keyof typeof WHISPERX_FLAGS>;

/** Everything one `whisperx` run does, from its flags. */
export interface WhisperxRun {
  /** The model name, or undefined for the bundled demo model. */
  model: string | undefined;
  load: LoadModelOptions;
  call: TranscribeCallOptions & { prefetch: boolean };
  /** Alignment settings, or false when alignment does not run. */
  align: false | (Omit<AlignOptions, "onProgress"> & { modelName?: string });
  /** Diarization settings, or false without --diarize. */
  diarize: false | DiarizeRun;
  outputDir: string;
  format: OutputFormat | "all";
  subtitles: SubtitleOptions;
  verbose: boolean;
  printProgress: boolean;
  logLevel: LogLevel;
  /** Warnings about the flags themselves, printed before the run. */
  warnings: string[];
}

/** What `--diarize` runs after alignment. */
export interface DiarizeRun {
  /** The pipeline (default: WhisperX's). */
  model: string;
  minSpeakers?: number;
  maxSpeakers?: number;
  speakerEmbeddings: boolean;
}

/** `--diarize` and its companions; they warn, as WhisperX does, when given without it. */
export function diarizeRun(f: Pick<Flags, "diarize" | "diarize_model" | "min_speakers" | "max_speakers" | "speaker_embeddings" | "hf_token">, warnings: string[]): false | DiarizeRun {
  for (const [flag, value] of [["min_speakers", f.min_speakers], ["max_speakers", f.max_speakers]] as const) {
    if (value !== null && value < 1) throw new UsageError(`--${flag} ${value}: must be at least 1`);
  }
  if (f.min_speakers !== null && f.max_speakers !== null && f.min_speakers > f.max_speakers) throw new UsageError(`--min_speakers ${f.min_speakers} is larger than --max_speakers ${f.max_speakers}`);
  if (!f.diarize) {
    for (const flag of ["min_speakers", "max_speakers", "diarize_model"] as const) if (f[flag] !== null) warnings.push(`--${flag} has no effect without --diarize`);
    if (f.speaker_embeddings) warnings.push("--speaker_embeddings has no effect without --diarize");
    return false;
  }
  return { model: f.diarize_model ?? DEFAULT_DIARIZE_MODEL, minSpeakers: f.min_speakers ?? undefined, maxSpeakers: f.max_speakers ?? undefined, speakerEmbeddings: f.speaker_embeddings };
}

/** `--suppress_tokens "-1,264"` → token ids. */
function tokenList(flag: string): number[] {
  const ids = flag.split(",").filter((t) => t.trim() !== "").map((t) => Number(t.trim()));
  if (ids.some((t) => !Number.isInteger(t))) throw new UsageError(`argument --suppress_tokens: expected comma-separated token ids, got '${flag}'`);
  return ids;
}

/** Builds the run from parsed flags; `host` decides what `--device` may say. */
export function whisperxRun(f: Flags, given: Given, host: { platform: NodeJS.Platform; arch: string } = process): WhisperxRun {
  if (f.vad_method === "pyannote") throw new UsageError("--vad_method pyannote is not available (its segmentation model is not bundled); use silero (or none)");
  const appleMlx = f.backend === "mlx" || (f.backend === "auto" && host.platform === "darwin" && host.arch === "arm64");
  if (f.device === "cuda") throw new UsageError("--device cuda: there is no CUDA engine here; the engines are MLX (Apple GPU) and ONNX Runtime (CPU)");
  if (f.device !== "auto" && f.device !== "cpu") throw new UsageError(`--device ${f.device}: expected auto or cpu`);
  if (f.device === "cpu" && appleMlx && host.platform === "darwin") throw new UsageError("--device cpu: MLX runs on the Apple GPU; use --backend onnx for the CPU");
  if (f.device_index !== 0) throw new UsageError(`--device_index ${f.device_index}: each engine has one device (0)`);
  const dtw = f.word_timestamps === "dtw";
  if (dtw && f.vad_method !== "none") throw new UsageError("--word_timestamps dtw works on openai-whisper's sequential path: add --vad_method none");
  if (!(f.vad_onset > 0 && f.vad_onset < 1)) throw new UsageError(`--vad_onset ${f.vad_onset}: must be between 0 and 1`);
  if (given.has("vad_offset") && !(f.vad_offset > 0 && f.vad_offset < 1)) throw new UsageError(`--vad_offset ${f.vad_offset}: must be between 0 and 1`);
  if (f.chunk_size < 1) throw new UsageError(`--chunk_size ${f.chunk_size}: must be at least 1`);
  if (f.batch_size < 1) throw new UsageError(`--batch_size ${f.batch_size}: must be at least 1`);
  if (f.threads < 0) throw new UsageError(`--threads ${f.threads}: must be 0 (the engine's default) or more`);
  // WhisperX's parser.error checks.
  if (f.no_align) {
    for (const flag of ["max_line_width", "max_line_count", "highlight_words"] as const) {
      if (given.has(flag) && f[flag] !== null && f[flag] !== false) throw new UsageError(`--${flag} not possible with --no_align`);
    }
  }
  const warnings: string[] = [];
  if (f.max_line_count !== null && f.max_line_width === null) warnings.push("--max_line_count has no effect without --max_line_width");
  if (given.has("fp16") && f.fp16) warnings.push("--fp16: the engines here compute in float32 (as openai-whisper does on a CPU); using FP32 instead");
  let language: string | undefined;
  if (f.language !== null) {
    language = toLanguageCode(f.language);
    if (language === undefined) throw new UsageError(`argument --language: invalid choice '${f.language}' (a code such as en, or a name such as English)`);
  }

  // Decoding options: only those given, so the library's (WhisperX's) defaults apply otherwise.
  const asr: Partial<AsrOptions> = { temperatures: temperatureSchedule(f.temperature, f.temperature_increment_on_fallback), suppressTokens: tokenList(f.suppress_tokens) };
  if (given.has("beam_size")) asr.beamSize = f.beam_size;
  if (given.has("best_of")) asr.bestOf = f.best_of;
  if (given.has("patience")) asr.patience = f.patience;
  if (f.length_penalty !== null) asr.lengthPenalty = f.length_penalty;
  if (f.initial_prompt !== null) asr.initialPrompt = f.initial_prompt;
  if (f.hotwords !== null) asr.hotwords = f.hotwords;
  if (f.suppress_numerals) asr.suppressNumerals = true;
  if (given.has("condition_on_previous_text") || f.vad_method === "none") asr.conditionOnPreviousText = f.condition_on_previous_text;
  if (given.has("compression_ratio_threshold")) asr.compressionRatioThreshold = f.compression_ratio_threshold;
  if (given.has("logprob_threshold")) asr.logProbThreshold = f.logprob_threshold;
  if (given.has("no_speech_threshold")) asr.noSpeechThreshold = f.no_speech_threshold;
  if (f.seed !== null) asr.seed = f.seed;
  if (dtw) asr.wordTimestamps = true;

  const load: LoadModelOptions = {
    backend: f.backend,
    computeType: f.compute_type,
    language,
    task: f.task,
    asrOptions: asr,
    vadMethod: f.vad_method === "none" ? "none" : "silero",
    vadOptions: { vadOnset: f.vad_onset, chunkSize: f.chunk_size, vadOffset: given.has("vad_offset") ? f.vad_offset : null },
    vadRuntime: f.vad_backend,
    vadModel: f.vad_model ?? undefined,
    threads: f.threads,
    downloadRoot: f.model_dir ?? undefined,
    localFilesOnly: f.model_cache_only,
    token: f.hf_token ?? undefined,
  };
  const diarize = diarizeRun(f, warnings);
  // WhisperX: translation cannot be aligned to the audio's language.
  const align = !f.no_align && !dtw && f.task !== "translate";
  return {
    model: f.model ?? undefined,
    load,
    call: { language, task: f.task, batchSize: f.batch_size, chunkSize: f.chunk_size, prefetch: f.prefetch },
    align: align ? { modelName: f.align_model ?? undefined, interpolateMethod: f.interpolate_method, returnCharAlignments: f.return_char_alignments, segmentResolution: f.segment_resolution } : false,
    diarize,
    outputDir: f.output_dir,
    format: f.output_format,
    subtitles: { maxLineWidth: f.max_line_width, maxLineCount: f.max_line_count, highlightWords: f.highlight_words },
    verbose: f.verbose,
    printProgress: f.print_progress,
    logLevel: f.log_level ?? (f.verbose ? "info" : "warning"),
    warnings,
  };
}
