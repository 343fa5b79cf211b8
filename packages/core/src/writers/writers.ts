/**
 * WhisperX's output writers (txt, vtt, srt, tsv, json, aud). Files are named
 * `<output_dir>/<audio basename>.<ext>` and written atomically.
 */
import { basename, extname, join } from "node:path";
import { isStreamInput } from "../audio/load-audio.js";
import type { TranscriptionResult } from "../types.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { pythonFloat, pythonJson, roundHalfEven } from "./format.js";
import { iterateCues, type SubtitleOptions } from "./subtitles.js";

/** Formats WhisperX writes with `--output_format all` (aud is opt-in, as in WhisperX). */
export const ALL_FORMATS = ["txt", "vtt", "srt", "tsv", "json"] as const;
/** Every output format. */
export type OutputFormat = (typeof ALL_FORMATS)[number] | "aud";

/** Renders a result in one format. */
export function renderResult(result: TranscriptionResult, format: OutputFormat, options: SubtitleOptions = {}): string {
  switch (format) {
    case "txt":
      return result.segments.map((s) => (s.speaker !== undefined ? `[${s.speaker}]: ${s.text.trim()}` : s.text.trim()) + "\n").join("");
    case "vtt": {
      let out = "WEBVTT\n\n";
      for (const c of iterateCues(result, options, false, ".")) out += `${c.start} --> ${c.end}\n${c.text}\n\n`;
      return out;
    }
    case "srt": {
      let out = "";
      let i = 1;
      for (const c of iterateCues(result, options, true, ",")) out += `${i++}\n${c.start} --> ${c.end}\n${c.text}\n\n`;
      return out;
    }
    case "tsv":
      return "start\tend\ttext\n" + result.segments.map((s) => `${roundHalfEven(1000 * s.start)}\t${roundHalfEven(1000 * s.end)}\t${s.text.trim().replaceAll("\t", " ")}\n`).join("");
    case "aud":
      return result.segments.map((s) => `${pythonFloat(s.start)}\t${pythonFloat(s.end)}\t${s.speaker !== undefined ? `[[${s.speaker}]]` : ""}${s.text.trim().replaceAll("\t", " ")}\n`).join("");
    case "json":
      return pythonJson(result);
  }
}

/**
 * The output path of `audioPath` in `outputDir` for `format`: the input's base name without its
 * extension (a URL's path, without the query), or `content` for stdin (`-`), as mlx_whisper.
 */
export function outputPath(outputDir: string, audioPath: string, format: OutputFormat): string {
  const name = isStreamInput(audioPath) && audioPath !== "-" ? decodeURIComponent(new URL(audioPath).pathname) : audioPath;
  const base = audioPath === "-" ? "" : basename(name, extname(name));
  return join(outputDir, `${base || "content"}.${format}`);
}

/** Writes a result in the given formats ("all" = txt, vtt, srt, tsv, json). Returns the paths. */
export function writeResult(result: TranscriptionResult, audioPath: string, outputDir: string, format: OutputFormat | "all", options: SubtitleOptions = {}): string[] {
  const formats: OutputFormat[] = format === "all" ? [...ALL_FORMATS] : [format];
  // Render everything first, so a rendering error leaves no file of this result behind.
  const rendered = formats.map((f) => [outputPath(outputDir, audioPath, f), renderResult(result, f, options)] as const);
  for (const [p, text] of rendered) writeFileAtomic(p, text);
  return rendered.map(([p]) => p);
}

/** Writes one result for one audio file; returns the paths written. */
export type ResultWriter = (result: TranscriptionResult, audioPath: string, options?: SubtitleOptions) => string[];

/** WhisperX's `get_writer(output_format, output_dir)`: a writer bound to a format and a directory. */
export function getWriter(format: OutputFormat | "all", outputDir: string): ResultWriter {
  return (result, audioPath, options = {}) => writeResult(result, audioPath, outputDir, format, options);
}
