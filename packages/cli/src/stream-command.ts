/**
 * `whisperx stream [FILE|-]`: live transcription (the library's `transcribeStream`) of raw PCM on
 * stdin, a WAV, or anything ffmpeg reads, with the model and decoding flags of transcription.
 * Output: one JSON update per line, or whisper_streaming's `emission_ms start_ms end_ms text`.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { AudioLoadError, DEMO_MODEL, loadModel, SileroVadOnnx, openAudio, pcmBlocks, transcribeStream, type AsrPipeline, type StreamUpdate, type StreamWord } from "whisperx-mlx";
import { helpText, parseFlags, UsageError, type FlagSpec, type FlagValues } from "./args.js";
import { Log } from "./log.js";
import { WHISPERX_FLAGS } from "./whisperx-flags.js";
import { whisperxRun, type WhisperxRun } from "./whisperx-options.js";

/** Transcription flags that mean the same here (the others, e.g. VAD and output files, do not apply). */
export const SHARED = ["model", "backend", "model_dir", "model_cache_only", "compute_type", "log_level", "task", "language", "temperature", "best_of", "beam_size", "patience", "length_penalty", "suppress_tokens", "suppress_numerals", "initial_prompt", "hotwords", "condition_on_previous_text", "temperature_increment_on_fallback", "compression_ratio_threshold", "logprob_threshold", "no_speech_threshold", "threads", "hf_token", "seed", "help"] as const;
export type SharedFlag = (typeof SHARED)[number];
export const SHARED_FLAGS = Object.fromEntries(SHARED.map((k) => [k, WHISPERX_FLAGS[k]])) as { [K in SharedFlag]: (typeof WHISPERX_FLAGS)[K] };

export const STREAM_FLAGS = {
  ...SHARED_FLAGS,
  input_format: { kind: "string", default: "s16le", choices: ["s16le", "f32le"], help: "raw PCM on stdin (-): 16 kHz mono, 16-bit or float32 little-endian (a WAV header is skipped)" },
  simulate: { kind: "string", default: null, choices: ["realtime", "unaware", "offline"], help: "for files: realtime feeds the file at its own pace (wall-clock times); unaware passes every --min_chunk_size seconds of audio (audio-clock times, the latency floor); offline transcribes it in one pass" },
  output: { kind: "string", default: "jsonl", choices: ["jsonl", "text"], help: "jsonl: one update per line; text: emission_ms start_ms end_ms text per commit (whisper_streaming's format)" },
  min_chunk_size: { kind: "number", default: 1.0, help: "seconds of new audio a pass waits for" },
  agreement: { kind: "int", default: 2, help: "passes that must agree before a word is committed (LocalAgreement-n)" },
  buffer_trimming_sec: { kind: "number", default: 15, help: "cut the buffer at a committed segment end once it is longer than this" },
  vac: { kind: "switch", help: "voice-activity controller: Silero gates the passes; each utterance ends with a final update when speech stops (500 ms of silence)" },
} as const satisfies Record<string, FlagSpec>;

/** Seconds per block a file is fed in with --simulate realtime. */
const FEED_SECONDS = 0.1;

const ms = (s: number) => Math.round(s * 1000) / 1000;
const wordsJson = (ws: readonly StreamWord[]) => ws.map((w) => ({ word: w.word, start: ms(w.start), end: ms(w.end) }));

/** One output line for an update (undefined: nothing to print in text mode). */
export function formatUpdate(u: StreamUpdate, output: "jsonl" | "text"): string | undefined {
  if (output === "jsonl") return JSON.stringify({ committed: wordsJson(u.committed), tentative: wordsJson(u.tentative), audioTime: ms(u.audioTime), emittedAt: ms(u.emittedAt), final: u.final });
  if (!u.committed.length) return undefined;
  const text = u.committed.map((w) => w.word).join("");
  return `${(u.emittedAt * 1000).toFixed(4)} ${Math.round(u.committed[0].start * 1000)} ${Math.round(u.committed[u.committed.length - 1].end * 1000)} ${text}`;
}

/** A file's samples in blocks paced to the wall clock (sample t is released at `startedAt` + t). */
async function* realtime(source: AsyncIterable<Float32Array>, startedAt: number): AsyncGenerator<Float32Array> {
  let sent = 0;
  for await (const block of source) {
    for (let i = 0; i < block.length; i += FEED_SECONDS * 16000) {
      const piece = block.subarray(i, i + FEED_SECONDS * 16000);
      sent += piece.length;
      const due = startedAt + (sent / 16000) * 1000 - performance.now();
      if (due > 0) await sleep(due);
      yield piece;
    }
  }
}

/**
 * The model for streaming, from the transcription flags (validated and turned into options as
 * for `whisperx`, on openai-whisper's sequential path with DTW word times).
 */
export async function loadStreamModel(flags: Pick<FlagValues<typeof STREAM_FLAGS>, SharedFlag>, given: ReadonlySet<string>): Promise<{ pipeline: AsrPipeline; run: WhisperxRun }> {
  const base = parseFlags([], WHISPERX_FLAGS).flags;
  const shared = Object.fromEntries(SHARED.map((k) => [k, flags[k]])) as Pick<typeof base, SharedFlag>;
  const run = whisperxRun({ ...base, ...shared, vad_method: "none", word_timestamps: "dtw", no_align: true }, new Set([...given].filter((k): k is SharedFlag => (SHARED as readonly string[]).includes(k))));
  const log = new Log("whisperx", run.logLevel);
  if (run.model === undefined) log.warning(`no --model given: using the bundled demo model ${DEMO_MODEL} (synthetic speech only)`);
  return { pipeline: await loadModel(run.model ?? DEMO_MODEL, { ...run.load, onLog: log.warning }), run };
}

/** Runs `whisperx stream`; returns the exit code. */
export async function streamMain(argv: string[]): Promise<number> {
  let pipeline: AsrPipeline | undefined;
  try {
    const { flags, given, positional } = parseFlags(argv, STREAM_FLAGS);
    if (flags.help) {
      process.stdout.write(helpText("usage: whisperx stream [options] [FILE|-]", STREAM_FLAGS) + "\n");
      return 0;
    }
    if (positional.length > 1) throw new UsageError(`one input at a time (got ${positional.length})`);
    const input = positional[0] ?? "-";
    if (flags.simulate !== null && input === "-") throw new UsageError("--simulate needs a file (stdin is already live)");
    if (given.has("input_format") && input !== "-") throw new UsageError("--input_format applies to stdin (-) only; files are decoded by their format");
    if (!(flags.min_chunk_size > 0)) throw new UsageError(`--min_chunk_size ${flags.min_chunk_size}: must be above 0`);
    if (flags.vac && flags.simulate === "offline") throw new UsageError("--vac does not apply to --simulate offline (one pass over everything)");
    if (flags.agreement < 1) throw new UsageError(`--agreement ${flags.agreement}: must be at least 1`);
    const loaded = await loadStreamModel(flags, given);
    pipeline = loaded.pipeline;
    const run = loaded.run;
    const source = input === "-" ? pcmBlocks(process.stdin, flags.input_format, "-") : openAudio(input);
    const startedAt = performance.now();
    const stream = transcribeStream(flags.simulate === "realtime" ? realtime(source, startedAt) : source, {
      model: pipeline,
      language: run.call.language,
      minChunkSize: flags.min_chunk_size,
      agreement: flags.agreement,
      bufferTrimmingSec: flags.buffer_trimming_sec,
      clock: flags.simulate === "unaware" ? "audio" : "wall",
      mode: flags.simulate === "offline" ? "offline" : "online",
      ...(flags.simulate === "realtime" ? { startedAt } : {}),
      ...(flags.vac ? { vac: { model: await SileroVadOnnx.load() } } : {}),
    });
    for await (const update of stream) {
      const line = formatUpdate(update, flags.output);
      if (line !== undefined) process.stdout.write(line + "\n");
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`whisperx stream: error: ${e.message}\n`);
      return 2;
    }
    if (e instanceof AudioLoadError) {
      process.stderr.write(`whisperx stream: error: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    await pipeline?.close();
  }
}
