/**
 * WhisperX's ASR pipeline (`FasterWhisperPipeline`): audio → VAD → ≤ 30 s chunks → batched
 * Whisper decoding, or openai-whisper's sequential 30 s windows when VAD is off. One object per
 * loaded model; the CLI, the bench, and every later consumer call this.
 */
import { toFloat32Array, type AudioSamples } from "../audio/audio-samples.js";
import { openAudioSamples } from "../audio/load-audio.js";
import { SAMPLE_RATE } from "../audio/constants.js";
import type { WhisperBackend } from "../transcribe/backend.js";
import { transcribe as transcribeSequential } from "../transcribe/transcribe.js";
import { transcribeChunkSets, transcribeChunks, type ChunkTranscribeOptions } from "../transcribe/transcribe-chunks.js";
import { detectLanguage, type LanguageDetection } from "../transcribe/language.js";
import { seededRandom } from "../decoding/sampling.js";
import type { SearchOptions } from "../decoding/search-options.js";
import type { Segment, TranscriptionResult, WhisperDims } from "../types.js";
import { speechToChunks, type VadChunk } from "../vad/merge-chunks.js";
import type { SpeechProbabilityModel } from "../vad/speech-model.js";
import { getSpeechTimestamps, type SpeechTimestampOptions } from "../vad/speech-timestamps.js";
import { VadService, type VadResult } from "../vad/vad-service.js";
import type { AsrOptions, VadMethod, VadOptions } from "./asr-options.js";
import type { EngineName } from "./engine.js";
import { progressOf, type ProgressCallback } from "./progress.js";

/** Transcribe or translate into English. */
export type Task = "transcribe" | "translate";

/** Everything an `AsrPipeline` is made of (the public `loadModel` assembles it). */
export interface AsrPipelineConfig {
  backend: WhisperBackend;
  /** The engine the backend runs on. */
  engine: EngineName;
  /** The converted model directory. */
  modelDir: string;
  /** The name the model was asked for (a Whisper name, Hub id or directory). */
  modelName: string;
  /** Language of every call that does not name one (undefined: detect on the first 30 s). */
  language?: string;
  task: Task;
  asrOptions: AsrOptions;
  vadMethod: VadMethod;
  vadOptions: VadOptions;
  /** Silero run in this process on the engine; without it Silero runs on ONNX Runtime in a worker thread. */
  speechModel?: SpeechProbabilityModel;
  /** A Silero `.onnx` file for the worker (default: the bundled v6 model). */
  vadModelPath?: string;
}

/** Options of one `transcribe` call (WhisperX's `transcribe` arguments). */
export interface TranscribeCallOptions {
  /** Chunks decoded together (WhisperX `batch_size`, default 8). */
  batchSize?: number;
  /** Longest VAD chunk in seconds (default: the pipeline's `vadOptions.chunkSize`). */
  chunkSize?: number;
  language?: string;
  task?: Task;
  /** Progress of VAD and transcription. */
  onProgress?: ProgressCallback;
  /** Non-fatal conditions, one line each (e.g. no speech found). */
  onWarning?: (message: string) => void;
}

/** The outcome of one file of `transcribeFiles`; a failure's message starts with the file's name. */
export type FileTranscription =
  | { file: string; ok: true; audio: AudioSamples; result: TranscriptionResult; seconds: number; warnings: string[] }
  | { file: string; ok: false; error: Error };

/** Audio decoded (and, with the worker VAD, segmented) ahead of transcription. */
interface PreparedAudio {
  file?: string;
  prepared: Promise<VadResult>;
}

/** A loaded Whisper model with its VAD and decoding settings. */
export class AsrPipeline {
  readonly backend: WhisperBackend;
  readonly engine: EngineName;
  readonly modelDir: string;
  readonly modelName: string;
  readonly asrOptions: AsrOptions;
  readonly vadMethod: VadMethod;
  readonly vadOptions: VadOptions;
  private readonly config: AsrPipelineConfig;
  private vadService?: VadService;

  constructor(config: AsrPipelineConfig) {
    this.config = config;
    this.backend = config.backend;
    this.engine = config.engine;
    this.modelDir = config.modelDir;
    this.modelName = config.modelName;
    this.asrOptions = config.asrOptions;
    this.vadMethod = config.vadMethod;
    this.vadOptions = config.vadOptions;
  }

  /** The model's dimensions. */
  get dims(): WhisperDims {
    return this.backend.dims;
  }

  private get worker(): VadService {
    return (this.vadService ??= new VadService({ modelPath: this.config.vadModelPath }));
  }

  private speechOptions(chunkSize: number): SpeechTimestampOptions {
    // WhisperX's Silero call: get_speech_timestamps(max_speech_duration_s=chunk_size, threshold=vad_onset).
    return { threshold: this.vadOptions.vadOnset, maxSpeechDurationS: chunkSize, ...(this.vadOptions.vadOffset !== null ? { negThreshold: this.vadOptions.vadOffset } : {}) };
  }

  /** Starts decoding a file (and, with the worker VAD, finding its speech) in the worker thread. */
  private prepareFile(file: string, chunkSize: number): PreparedAudio {
    const detect = this.vadMethod === "silero" && !this.config.speechModel;
    const prepared = this.worker.loadAndDetect(file, this.speechOptions(chunkSize), detect);
    prepared.catch(() => undefined); // handled where the file is reached
    return { file, prepared };
  }

  /** Speech of in-memory audio as WhisperX chunks of at most `chunkSize` seconds. */
  async detectSpeech(audio: AudioSamples, chunkSize = this.vadOptions.chunkSize): Promise<VadChunk[]> {
    return (await this.chunksOf({ audio }, chunkSize)).chunks;
  }

  private async chunksOf(input: VadResult, chunkSize: number): Promise<{ audio: AudioSamples; chunks: VadChunk[] }> {
    const options = this.speechOptions(chunkSize);
    const audio = input.audio;
    let timestamps = input.timestamps;
    if (!timestamps) {
      if (this.config.speechModel) timestamps = getSpeechTimestamps(await this.config.speechModel.speechProbabilities(audio), audio.length, options);
      // A float32 copy: the worker takes ownership of what it is sent.
      else ({ timestamps } = await this.worker.detect(audio instanceof Float32Array ? audio.slice() : toFloat32Array(audio), options));
    }
    return { audio, chunks: speechToChunks(timestamps ?? [], SAMPLE_RATE, chunkSize) };
  }

  /**
   * Transcribes one input: a path (decoded as WhisperX's `load_audio` does; see `openAudioSamples`)
   * or 16 kHz mono samples. Returns WhisperX's result: one segment per VAD chunk (`start`, `end`, `text`,
   * `tokens`, `avg_logprob`), or openai-whisper's segments when VAD is off.
   */
  async transcribe(audio: AudioSamples | string, options: TranscribeCallOptions = {}): Promise<TranscriptionResult> {
    const chunkSize = options.chunkSize ?? this.vadOptions.chunkSize;
    const input: VadResult = typeof audio === "string" ? (this.vadMethod === "silero" ? await this.prepareFile(audio, chunkSize).prepared : { audio: await openAudioSamples(audio) }) : { audio };
    return this.transcribePrepared(input, options);
  }

  private async transcribePrepared(input: VadResult, options: TranscribeCallOptions): Promise<TranscriptionResult> {
    if (this.vadMethod === "none") return this.transcribeWindows(input.audio, options);
    const chunkSize = options.chunkSize ?? this.vadOptions.chunkSize;
    options.onProgress?.(progressOf("vad", 0, 1));
    const { audio, chunks } = await this.chunksOf(input, chunkSize);
    options.onProgress?.(progressOf("vad", 1, 1));
    if (chunks.length === 0) options.onWarning?.("no active speech found");
    return this.transcribeChunks(audio, chunks, options);
  }

  /** openai-whisper's sequential path over 30 s windows (with its fallback, prompts and optional DTW word times). */
  private async transcribeWindows(audio: AudioSamples, options: TranscribeCallOptions): Promise<TranscriptionResult> {
    const asr = this.asrOptions;
    const r = await this.decodeWindows(audio, options);
    const segments: Segment[] = r.segments.map((s) => ({ start: s.start, end: s.end, text: s.text, tokens: s.tokens, avg_logprob: s.avg_logprob, ...(s.words ? { words: s.words } : {}) }));
    return { segments, language: r.language, ...(asr.wordTimestamps ? { word_segments: segments.flatMap((s) => s.words ?? []) } : {}), ...(r.language_probs ? { language_probs: r.language_probs } : {}) };
  }

  /**
   * openai-whisper's `transcribe` over `audio` with this pipeline's decoding options, returning
   * its full segments (`no_speech_prob` included). `initialPrompt` and `wordTimestamps` override
   * the pipeline's for this call (streaming prompts each pass with committed text, and needs
   * word times).
   */
  async decodeWindows(audio: AudioSamples, options: TranscribeCallOptions & { initialPrompt?: string; wordTimestamps?: boolean } = {}): Promise<TranscriptionResult> {
    const asr = this.asrOptions;
    // openai-whisper's log-mel covers the whole input at once.
    return transcribeSequential(this.backend, toFloat32Array(audio), {
      ...this.search(),
      language: options.language ?? this.config.language,
      task: options.task ?? this.config.task,
      temperature: asr.temperatures,
      compressionRatioThreshold: asr.compressionRatioThreshold,
      logprobThreshold: asr.logProbThreshold,
      noSpeechThreshold: asr.noSpeechThreshold,
      conditionOnPreviousText: asr.conditionOnPreviousText,
      initialPrompt: options.initialPrompt ?? asr.initialPrompt,
      prefix: asr.prefix,
      hotwords: asr.hotwords,
      suppressTokens: asr.suppressTokens,
      suppressBlank: asr.suppressBlank,
      suppressNumerals: asr.suppressNumerals,
      wordTimestamps: options.wordTimestamps ?? asr.wordTimestamps,
      alignmentHeads: asr.alignmentHeads,
      onProgress: options.onProgress && ((done, total) => options.onProgress?.(progressOf("transcribe", done, total))),
    });
  }

  /**
   * The batched ASR stage alone: each chunk cut from `audio` and decoded without timestamps,
   * `batchSize` at a time, into one segment (WhisperX's `transcribe` after its VAD).
   */
  async transcribeChunks(audio: AudioSamples, chunks: readonly VadChunk[], options: TranscribeCallOptions = {}): Promise<TranscriptionResult> {
    const language = options.language ?? this.config.language;
    if (chunks.length === 0) {
      if (language !== undefined) return { segments: [], language };
      const detection = await this.detectLanguage(audio);
      return { segments: [], language: detection.language, language_probs: detection.probabilities };
    }
    return batchedResult(await transcribeChunks(this.backend, audio, chunks, this.chunkOptions(options)));
  }

  /** The batched path's decoding options for one call. */
  private chunkOptions(options: TranscribeCallOptions): ChunkTranscribeOptions {
    const asr = this.asrOptions;
    return {
      ...this.search(),
      language: options.language ?? this.config.language,
      task: options.task ?? this.config.task,
      // WhisperX decodes each chunk once, at the first temperature.
      temperature: asr.temperatures[0],
      batchSize: options.batchSize ?? 8,
      suppressTokens: asr.suppressTokens,
      suppressBlank: asr.suppressBlank,
      suppressNumerals: asr.suppressNumerals,
      initialPrompt: asr.initialPrompt,
      prefix: asr.prefix,
      hotwords: asr.hotwords,
      onProgress: options.onProgress && ((done, total) => options.onProgress?.(progressOf("transcribe", done, total))),
    };
  }

  /** The spoken language of the first 30 s of `audio`, with every language's probability. */
  detectLanguage(audio: AudioSamples): Promise<LanguageDetection> {
    return detectLanguage(this.backend, audio);
  }

  /** The search settings of one transcribe call: a fresh random stream (seeded when `seed` is set). */
  private search(): SearchOptions {
    const a = this.asrOptions;
    return { beamSize: a.beamSize, bestOf: a.bestOf, patience: a.patience, lengthPenalty: a.lengthPenalty, random: seededRandom(a.seed ?? Math.floor(Math.random() * 2 ** 31)) };
  }

  /**
   * Transcribes files in order, decoding (and segmenting) the next file in a worker thread while
   * the current one is transcribed and while the caller handles its result. On the VAD path,
   * consecutive files are gathered until their chunks fill a batch and decoded together
   * (`crossFileBatches`, default on), so 30 short clips cost a few full batches instead of 30
   * batches of one; each file's result is the same as alone, and its `seconds` is its VAD time
   * plus its share (by chunks) of the group's decoding time. A file that fails is reported as
   * `ok: false` and the others go on.
   */
  async *transcribeFiles(files: readonly string[], options: TranscribeCallOptions & { prefetch?: boolean; crossFileBatches?: boolean } = {}): AsyncGenerator<FileTranscription> {
    const chunkSize = options.chunkSize ?? this.vadOptions.chunkSize;
    const prefetch = options.prefetch ?? true;
    const batchSize = options.batchSize ?? 8;
    const grouped = this.vadMethod !== "none" && (options.crossFileBatches ?? true);
    let next: PreparedAudio | undefined;
    const failed = (file: string, e: unknown): FileTranscription => {
      const error = e instanceof Error ? e : new Error(String(e));
      // Every failure names its file (audio errors already do).
      return { file, ok: false, error: error.message.startsWith(file) ? error : new Error(`${file}: ${error.message}`, { cause: error }) };
    };
    let i = 0;
    while (i < files.length) {
      const group: { file: string; audio: AudioSamples; chunks: VadChunk[]; seconds: number; warnings: string[] }[] = [];
      const items: (FileTranscription | number)[] = [];
      let chunkCount = 0;
      do {
        // Without prefetch a file is prepared only when reached.
        const job = next ?? this.prepareFile(files[i], chunkSize);
        next = prefetch && i + 1 < files.length ? this.prepareFile(files[i + 1], chunkSize) : undefined;
        const file = files[i++];
        try {
          const input = await job.prepared;
          if (!grouped) {
            const t0 = performance.now();
            const warnings: string[] = [];
            const result = await this.transcribePrepared(input, { ...options, onWarning: (w) => warnings.push(w) });
            items.push({ file, ok: true, audio: input.audio, result, seconds: (performance.now() - t0) / 1000, warnings });
          } else {
            const t0 = performance.now();
            options.onProgress?.(progressOf("vad", 0, 1));
            const { audio, chunks } = await this.chunksOf(input, chunkSize);
            options.onProgress?.(progressOf("vad", 1, 1));
            items.push(group.length);
            group.push({ file, audio, chunks, seconds: (performance.now() - t0) / 1000, warnings: chunks.length ? [] : ["no active speech found"] });
            chunkCount += chunks.length;
          }
        } catch (e) {
          items.push(failed(file, e));
        }
      } while (grouped && chunkCount < batchSize && i < files.length);
      let results: TranscriptionResult[] | Error = [];
      const t0 = performance.now();
      if (group.length) {
        try {
          results = (await transcribeChunkSets(this.backend, group, this.chunkOptions(options))).map(batchedResult);
          // A file without speech and without a given language still reports its detected language.
          if ((options.language ?? this.config.language) === undefined) {
            for (const [k, g] of group.entries()) {
              if (g.chunks.length) continue;
              const d = await this.detectLanguage(g.audio);
              results[k] = { segments: [], language: d.language, language_probs: d.probabilities };
            }
          }
        } catch (e) {
          results = e instanceof Error ? e : new Error(String(e));
        }
      }
      const decodeSeconds = (performance.now() - t0) / 1000;
      for (const item of items) {
        if (typeof item !== "number") {
          yield item;
          continue;
        }
        const g = group[item];
        if (results instanceof Error) {
          yield failed(g.file, results);
          continue;
        }
        const share = chunkCount ? g.chunks.length / chunkCount : 1 / group.length;
        yield { file: g.file, ok: true, audio: g.audio, result: results[item], seconds: g.seconds + share * decodeSeconds, warnings: g.warnings };
      }
    }
  }

  /** Stops the VAD worker. The pipeline can still be used; the worker restarts on demand. */
  async close(): Promise<void> {
    const w = this.vadService;
    this.vadService = undefined;
    await w?.close();
  }
}

/** WhisperX's batched segments: text, start, end, avg_logprob (tokens are not part of its output). */
function batchedResult(r: TranscriptionResult): TranscriptionResult {
  return { segments: r.segments.map((s) => ({ text: s.text, start: s.start, end: s.end, avg_logprob: s.avg_logprob })), language: r.language, ...(r.language_probs ? { language_probs: r.language_probs } : {}) };
}
