/**
 * Cue generation shared by SRT and VTT, following WhisperX's `SubtitlesWriter`: one cue per
 * segment, or, when segments carry words, cues built from words with optional line width and
 * line count limits, a cue break on pauses over 3 s, and `<u>` highlighting of each word.
 */
import type { TranscriptionResult, Word } from "../types.js";
import { formatTimestamp } from "./format.js";

/** Subtitle layout options (WhisperX's `--max_line_width`, `--max_line_count`, `--highlight_words`). */
export interface SubtitleOptions {
  maxLineWidth?: number | null;
  maxLineCount?: number | null;
  highlightWords?: boolean;
}

/** A subtitle cue with formatted times. */
export interface Cue {
  start: string;
  end: string;
  text: string;
}

const LANGUAGES_WITHOUT_SPACES = new Set(["ja", "zh"]);

interface Timing extends Word {
  word: string;
}

function* wordGroups(result: TranscriptionResult, options: SubtitleOptions): Generator<[Timing[], [number, number, string | undefined][]]> {
  const maxLineWidth = options.maxLineWidth ?? 1000;
  const preserveSegments = options.maxLineCount == null || options.maxLineWidth == null;
  let lineLen = 0;
  let lineCount = 1;
  let subtitle: Timing[] = [];
  let times: [number, number, string | undefined][] = [];
  let last = result.segments[0].start;
  for (const segment of result.segments) {
    const words = segment.words ?? [];
    for (let i = 0; i < words.length; i++) {
      const timing: Timing = { ...words[i] };
      const longPause = timing.start !== undefined && !preserveSegments && timing.start - last > 3.0;
      const hasRoom = lineLen + timing.word.length <= maxLineWidth;
      const segBreak = i === 0 && subtitle.length > 0 && preserveSegments;
      if (lineLen > 0 && hasRoom && !longPause && !segBreak) {
        lineLen += timing.word.length;
      } else {
        timing.word = timing.word.trim();
        if ((subtitle.length > 0 && options.maxLineCount != null && (longPause || lineCount >= options.maxLineCount)) || segBreak) {
          yield [subtitle, times];
          subtitle = [];
          times = [];
          lineCount = 1;
        } else if (lineLen > 0) {
          lineCount += 1;
          timing.word = "\n" + timing.word;
        }
        lineLen = timing.word.trim().length;
      }
      subtitle.push(timing);
      times.push([segment.start, segment.end, segment.speaker]);
      if (timing.start !== undefined) last = timing.start;
    }
  }
  if (subtitle.length > 0) yield [subtitle, times];
}

/** The cues of a result, in WhisperX's order. */
export function* iterateCues(result: TranscriptionResult, options: SubtitleOptions, alwaysIncludeHours: boolean, decimalMarker: string): Generator<Cue> {
  const fmt = (s: number) => formatTimestamp(s, alwaysIncludeHours, decimalMarker);
  if (result.segments.length === 0) return;
  if (result.segments[0].words) {
    for (const [subtitle, times] of wordGroups(result, options)) {
      let [sstart, send] = times[0];
      const speaker = times[0][2];
      const hasTiming = subtitle.some((t) => t.start !== undefined);
      if (hasTiming) {
        sstart = subtitle.find((t) => t.start !== undefined)?.start as number;
        send = [...subtitle].reverse().find((t) => t.end !== undefined)?.end as number;
      }
      const start = fmt(sstart);
      const end = fmt(send);
      const joiner = LANGUAGES_WITHOUT_SPACES.has(result.language) ? "" : " ";
      const text = subtitle.map((w) => w.word).join(joiner);
      const prefix = speaker !== undefined ? `[${speaker}]: ` : "";
      if (options.highlightWords && hasTiming) {
        let lastTime = start;
        const all = subtitle.map((t) => t.word);
        for (let i = 0; i < subtitle.length; i++) {
          const w = subtitle[i];
          if (w.start === undefined || w.end === undefined) continue;
          const ws = fmt(w.start);
          const we = fmt(w.end);
          if (lastTime !== ws) yield { start: lastTime, end: ws, text: prefix + text };
          yield { start: ws, end: we, text: prefix + all.map((x, j) => (j === i ? x.replace(/^(\s*)([\s\S]*)$/, "$1<u>$2</u>") : x)).join(" ") };
          lastTime = we;
        }
      } else {
        yield { start, end, text: prefix + text };
      }
    }
  } else {
    for (const segment of result.segments) {
      let text = segment.text.trim().replaceAll("-->", "->");
      if (segment.speaker !== undefined) text = `[${segment.speaker}]: ${text}`;
      yield { start: fmt(segment.start), end: fmt(segment.end), text };
    }
  }
}
