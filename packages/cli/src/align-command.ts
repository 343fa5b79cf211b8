/**
 * `whisperx align <audio> --transcript <file.txt|file.json>`: aligns an existing transcript to
 * audio with wav2vec2 and writes the same outputs as transcription. A `.txt` transcript becomes
 * one segment over the whole file; a `.json` is a WhisperX/openai-whisper result whose segments
 * (start, end, text) are aligned one by one.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { align, loadAudio, writeResult, type OutputFormat, type Segment, type InterpolateMethod } from "@whisperx-mlx/core";
import { Wav2Vec2Mlx } from "@whisperx-mlx/mlx-native";
import { helpText, parseFlags, UsageError, type FlagSpec } from "./args.js";
import { resolveAlignModel } from "./models.js";
import { BUNDLED_MODEL } from "./paths.js";

const FLAGS: Record<string, FlagSpec> = {
  transcript: { kind: "string", help: "the transcript: .txt (one segment) or .json (a WhisperX result)" },
  align_model: { kind: "string", default: null, help: "a wav2vec2 MLX directory, Hub id or torchaudio bundle (default: the bundled demo aligner for English, WhisperX's default for other languages)" },
  language: { kind: "string", default: "en", help: "language of the transcript" },
  interpolate_method: { kind: "string", default: "nearest", choices: ["nearest", "linear", "ignore"], help: "how to fill unaligned sentence times" },
  return_char_alignments: { kind: "switch", help: "return character-level alignments" },
  output_dir: { kind: "string", alias: "o", default: ".", help: "directory to save the outputs" },
  output_format: { kind: "string", alias: "f", default: "all", choices: ["all", "srt", "vtt", "txt", "tsv", "json", "aud"], help: "output format" },
  help: { kind: "switch", alias: "h", help: "show this help and exit" },
};

function readTranscript(path: string, duration: number): Segment[] {
  if (!existsSync(path)) throw new UsageError(`${path}: transcript not found`);
  const raw = readFileSync(path, "utf8");
  if (path.endsWith(".json")) {
    let parsed: { segments?: { start: number; end: number; text: string }[] };
    try {
      parsed = JSON.parse(raw);
    } catch (e) {
      throw new UsageError(`${path}: invalid JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(parsed.segments)) throw new UsageError(`${path}: no "segments" array`);
    return parsed.segments.map((s) => ({ start: s.start, end: s.end, text: s.text }));
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
    if (typeof flags.transcript !== "string") throw new UsageError("the following arguments are required: --transcript");
    const audioPath = positional[0];
    const audio = await loadAudio(audioPath);
    const segments = readTranscript(flags.transcript, audio.length / 16000);
    const dir = await resolveAlignModel(flags.align_model as string | null, flags.language as string, BUNDLED_MODEL, { log: (m) => process.stderr.write(`whisperx align: ${m}\n`) });
    const model = Wav2Vec2Mlx.load(dir);
    const result = await align(segments, audio, { vocab: model.config.vocab, emissions: (a) => model.emissions(a) }, {
      language: flags.language as string,
      interpolateMethod: flags.interpolate_method as InterpolateMethod,
      returnCharAlignments: Boolean(flags.return_char_alignments),
    });
    mkdirSync(flags.output_dir as string, { recursive: true });
    writeResult({ segments: result.segments, word_segments: result.word_segments, language: flags.language as string }, audioPath, flags.output_dir as string, flags.output_format as OutputFormat | "all");
    return 0;
  } catch (e) {
    process.stderr.write(`whisperx align: error: ${(e as Error).message.split("\n")[0]}\n`);
    return 2;
  }
}
