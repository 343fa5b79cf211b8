/**
 * WhisperX's `align()` (alignment.py at 2cfd7b7) over any emission model: per segment, crop the
 * audio, get CTC emissions, force-align the segment's characters (every non-space character the
 * model cannot spell goes in as a scored wildcard), and build words and sentence sub-segments.
 * Text is indexed by code point, as Python indexes it.
 */
import { SAMPLE_RATE } from "../audio/constants.js";
import type { AudioSamples } from "../audio/audio-samples.js";
import { openAudioSamples } from "../audio/load-audio.js";
import type { Segment, Word } from "../types.js";
import { numpyRound3, pandasMean, pythonRound3 } from "../util/python-numerics.js";
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

/** A character with its alignment (no times or score for spaces). */
export interface CharAlignment {
  char: string;
  start?: number;
  end?: number;
  score?: number;
}

/**
 * An aligned sub-segment, keys in WhisperX's order: start, end, text, words, chars, avg_logprob.
 * `chars` is null on a segment that could not be aligned (absent on aligned ones) unless
 * character alignments were asked for.
 */
export interface AlignedSegment extends Segment {
  words: Word[];
  chars?: CharAlignment[] | null;
}

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

// Python's `str.isspace()`, for strip() and its counts.
const PY_SPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u;
const pyStrip = (s: string) => {
  const cps = Array.from(s);
  let a = 0;
  let b = cps.length;
  while (a < b && PY_SPACE.test(cps[a])) a++;
  while (b > a && PY_SPACE.test(cps[b - 1])) b--;
  return cps.slice(a, b).join("");
};

/** One character of a segment with its alignment and word index (a row of WhisperX's char frame). */
interface CharRow extends CharAlignment {
  wordIdx: number;
}

/** NaN-skipping min/max as pandas computes them; NaN when nothing is known. */
const known = (xs: (number | undefined)[]) => xs.filter((x): x is number => x !== undefined && !Number.isNaN(x));
const minOf = (xs: (number | undefined)[]) => (known(xs).length ? Math.min(...known(xs)) : Number.NaN);
const maxOf = (xs: (number | undefined)[]) => (known(xs).length ? Math.max(...known(xs)) : Number.NaN);

/**
 * Aligns transcript segments to audio (16 kHz samples, or a file decoded as `loadAudio` does),
 * with WhisperX's argument order. Returns sentence sub-segments and all words.
 */
export async function align(segments: readonly Segment[], model: AlignModel, audioOrPath: AudioSamples | string, options: AlignOptions = {}): Promise<AlignedResult> {
  const audio = typeof audioOrPath === "string" ? await openAudioSamples(audioOrPath) : audioOrPath;
  const lang = options.language ?? model.language ?? "en";
  const noSpaces = LANGUAGES_WITHOUT_SPACES.has(lang);
  const method = options.interpolateMethod ?? "nearest";
  const { dict, blank } = alignDictionary(model.vocab);
  const aligned: AlignedSegment[] = [];
  const audioSeconds = audio.length / SAMPLE_RATE;

  for (const [segmentIndex, segment] of segments.entries()) {
    options.onProgress?.(segmentIndex, segments.length);
    const { start: t1, end: t2, text, avg_logprob: avgLogprob } = segment;
    const chars = Array.from(text);
    const n = chars.length;
    let numLeading = 0;
    while (numLeading < n && PY_SPACE.test(chars[numLeading])) numLeading++;
    let numTrailing = 0;
    while (numTrailing < n && PY_SPACE.test(chars[n - 1 - numTrailing])) numTrailing++;

    // 1. The characters to align: known labels, and wildcards for every other non-space one.
    const cleanChar: string[] = [];
    const cleanCdx: number[] = [];
    for (let cdx = 0; cdx < n; cdx++) {
      let ch = chars[cdx].toLowerCase();
      if (!noSpaces) ch = ch.replaceAll(" ", "|");
      if (cdx < numLeading || cdx > n - numTrailing - 1) continue;
      if (dict.has(ch) || (ch !== " " && ch !== "|")) {
        cleanChar.push(ch);
        cleanCdx.push(cdx);
      }
    }

    const unaligned = (): AlignedSegment => ({
      start: t1,
      end: t2,
      text,
      words: [],
      chars: options.returnCharAlignments ? [] : null,
      ...(avgLogprob !== undefined ? { avg_logprob: avgLogprob } : {}),
    });
    if (cleanChar.length === 0 || t1 >= audioSeconds) {
      aligned.push(unaligned());
      continue;
    }

    // 2. Emissions of the segment's audio, and the CTC path through its characters.
    const textClean = Array.from(cleanChar.join(""));
    let wave = audio.subarray(Math.trunc(t1 * SAMPLE_RATE), Math.trunc(t2 * SAMPLE_RATE));
    if (wave.length < 400) {
      const padded = new Float32Array(400);
      padded.set(wave);
      wave = padded;
    }
    let em = await model.emissions(wave);
    const tokens = textClean.map((c) => dict.get(c) ?? -1);
    if (tokens.includes(-1)) {
      em = withWildcard(em, blank);
      for (let i = 0; i < tokens.length; i++) if (tokens[i] === -1) tokens[i] = em.vocab - 1;
    }
    const path = backtrack(getTrellis(em, tokens, blank), em, tokens, blank);
    if (!path) {
      aligned.push(unaligned());
      continue;
    }
    const charSegs = mergeRepeats(path, textClean);
    const ratio = (t2 - t1) / em.frames; // duration / (trellis rows − 1)

    // 3. Every character with its times, score and word index.
    const rows: CharRow[] = [];
    let wordIdx = 0;
    for (let cdx = 0; cdx < n; cdx++) {
      const row: CharRow = { char: chars[cdx], wordIdx };
      const k = cleanCdx.indexOf(cdx);
      const seg = k >= 0 ? charSegs[k] : undefined;
      if (seg) {
        row.start = pythonRound3(seg.start * ratio + t1);
        row.end = pythonRound3(seg.end * ratio + t1);
        row.score = pythonRound3(seg.score);
      }
      rows.push(row);
      if (noSpaces || cdx === n - 1 || chars[cdx + 1] === " ") wordIdx++;
    }

    // 4. One sub-segment per sentence, with its words.
    const subs: AlignedSegment[] = [];
    const spans: [number, number][] = options.segmentResolution === "chunk" ? [[0, n - numTrailing]] : sentenceSpansByCodePoint(text, lang);
    for (const [sstart, send] of spans) {
      const cur = rows.slice(sstart, send + 1);
      const words: Word[] = [];
      for (const wi of [...new Set(cur.map((c) => c.wordIdx))]) {
        const wordChars = cur.filter((c) => c.wordIdx === wi);
        const wordText = pyStrip(wordChars.map((c) => c.char).join(""));
        if (!wordText) continue;
        const nonSpace = wordChars.filter((c) => c.char !== " ");
        const w: Word = { word: wordText };
        const ws = minOf(nonSpace.map((c) => c.start));
        const we = maxOf(nonSpace.map((c) => c.end));
        const sc = pandasMean(nonSpace.map((c) => c.score));
        if (!Number.isNaN(ws)) w.start = ws;
        if (!Number.isNaN(we)) w.end = we;
        // round() of a numpy float: numpy's rounding, not Python's.
        if (!Number.isNaN(sc)) w.score = numpyRound3(sc);
        words.push(w);
      }
      interpolateWordTimes(words, method);
      subs.push({
        start: minOf(cur.map((c) => c.start)),
        end: maxOf(cur.filter((c) => c.char !== " ").map((c) => c.end)),
        text: chars.slice(sstart, send).join(""),
        words,
        ...(options.returnCharAlignments ? { chars: cur.map(({ char, start, end, score }) => ({ char, ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}), ...(score !== undefined ? { score } : {}) })) } : {}),
        ...(avgLogprob !== undefined ? { avg_logprob: avgLogprob } : {}),
      });
    }
    aligned.push(...mergeSameTimes(subs, method, noSpaces));
  }
  options.onProgress?.(segments.length, segments.length);
  return { segments: aligned, word_segments: aligned.flatMap((s) => s.words) };
}

/** Punkt's sentence spans, moved from UTF-16 offsets to code points. */
function sentenceSpansByCodePoint(text: string, lang: string): [number, number][] {
  const toCodePoint = new Int32Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; i++) {
    toCodePoint[i] = cp;
    const c = text.charCodeAt(i);
    if (!(c >= 0xd800 && c <= 0xdbff && i + 1 < text.length)) cp++;
  }
  toCodePoint[text.length] = cp;
  return sentenceSpans(text, lang).map(([a, b]) => [toCodePoint[a], toCodePoint[b]]);
}

/** Words with no alignable character take their neighbours' times (only when some word has times). */
function interpolateWordTimes(words: Word[], method: InterpolateMethod): void {
  if (!words.some((w) => w.start === undefined) || !words.some((w) => w.start !== undefined)) return;
  const starts = interpolateNans(words.map((w) => w.start), method);
  const ends = interpolateNans(words.map((w) => w.end), method);
  words.forEach((w, i) => {
    if (w.start === undefined && starts[i] !== undefined) w.start = starts[i];
    if (w.end === undefined && ends[i] !== undefined) w.end = ends[i];
  });
}

/**
 * Fills missing sentence times, then merges sentences with identical (start, end) as pandas'
 * `groupby(["start", "end"]).agg(...)` does: sorted by the keys, NaN keys dropped.
 */
function mergeSameTimes(subs: AlignedSegment[], method: InterpolateMethod, noSpaces: boolean): AlignedSegment[] {
  const starts = interpolateNans(subs.map((s) => (Number.isNaN(s.start) ? undefined : s.start)), method);
  const ends = interpolateNans(subs.map((s) => (Number.isNaN(s.end) ? undefined : s.end)), method);
  const groups = new Map<string, AlignedSegment>();
  subs.forEach((s, i) => {
    const start = starts[i];
    const end = ends[i];
    if (start === undefined || end === undefined) return;
    const key = `${start}|${end}`;
    const g = groups.get(key);
    if (g) {
      g.text = g.text + (noSpaces ? "" : " ") + s.text;
      g.words.push(...s.words);
      if (g.chars && s.chars) g.chars.push(...s.chars);
      return;
    }
    // Rebuilt so the keys keep WhisperX's order with the filled-in times.
    groups.set(key, {
      start,
      end,
      text: s.text,
      words: [...s.words],
      ...(s.chars ? { chars: [...s.chars] } : {}),
      ...(s.avg_logprob !== undefined ? { avg_logprob: s.avg_logprob } : {}),
    });
  });
  return [...groups.values()].sort((a, b) => a.start - b.start || a.end - b.end);
}
