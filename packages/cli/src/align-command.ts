/**
 * `whisperx align <audio> --transcript <file.txt|file.json>`: aligns an existing transcript to
 * audio with wav2vec2 and writes the same outputs as transcription. A `.txt` transcript becomes
 * one segment over the whole file; a `.json` is a WhisperX/openai-whisper result whose segments
 * (start, end, text) are aligned one by one.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { align, bundledModel, DEMO_MODEL, defaultAlignModelName, loadAlignModel, loadAudio, writeResult, type Segment } from "whisperx-mlx";
import { helpText, parseFlags, UsageError, type FlagSpec } from "./args.js";

const FLAGS = {
  transcript: { kind: "string", help: "the transcript: .txt (one segment) or .json (a WhisperX result)" },
  align_model: { kind: "string", default: null, help: "a wav2vec2 MLX directory, Hub id or torchaudio bundle (default: the bundled demo aligner for English, WhisperX's default for other languages)" },
  backend: { kind: "string", default: "auto", choices: ["auto", "mlx", "onnx"], help: "inference engine (auto: MLX on Apple Silicon, ONNX Runtime elsewhere)" },
  language: { kind: "string", default: "en", help: "language of the transcript" },
  interpolate_method: { kind: "string", default: "nearest", choices: ["nearest", "linear", "ignore"], help: "how to fill unaligned sentence times" },
  return_char_alignments: { kind: "switch", help: "return character-level alignments" },
  output_dir: { kind: "string", alias: "o", default: ".", help: "directory to save the outputs" },
  output_format: { kind: "string", alias: "f", default: "all", choices: ["all", "srt", "vtt", "txt", "tsv", "json", "aud"], help: "output format" },
  help: { kind: "switch", alias: "h", help: "show this help and exit" },
} as const satisfies Record<string, FlagSpec>;

function readTranscript(path: string, duration: number): Segment[] {
  if (!existsSync(path)) throw new UsageError(`${path}: transcript not found`);
  const raw = readFileSync(path, "utf8");
  if (path.endsWith(".json")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (e) {
      throw new UsageError(`${path}: invalid JSON (${(e as Error).message})`);
    }
    const segments = (parsed as { segments?: unknown }).segments;
    if (!Array.isArray(segments)) throw new UsageError(`${path}: no "segments" array`);
    return segments.map((s: { start?: unknown; end?: unknown; text?: unknown }, i) => {
      if (typeof s.start !== "number" || typeof s.end !== "number" || typeof s.text !== "string") throw new UsageError(`${path}: segment ${i} lacks start, end or text`);
      return { start: s.start, end: s.end, text: s.text };
    });
  }
  const text = raw.replace(/\s+/g, " ").trim();
  if (!text) throw new UsageError(`${path}: empty transcript`);
  return [{ start: 0, end: duration, text }];
}

/** Runs `whisperx align`; returns the exit code. */
export async function alignMain(argv: string[]): Promise<number> {
  try {
    const { flags, positional } = parseFlags(argv, FLAGS);
    if (flags.help) {
      process.stdout.write(helpText("usage: whisperx align audio --transcript FILE [options]", FLAGS) + "\n");
      return 0;
    }
    if (positional.length !== 1) throw new UsageError("expected exactly one audio file");
    if (flags.transcript === undefined) throw new UsageError("the following arguments are required: --transcript");
    const audioPath = positional[0];
    const audio = await loadAudio(audioPath);
    const segments = readTranscript(flags.transcript, audio.length / 16000);
    const model = await loadAlignModel(flags.language, {
      modelName: flags.align_model ?? defaultAlignModelName(flags.language, bundledModel(DEMO_MODEL)),
      backend: flags.backend,
      onLog: (m) => process.stderr.write(`whisperx align: ${m}\n`),
    });
    const result = await align(segments, model, audio, { interpolateMethod: flags.interpolate_method, returnCharAlignments: flags.return_char_alignments });
    mkdirSync(flags.output_dir, { recursive: true });
    writeResult({ segments: result.segments, word_segments: result.word_segments, language: flags.language }, audioPath, flags.output_dir, flags.output_format);
    return 0;
  } catch (e) {
    process.stderr.write(`whisperx align: error: ${(e as Error).message.split("\n")[0]}\n`);
    return 2;
  }
}
