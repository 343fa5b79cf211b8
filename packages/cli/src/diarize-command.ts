/**
 * `whisperx diarize <audio> [-o out.rttm|out.json]`: speaker diarization alone (not a WhisperX
 * command; for the bench and for pipelines). RTTM as pyannote writes it; JSON as pyannote's
 * `DiarizeOutput.serialize()`, plus `speaker_embeddings` when asked.
 */
import { basename, extname } from "node:path";
import { DEFAULT_DIARIZE_MODEL, formatRttm, loadAudio, loadDiarizationPipeline, pythonJson, serializeDiarization, writeFileAtomic } from "whisperx-mlx";
import { helpText, parseFlags, UsageError, type FlagSpec } from "./args.js";

const FLAGS = {
  diarize_model: { kind: "string", default: null, help: "diarization pipeline: a Hub id (default pyannote/speaker-diarization-community-1), a pyannote pipeline directory, its config.yaml, or a converted directory" },
  output: { kind: "string", alias: "o", default: null, help: "output file: .rttm (pyannote's RTTM) or .json (pyannote's serialized output); default <audio name>.rttm" },
  num_speakers: { kind: "int", default: null, help: "the number of speakers, when known" },
  min_speakers: { kind: "int", default: null, help: "minimum number of speakers" },
  max_speakers: { kind: "int", default: null, help: "maximum number of speakers" },
  exclusive: { kind: "switch", help: "RTTM of the exclusive output (at most one speaker at a time)" },
  speaker_embeddings: { kind: "switch", help: "JSON only: one embedding per speaker" },
  backend: { kind: "string", default: "auto", choices: ["auto", "mlx", "onnx"], help: "inference engine (auto: MLX on Apple Silicon, ONNX Runtime elsewhere)" },
  threads: { kind: "int", default: 0, help: "the engine's intra-op threads (0: its default)" },
  hf_token: { kind: "string", default: null, help: "Hugging Face token for gated repos (default: $HF_TOKEN)" },
  verbose: { kind: "switch", help: "print the time per stage" },
  help: { kind: "switch", alias: "h", help: "show this help and exit" },
} as const satisfies Record<string, FlagSpec>;

/** Runs `whisperx diarize`; returns the exit code. */
export async function diarizeMain(argv: string[]): Promise<number> {
  try {
    const { flags, positional } = parseFlags(argv, FLAGS);
    if (flags.help) {
      process.stdout.write(helpText("usage: whisperx diarize audio [-o out.rttm|out.json] [options]", FLAGS) + "\n");
      return 0;
    }
    if (positional.length !== 1) throw new UsageError("expected exactly one audio file");
    const audioPath = positional[0];
    const output = flags.output ?? `${basename(audioPath, extname(audioPath)) || "content"}.rttm`;
    const format = extname(output).toLowerCase();
    if (format !== ".rttm" && format !== ".json") throw new UsageError(`--output ${output}: expected a .rttm or .json file`);
    if (flags.speaker_embeddings && format !== ".json") throw new UsageError("--speaker_embeddings needs a .json output");
    if (flags.exclusive && format !== ".rttm") throw new UsageError("--exclusive applies to RTTM output (the JSON has both)");
    for (const [flag, value] of [["num_speakers", flags.num_speakers], ["min_speakers", flags.min_speakers], ["max_speakers", flags.max_speakers]] as const) {
      if (value !== null && value < 1) throw new UsageError(`--${flag} ${value}: must be at least 1`);
    }
    const audio = await loadAudio(audioPath);
    const log = (m: string) => process.stderr.write(`whisperx diarize: ${m}\n`);
    const pipeline = await loadDiarizationPipeline(flags.diarize_model ?? DEFAULT_DIARIZE_MODEL, { backend: flags.backend, threads: flags.threads, token: flags.hf_token ?? undefined, onLog: log });
    try {
      const t0 = performance.now();
      const d = await pipeline.diarize(audio, { numSpeakers: flags.num_speakers ?? undefined, minSpeakers: flags.min_speakers ?? undefined, maxSpeakers: flags.max_speakers ?? undefined, returnEmbeddings: flags.speaker_embeddings });
      const seconds = (performance.now() - t0) / 1000;
      const uri = basename(audioPath, extname(audioPath)).replace(/\s+/g, "_") || "content";
      if (format === ".rttm") writeFileAtomic(output, formatRttm(flags.exclusive ? d.exclusiveTurns : d.turns, uri));
      else {
        const serialized: Record<string, unknown> = { ...serializeDiarization(d.turns, d.exclusiveTurns) };
        if (d.speakerEmbeddings) serialized.speaker_embeddings = Object.fromEntries([...d.speakerEmbeddings].map(([k, v]) => [k, Array.from(v)]));
        writeFileAtomic(output, pythonJson(serialized));
      }
      if (flags.verbose) {
        const t = pipeline.timings;
        const rtf = (s: number) => (s / (audio.length / 16000)).toFixed(4);
        log(`${audioPath}: ${(audio.length / 16000).toFixed(1)} s in ${seconds.toFixed(2)} s; real-time factor: segmentation ${rtf(t.segmentation)}, fbank ${rtf(t.fbank)}, embeddings ${rtf(t.embeddings)}, clustering ${rtf(t.clustering)}`);
      }
    } finally {
      await pipeline.release();
    }
    return 0;
  } catch (e) {
    process.stderr.write(`whisperx diarize: error: ${(e as Error).message.split("\n")[0]}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
