/**
 * No silent flags: every flag of WhisperX's `__main__.py` (reference-semantics §1) either becomes
 * a library option or is refused with a one-line error naming it. Checked on the parsed run
 * (no model needed), then a few effects end to end.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseFlags, UsageError } from "../src/args.js";
import { WHISPERX_FLAGS } from "../src/whisperx-flags.js";
import { whisperxRun, type WhisperxRun } from "../src/whisperx-options.js";
import { runCli } from "./run.js";
import { SYNTH } from "./shared.js";

/** WhisperX's flags, from `whisperx/__main__.py` @2cfd7b7 (hyphenated `--log-level` is ours `log_level`). */
const WHISPERX = [
  "model", "model_cache_only", "model_dir", "device", "device_index", "batch_size", "compute_type", "output_dir", "output_format", "verbose", "log_level",
  "task", "language", "align_model", "interpolate_method", "no_align", "return_char_alignments", "vad_method", "vad_onset", "vad_offset", "chunk_size",
  "diarize", "min_speakers", "max_speakers", "diarize_model", "speaker_embeddings", "temperature", "best_of", "beam_size", "patience", "length_penalty",
  "suppress_tokens", "suppress_numerals", "initial_prompt", "hotwords", "condition_on_previous_text", "fp16", "temperature_increment_on_fallback",
  "compression_ratio_threshold", "logprob_threshold", "no_speech_threshold", "max_line_width", "max_line_count", "highlight_words", "segment_resolution",
  "threads", "hf_token", "print_progress", "version", "python_version",
] as const;

const LINUX = { platform: "linux" as const, arch: "x64" };
const run = (...argv: string[]): WhisperxRun => {
  const { flags, given } = parseFlags(argv, WHISPERX_FLAGS);
  return whisperxRun(flags, given, LINUX);
};
const refused = (...argv: string[]): string => {
  try {
    run(...argv);
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  throw new Error(`${argv.join(" ")} was accepted`);
};

/** Each WhisperX flag: what it must do to the run, or the refusal it must give. */
const CHECKS: Record<(typeof WHISPERX)[number], () => void> = {
  model: () => expect(run("--model", "small").model).toBe("small"),
  model_cache_only: () => expect(run("--model_cache_only", "True").load.localFilesOnly).toBe(true),
  model_dir: () => expect(run("--model_dir", "/m").load.downloadRoot).toBe("/m"),
  device: () => {
    expect(refused("--device", "cuda")).toMatch(/^--device cuda: there is no CUDA engine/);
    expect(run("--device", "cpu").load.backend).toBe("auto");
    const { flags, given } = parseFlags(["--device", "cpu", "--backend", "mlx"], WHISPERX_FLAGS);
    expect(() => whisperxRun(flags, given, { platform: "darwin", arch: "arm64" })).toThrow(/MLX runs on the Apple GPU/);
  },
  device_index: () => expect(refused("--device_index", "1")).toMatch(/^--device_index 1: each engine has one device/),
  batch_size: () => expect(run("--batch_size", "4").call.batchSize).toBe(4),
  compute_type: () => expect(run("--compute_type", "int8").load.computeType).toBe("int8"),
  output_dir: () => expect(run("-o", "out").outputDir).toBe("out"),
  output_format: () => expect(run("-f", "srt").format).toBe("srt"),
  verbose: () => expect(run("--verbose", "False").verbose).toBe(false),
  log_level: () => {
    expect(run("--log-level", "error").logLevel).toBe("error");
    expect(run("--verbose", "False").logLevel).toBe("warning");
    expect(run().logLevel).toBe("info");
  },
  task: () => {
    const t = run("--task", "translate");
    expect(t.load.task).toBe("translate");
    expect(t.align).toBe(false);
  },
  language: () => {
    expect(run("--language", "English").load.language).toBe("en");
    expect(run("--language", "de").call.language).toBe("de");
    expect(refused("--language", "Klingon")).toMatch(/^argument --language: invalid choice 'Klingon'/);
  },
  align_model: () => expect(run("--align_model", "org/w2v").align).toMatchObject({ modelName: "org/w2v" }),
  interpolate_method: () => expect(run("--interpolate_method", "linear").align).toMatchObject({ interpolateMethod: "linear" }),
  no_align: () => expect(run("--no_align").align).toBe(false),
  return_char_alignments: () => expect(run("--return_char_alignments").align).toMatchObject({ returnCharAlignments: true }),
  vad_method: () => {
    expect(refused("--vad_method", "pyannote")).toMatch(/^--vad_method pyannote is not available/);
    expect(run("--vad_method", "none").load.vadMethod).toBe("none");
  },
  vad_onset: () => {
    expect(run("--vad_onset", "0.3").load.vadOptions?.vadOnset).toBe(0.3);
    expect(refused("--vad_onset", "1.5")).toMatch(/must be between 0 and 1/);
  },
  vad_offset: () => {
    expect(run().load.vadOptions?.vadOffset).toBeNull();
    expect(run("--vad_offset", "0.4").load.vadOptions?.vadOffset).toBe(0.4);
  },
  chunk_size: () => {
    const r = run("--chunk_size", "10");
    expect(r.load.vadOptions?.chunkSize).toBe(10);
    expect(r.call.chunkSize).toBe(10);
  },
  diarize: () => {
    expect(run().diarize).toBe(false);
    expect(run("--diarize").diarize).toEqual({ model: "pyannote/speaker-diarization-community-1", minSpeakers: undefined, maxSpeakers: undefined, speakerEmbeddings: false });
  },
  min_speakers: () => {
    expect(run("--diarize", "--min_speakers", "2").diarize).toMatchObject({ minSpeakers: 2 });
    expect(run("--min_speakers", "2").warnings).toContain("--min_speakers has no effect without --diarize");
    expect(refused("--diarize", "--min_speakers", "0")).toMatch(/^--min_speakers 0: must be at least 1/);
    expect(refused("--diarize", "--min_speakers", "3", "--max_speakers", "2")).toMatch(/^--min_speakers 3 is larger than --max_speakers 2/);
  },
  max_speakers: () => {
    expect(run("--diarize", "--max_speakers", "2").diarize).toMatchObject({ maxSpeakers: 2 });
    expect(run("--max_speakers", "2").warnings).toContain("--max_speakers has no effect without --diarize");
  },
  diarize_model: () => {
    expect(run("--diarize", "--diarize_model", "some/pipeline").diarize).toMatchObject({ model: "some/pipeline" });
    expect(run("--diarize_model", "x").warnings).toContain("--diarize_model has no effect without --diarize");
  },
  speaker_embeddings: () => {
    expect(run("--diarize", "--speaker_embeddings").diarize).toMatchObject({ speakerEmbeddings: true });
    expect(run("--speaker_embeddings").warnings).toContain("--speaker_embeddings has no effect without --diarize");
  },
  temperature: () => expect(run("--temperature", "0.5").load.asrOptions?.temperatures).toEqual([0.5]),
  best_of: () => {
    expect(run().load.asrOptions?.bestOf).toBeUndefined(); // WhisperX's default, 5, from the library
    expect(run("--best_of", "3").load.asrOptions?.bestOf).toBe(3);
  },
  beam_size: () => {
    expect(run().load.asrOptions?.beamSize).toBeUndefined(); // WhisperX's default, 5, from the library
    expect(run("--beam_size", "1").load.asrOptions?.beamSize).toBe(1);
  },
  patience: () => expect(run("--patience", "2").load.asrOptions?.patience).toBe(2),
  length_penalty: () => {
    expect(run().load.asrOptions?.lengthPenalty).toBeUndefined();
    expect(run("--length_penalty", "0.6").load.asrOptions?.lengthPenalty).toBe(0.6);
  },
  suppress_tokens: () => {
    expect(run("--suppress_tokens", "-1,264").load.asrOptions?.suppressTokens).toEqual([-1, 264]);
    expect(refused("--suppress_tokens", "a,b")).toMatch(/^argument --suppress_tokens/);
  },
  suppress_numerals: () => expect(run("--suppress_numerals").load.asrOptions?.suppressNumerals).toBe(true),
  initial_prompt: () => expect(run("--initial_prompt", "Hello.").load.asrOptions?.initialPrompt).toBe("Hello."),
  hotwords: () => expect(run("--hotwords", "ski resort").load.asrOptions?.hotwords).toBe("ski resort"),
  condition_on_previous_text: () => expect(run("--vad_method", "none", "--condition_on_previous_text", "True").load.asrOptions?.conditionOnPreviousText).toBe(true),
  fp16: () => {
    expect(run("--fp16", "True").warnings).toContain("--fp16: the engines here compute in float32 (as openai-whisper does on a CPU); using FP32 instead");
    expect(run("--fp16", "False").warnings).toEqual([]);
  },
  temperature_increment_on_fallback: () => expect(run("--vad_method", "none", "--temperature_increment_on_fallback", "0.2").load.asrOptions?.temperatures).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]),
  compression_ratio_threshold: () => expect(run("--compression_ratio_threshold", "2").load.asrOptions?.compressionRatioThreshold).toBe(2),
  logprob_threshold: () => expect(run("--logprob_threshold", "-2").load.asrOptions?.logProbThreshold).toBe(-2),
  no_speech_threshold: () => expect(run("--no_speech_threshold", "0.5").load.asrOptions?.noSpeechThreshold).toBe(0.5),
  max_line_width: () => {
    expect(run("--max_line_width", "30").subtitles.maxLineWidth).toBe(30);
    expect(refused("--max_line_width", "30", "--no_align")).toBe("--max_line_width not possible with --no_align");
  },
  max_line_count: () => {
    expect(run("--max_line_width", "30", "--max_line_count", "2").subtitles.maxLineCount).toBe(2);
    expect(run("--max_line_count", "2").warnings).toContain("--max_line_count has no effect without --max_line_width");
    expect(refused("--max_line_count", "2", "--no_align")).toBe("--max_line_count not possible with --no_align");
  },
  highlight_words: () => {
    expect(run("--highlight_words", "True").subtitles.highlightWords).toBe(true);
    expect(refused("--highlight_words", "True", "--no_align")).toBe("--highlight_words not possible with --no_align");
  },
  segment_resolution: () => expect(run("--segment_resolution", "chunk").align).toMatchObject({ segmentResolution: "chunk" }),
  threads: () => expect(run("--threads", "1").load.threads).toBe(1),
  hf_token: () => expect(run("--hf_token", "hf_x").load.token).toBe("hf_x"),
  print_progress: () => expect(run("--print_progress", "True").printProgress).toBe(true),
  version: () => expect(parseFlags(["-V"], WHISPERX_FLAGS).flags.version).toBe(true),
  python_version: () => expect(parseFlags(["-P"], WHISPERX_FLAGS).flags.python_version).toBe(true),
};

describe("WhisperX's flags", () => {
  it("are all in the flag table", () => {
    for (const flag of WHISPERX) expect(Object.keys(WHISPERX_FLAGS), flag).toContain(flag);
  });

  it.each(WHISPERX)("--%s is implemented or refused in one line", (flag) => CHECKS[flag]());

  it("refuses combinations that cannot work, each in one line", async () => {
    const out = mkdtempSync(join(tmpdir(), "flags-"));
    const clip = `${SYNTH}/audio/eval_003.wav`;
    for (const [args, message] of [
      [["--beam_size", "5", "--temperature", "0.5"], "whisperx: error: beam_size 5 needs temperature 0 (beam search does not sample); use best_of for temperature > 0"],
      [["--best_of", "3", "--temperature", "0"], "whisperx: error: best_of 3 needs a temperature above 0 (it chooses among samples)"],
      [["--temperature_increment_on_fallback", "0.2"], "whisperx: error: temperature fallback needs the sequential path (vad_method none): WhisperX's batched decoder never falls back"],
      [["--condition_on_previous_text", "True"], "whisperx: error: condition_on_previous_text needs the sequential path (vad_method none): batched chunks are decoded independently, as in WhisperX"],
      [["--length_penalty", "2"], "whisperx: error: length_penalty (alpha) must be between 0 and 1, got 2"],
    ] as const) {
      const r = await runCli("whisperx", [clip, "-o", out, "--verbose", "False", ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n").pop()).toBe(message);
    }
  });

  it("beam search is the default, --beam_size 1 is greedy, and they differ where openai-whisper's do", async () => {
    const out = mkdtempSync(join(tmpdir(), "flags-beam-"));
    const refs = JSON.parse(readFileSync(`${SYNTH}/refs-extra/beam.json`, "utf8")) as { clips: Record<string, { same_tokens_as_greedy_refs_json: boolean; transcribe: { text: string } }> };
    const id = Object.keys(refs.clips).find((k) => !refs.clips[k].same_tokens_as_greedy_refs_json && k.startsWith("eval")) as string;
    const text = async (...extra: string[]) => {
      const r = await runCli("whisperx", [`${SYNTH}/audio/${id}.wav`, "--vad_method", "none", "--language", "en", "-o", out, "-f", "json", "--verbose", "False", "--no_align", ...extra]);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(readFileSync(join(out, `${id}.json`), "utf8")) as { segments: { text: string }[] }).segments.map((s) => s.text).join("");
    };
    const beam = await text();
    expect(beam).toBe(refs.clips[id].transcribe.text);
    expect(await text("--beam_size", "1")).not.toBe(beam);
  });
});
