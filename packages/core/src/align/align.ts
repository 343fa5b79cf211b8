/**
 * WhisperX's `align()` over any emission model: per segment, crop the audio, get CTC
 * emissions, force-align the segment's characters, and build words and sentence sub-segments.
 */
import { SAMPLE_RATE } from "../audio/constants.js";
import { loadAudio } from "../audio/load-audio.js";
import type { Segment, Word } from "../types.js";
import { interpolateNans, type InterpolateMethod } from "./interpolate.js";
import { sentenceSpans } from "./sentences.js";
import { backtrack, getTrellis, mergeRepeats, type Emissions } from "./trellis.js";

/** Languages written without spaces: aligned per character. */
export const LANGUAGES_WITHOUT_SPACES = new Set(["ja", "zh"]);

/** An emission model (wav2vec2 CTC on some backend) with its label set. */
export interface AlignModel {
  /** Labels in id order, as the model's vocab. */
  vocab: readonly string[];
  /** The language it aligns (WhisperX's `metadata["language"]`); `align` uses it unless told otherwise. */
  language?: string;
  /** Log-softmax emissions of a 16 kHz waveform of at least 400 samples. */
  emissions(audio: Float32Array): Promise<Emissions>;
}

/** Options of `align` (WhisperX names). */
export interface AlignOptions {
  /** The transcript's language (default: the model's, else English). */
  language?: string;
  interpolateMethod?: InterpolateMethod;
  returnCharAlignments?: boolean;
  /** "sentence" (default): one aligned segment per sentence, as WhisperX; "chunk": one per input segment. */
  segmentResolution?: "sentence" | "chunk";
  /** Called after each segment with the segments done and their total. */
  onProgress?: (done: number, total: number) => void;
}

/** What `align` returns (WhisperX's `AlignedTranscriptionResult`). */
export interface AlignedResult {
  segments: AlignedSegment[];
  word_segments: Word[];
}

/** A character with its alignment. */
export interface CharAlignment {
  char: string;
  start?: number;
  end?: number;
  score?: number;
}

/** An aligned sub-segment. */
export interface AlignedSegment extends Segment {
  words: Word[];
  chars?: CharAlignment[];
}

/** Characters that may stand for a word piece the model cannot spell (digits, symbols). */
const WILDCARD_CHARS = /[\p{L}\p{N}$%£€&@#+=]/u;

/** Python's `round(x, 3)` on times and scores here (exact decimal ties do not occur). */
const round3 = (x: number) => Number(x.toFixed(3));

/** The dictionary WhisperX builds: lowercased labels → ids, and the blank id. */
export function alignDictionary(vocab: readonly string[]): { dict: Map<string, number>; blank: number } {
  const dict = new Map<string, number>();
  vocab.forEach((label, id) => dict.set(label.toLowerCase(), id));
  const blank = vocab.findIndex((l) => l === "[pad]" || l === "<pad>");
  return { dict, blank: blank >= 0 ? blank : 0 };
}

/** Appends WhisperX's wildcard column: per frame, the best non-blank log-probability. */
function withWildcard(em: Emissions, blank: number): Emissions {
  const V = em.vocab + 1;
  const data = new Float32Array(em.frames * V);
  for (let t = 0; t < em.frames; t++) {
    let best = -Infinity;
    for (let v = 0; v < em.vocab; v++) {
      const x = em.data[t * em.vocab + v];
      data[t * V + v] = x;
      if (v !== blank && x > best) best = x;
    }
    data[t * V + em.vocab] = best;
  }
  return { data, frames: em.frames, vocab: V };
}

/**
 * Aligns transcript segments to audio (16 kHz samples, or a file decoded as `loadAudio` does),
 * with WhisperX's argument order. Returns sentence sub-segments and all words.
 */
export async function align(segments: readonly Segment[], model: AlignModel, audioOrPath: Float32Array | string, options: AlignOptions = {}): Promise<AlignedResult> {
  const audio = typeof audioOrPath === "string" ? await loadAudio(audioOrPath) : audioOrPath;
  const lang = options.language ?? model.language ?? "en";
  const noSpaces = LANGUAGES_WITHOUT_SPACES.has(lang);
  const method = options.interpolateMethod ?? "nearest";
  const { dict, blank } = alignDictionary(model.vocab);
  const aligned: AlignedSegment[] = [];
  const audioSeconds = audio.length / SAMPLE_RATE;

  for (const [segmentIndex, segment] of segments.entries()) {
    options.onProgress?.(segmentIndex, segments.length);
    const text = segment.text;
    const numLeading = text.length - text.trimStart().length;
    const numTrailing = text.length - text.trimEnd().length;
    const cleanChar: string[] = [];
    const cleanCdx: number[] = [];
    const wildcardCdx = new Set<number>();
    for (let cdx = 0; cdx < text.length; cdx++) {
      let ch = text[cdx].toLowerCase();
      if (!noSpaces) ch = ch.replace(" ", "|");
      if (cdx < numLeading || cdx > text.length - numTrailing - 1) continue;
      if (dict.has(ch)) {
        cleanChar.push(ch);
        cleanCdx.push(cdx);
      } else if (WILDCARD_CHARS.test(ch)) {
        cleanChar.push("*");
        cleanCdx.push(cdx);
        wildcardCdx.add(cdx);
      }
    }
    const fallback: AlignedSegment = { start: segment.start, end: segment.end, text, words: [] };
    const t1 = segment.start;
    const t2 = segment.end;
    if (cleanChar.length === 0 || t1 >= audioSeconds) {
      aligned.push(fallback);
      continue;
    }
    const f1 = Math.trunc(t1 * SAMPLE_RATE);
    const f2 = Math.trunc(t2 * SAMPLE_RATE);
    let wave = audio.subarray(f1, f2);
    if (wave.length < 400) {
      const padded = new Float32Array(400);
      padded.set(wave);
      wave = padded;
    }
    let em = await model.emissions(wave);
    const tokens = cleanChar.map((c) => (c === "*" ? -1 : (dict.get(c) as number)));
    if (tokens.includes(-1)) {
      em = withWildcard(em, blank);
      for (let i = 0; i < tokens.length; i++) if (tokens[i] === -1) tokens[i] = em.vocab - 1;
    }
    const trellis = getTrellis(em, tokens, blank);
    const path = backtrack(trellis, em, tokens, blank);
    if (!path) {
      aligned.push(fallback);
      continue;
    }
    const charSegs = mergeRepeats(path, cleanChar);
    const ratio = (t2 - t1) / em.frames; // duration / (trellis rows − 1)

    // every character of the text, with its word index
    const chars: (CharAlignment & { wordIdx: number })[] = [];
    let wordIdx = 0;
    for (let cdx = 0; cdx < text.length; cdx++) {
      const c: CharAlignment & { wordIdx: number } = { char: text[cdx], wordIdx };
      const k = cleanCdx.indexOf(cdx);
      if (k >= 0 && charSegs[k]) {
        c.start = round3(charSegs[k].start * ratio + t1);
        c.end = round3(charSegs[k].end * ratio + t1);
        if (!wildcardCdx.has(cdx)) c.score = round3(charSegs[k].score);
      }
      chars.push(c);
      if (noSpaces || cdx === text.length - 1 || text[cdx + 1] === " ") wordIdx++;
    }

    const subs: AlignedSegment[] = [];
    const spans: [number, number][] = options.segmentResolution === "chunk" ? [[numLeading, text.length - numTrailing]] : sentenceSpans(text, lang);
    for (const [sstart, send] of spans) {
      const cur = chars.slice(sstart, send + 1);
      const starts = cur.map((c) => c.start).filter((x): x is number => x !== undefined);
      const ends = cur.filter((c) => c.char !== " ").map((c) => c.end).filter((x): x is number => x !== undefined);
      const words: Word[] = [];
      for (const wi of [...new Set(cur.map((c) => c.wordIdx))]) {
        const wc = cur.filter((c) => c.wordIdx === wi);
        const wordText = wc.map((c) => c.char).join("").trim();
        if (!wordText) continue;
        const nonSpace = wc.filter((c) => c.char !== " ");
        const ws = nonSpace.map((c) => c.start).filter((x): x is number => x !== undefined);
        const we = nonSpace.map((c) => c.end).filter((x): x is number => x !== undefined);
        const sc = nonSpace.map((c) => c.score).filter((x): x is number => x !== undefined);
        const w: Word = { word: wordText };
        if (ws.length) w.start = Math.min(...ws);
        if (we.length) w.end = Math.max(...we);
        if (sc.length) w.score = round3(sc.reduce((a, b) => a + b, 0) / sc.length);
        words.push(w);
      }
      const sub: AlignedSegment = {
        text: text.slice(sstart, send),
        start: starts.length ? Math.min(...starts) : Number.NaN,
        end: ends.length ? Math.max(...ends) : Number.NaN,
        words,
      };
      if (options.returnCharAlignments) sub.chars = cur.map(({ wordIdx: _w, ...c }) => c);
      subs.push(sub);
    }
    const starts = interpolateNans(subs.map((s) => (Number.isNaN(s.start) ? undefined : s.start)), method);
    const ends = interpolateNans(subs.map((s) => (Number.isNaN(s.end) ? undefined : s.end)), method);
    subs.forEach((s, i) => {
      s.start = starts[i] ?? Number.NaN;
      s.end = ends[i] ?? Number.NaN;
    });
    // Sentences with identical times are merged; pandas' groupby sorts by (start, end) and drops NaN keys.
    const groups = new Map<string, AlignedSegment>();
    for (const s of subs) {
      if (Number.isNaN(s.start) || Number.isNaN(s.end)) continue;
      const key = `${s.start}|${s.end}`;
      const g = groups.get(key);
      if (g) {
        g.text = g.text + (noSpaces ? "" : " ") + s.text;
        g.words.push(...s.words);
        if (s.chars) g.chars = [...(g.chars ?? []), ...s.chars];
      } else {
        groups.set(key, { ...s, words: [...s.words] });
      }
    }
    aligned.push(...[...groups.values()].sort((a, b) => a.start - b.start || a.end - b.end));
  }
  options.onProgress?.(segments.length, segments.length);
  return { segments: aligned, word_segments: aligned.flatMap((s) => s.words) };
}
