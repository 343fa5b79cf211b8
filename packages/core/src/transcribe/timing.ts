/**
 * Word timestamps from Whisper's cross-attention (openai-whisper `timing.py`): the alignment
 * heads' attention, normalised over tokens, median-filtered (width 7), averaged, aligned to
 * frames by DTW; words from token splits, punctuation merged, long words truncated at sentence
 * and segment boundaries.
 */
import { HOP_LENGTH, SAMPLE_RATE } from "../audio/constants.js";
import type { WhisperTokenizer } from "../tokenizer/whisper-tokenizer.js";
import type { Segment } from "../types.js";
import type { MelHandle, WhisperBackend } from "./backend.js";

const TOKENS_PER_SECOND = SAMPLE_RATE / HOP_LENGTH / 2;
const f32 = Math.fround;

/** Median over a sliding window along the last axis of rows × n, with reflect padding. */
export function medianFilter(x: Float32Array, rows: number, n: number, width: number): Float32Array {
  const pad = Math.floor(width / 2);
  if (n <= pad) return x;
  const out = new Float32Array(rows * n);
  const win = new Float32Array(width);
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < width; k++) {
        let j = i + k - pad;
        if (j < 0) j = -j;
        if (j >= n) j = 2 * n - 2 - j;
        win[k] = x[base + j];
      }
      win.sort();
      out[base + i] = win[pad];
    }
  }
  return out;
}

/** DTW over a cost matrix (N × M), as openai-whisper's `dtw_cpu` + `backtrace`. */
export function dtw(x: Float64Array, N: number, M: number): [number[], number[]] {
  const W = M + 1;
  const cost = new Float32Array((N + 1) * W).fill(Infinity);
  const trace = new Int8Array((N + 1) * W).fill(-1);
  cost[0] = 0;
  for (let j = 1; j <= M; j++) {
    for (let i = 1; i <= N; i++) {
      const c0 = cost[(i - 1) * W + j - 1];
      const c1 = cost[(i - 1) * W + j];
      const c2 = cost[i * W + j - 1];
      let c: number;
      let t: number;
      if (c0 < c1 && c0 < c2) [c, t] = [c0, 0];
      else if (c1 < c0 && c1 < c2) [c, t] = [c1, 1];
      else [c, t] = [c2, 2];
      cost[i * W + j] = f32(x[(i - 1) * M + j - 1] + c);
      trace[i * W + j] = t;
    }
  }
  for (let j = 0; j <= M; j++) trace[j] = 2;
  for (let i = 0; i <= N; i++) trace[i * W] = 1;
  let i = N;
  let j = M;
  const ti: number[] = [];
  const tj: number[] = [];
  while (i > 0 || j > 0) {
    ti.push(i - 1);
    tj.push(j - 1);
    const t = trace[i * W + j];
    if (t === 0) {
      i--;
      j--;
    } else if (t === 1) i--;
    else if (t === 2) j--;
    else throw new Error("unexpected DTW trace");
  }
  return [ti.reverse(), tj.reverse()];
}

/** A word with its tokens, times (seconds in the window) and probability. */
export interface WordTiming {
  word: string;
  tokens: number[];
  start: number;
  end: number;
  probability: number;
}

/** The default alignment heads: every head of the last half of the decoder layers. */
export function defaultAlignmentHeads(nLayers: number, nHeads: number): [number, number][] {
  const heads: [number, number][] = [];
  for (let l = Math.floor(nLayers / 2); l < nLayers; l++) for (let h = 0; h < nHeads; h++) heads.push([l, h]);
  return heads;
}

/** openai-whisper `find_alignment`. */
export async function findAlignment(backend: WhisperBackend, tokenizer: WhisperTokenizer, textTokens: number[], mel: MelHandle, seek: number, numFrames: number, heads: [number, number][], medfiltWidth = 7): Promise<WordTiming[]> {
  if (textTokens.length === 0) return [];
  const sot = tokenizer.sotSequence;
  const tokens = [...sot, tokenizer.noTimestamps, ...textTokens, tokenizer.eot];
  const textStart = sot.length + 1;
  const { weights, tokenCount: T, frames: F, textTokenProbs } = await backend.alignmentWeights(mel, seek, numFrames, tokens, heads, textStart, textStart + textTokens.length);
  const H = heads.length;
  // normalise each head over tokens (std_mean over dim -2, biased)
  const w = new Float32Array(weights);
  for (let h = 0; h < H; h++) {
    for (let f = 0; f < F; f++) {
      let mean = 0;
      for (let t = 0; t < T; t++) mean += w[(h * T + t) * F + f];
      mean /= T;
      let v = 0;
      for (let t = 0; t < T; t++) v += (w[(h * T + t) * F + f] - mean) ** 2;
      const std = Math.sqrt(v / T);
      for (let t = 0; t < T; t++) w[(h * T + t) * F + f] = (w[(h * T + t) * F + f] - mean) / std;
    }
  }
  const filtered = medianFilter(w, H * T, F, medfiltWidth);
  // mean over heads, rows len(sot_sequence) … −1
  const N = T - sot.length - 1;
  const cost = new Float64Array(N * F);
  for (let r = 0; r < N; r++) {
    for (let f = 0; f < F; f++) {
      let s = 0;
      for (let h = 0; h < H; h++) s += filtered[(h * T + r + sot.length) * F + f];
      cost[r * F + f] = -f32(s / H);
    }
  }
  const [textIdx, timeIdx] = dtw(cost, N, F);
  const [words, wordTokens] = tokenizer.splitToWordTokens([...textTokens, tokenizer.eot]);
  if (wordTokens.length <= 1) return [];
  const boundaries = [0];
  for (const t of wordTokens.slice(0, -1)) boundaries.push(boundaries[boundaries.length - 1] + t.length);
  const jumpTimes: number[] = [];
  for (let k = 0; k < textIdx.length; k++) if (k === 0 || textIdx[k] !== textIdx[k - 1]) jumpTimes.push(timeIdx[k] / TOKENS_PER_SECOND);
  const out: WordTiming[] = [];
  for (let i = 0; i + 1 < boundaries.length; i++) {
    const probs = textTokenProbs.slice(boundaries[i], boundaries[i + 1]);
    out.push({
      word: words[i],
      tokens: wordTokens[i],
      start: jumpTimes[boundaries[i]],
      end: jumpTimes[boundaries[i + 1]],
      probability: probs.reduce((a, b) => a + b, 0) / probs.length,
    });
  }
  return out;
}

/** openai-whisper `merge_punctuations` (in place). */
export function mergePunctuations(alignment: WordTiming[], prepended: string, appended: string): void {
  let i = alignment.length - 2;
  let j = alignment.length - 1;
  while (i >= 0) {
    const prev = alignment[i];
    const next = alignment[j];
    // Python's `in` on strings is a substring test; kept as such.
    if (prev.word.startsWith(" ") && prepended.includes(prev.word.trim())) {
      next.word = prev.word + next.word;
      next.tokens = [...prev.tokens, ...next.tokens];
      prev.word = "";
      prev.tokens = [];
    } else j = i;
    i--;
  }
  i = 0;
  j = 1;
  while (j < alignment.length) {
    const prev = alignment[i];
    const next = alignment[j];
    if (!prev.word.endsWith(" ") && appended.includes(next.word)) {
      prev.word = prev.word + next.word;
      prev.tokens = [...prev.tokens, ...next.tokens];
      next.word = "";
      next.tokens = [];
    } else i = j;
    j++;
  }
}

const round2 = (x: number) => Number(x.toFixed(2));

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Options of `addWordTimestamps`. */
export interface WordTimestampOptions {
  prependPunctuations?: string;
  appendPunctuations?: string;
  heads?: [number, number][];
}

/** openai-whisper `add_word_timestamps` for the segments of one window; returns the last speech time. */
export async function addWordTimestamps(
  backend: WhisperBackend,
  tokenizer: WhisperTokenizer,
  segments: Segment[],
  mel: MelHandle,
  seek: number,
  numFrames: number,
  lastSpeechTimestamp: number,
  options: WordTimestampOptions = {},
): Promise<number> {
  if (segments.length === 0) return lastSpeechTimestamp;
  const perSegment = segments.map((s) => (s.tokens ?? []).filter((t) => t < tokenizer.eot));
  const textTokens = perSegment.flat();
  const heads = options.heads ?? defaultAlignmentHeads(backend.dims.n_text_layer, backend.dims.n_text_head);
  const alignment = await findAlignment(backend, tokenizer, textTokens, mel, seek, numFrames, heads);
  const durations = alignment.map((t) => t.end - t.start).filter((d) => d !== 0);
  const medianDuration = Math.min(0.7, durations.length ? median(durations) : 0);
  const maxDuration = medianDuration * 2;
  if (durations.length > 0) {
    const marks = ".。!！?？";
    for (let i = 1; i < alignment.length; i++) {
      if (alignment[i].end - alignment[i].start > maxDuration) {
        if (marks.includes(alignment[i].word)) alignment[i].end = alignment[i].start + maxDuration;
        else if (marks.includes(alignment[i - 1].word)) alignment[i].start = alignment[i].end - maxDuration;
      }
    }
  }
  mergePunctuations(alignment, options.prependPunctuations ?? "\"'“¿([{-", options.appendPunctuations ?? "\"'.。,，!！?？:：”)]}、");
  const timeOffset = (seek * HOP_LENGTH) / SAMPLE_RATE;
  let wordIndex = 0;
  segments.forEach((segment, si) => {
    let saved = 0;
    const words: { word: string; start: number; end: number; probability: number }[] = [];
    while (wordIndex < alignment.length && saved < perSegment[si].length) {
      const t = alignment[wordIndex];
      if (t.word) words.push({ word: t.word, start: round2(timeOffset + t.start), end: round2(timeOffset + t.end), probability: t.probability });
      saved += t.tokens.length;
      wordIndex++;
    }
    if (words.length > 0) {
      if (words[0].end - lastSpeechTimestamp > medianDuration * 4 && (words[0].end - words[0].start > maxDuration || (words.length > 1 && words[1].end - words[0].start > maxDuration * 2))) {
        if (words.length > 1 && words[1].end - words[1].start > maxDuration) {
          const boundary = Math.max(words[1].end / 2, words[1].end - maxDuration);
          words[0].end = words[1].start = boundary;
        }
        words[0].start = Math.max(0, words[0].end - maxDuration);
      }
      if (segment.start < words[0].end && segment.start - 0.5 > words[0].start) {
        words[0].start = Math.max(0, Math.min(words[0].end - medianDuration, segment.start));
      } else segment.start = words[0].start;
      const last = words[words.length - 1];
      if (segment.end > last.start && segment.end + 0.5 < last.end) {
        last.end = Math.max(last.start + medianDuration, segment.end);
      } else segment.end = last.end;
      lastSpeechTimestamp = segment.end;
    }
    segment.words = words.map((w) => ({ word: w.word, start: w.start, end: w.end, score: w.probability }));
  });
  return lastSpeechTimestamp;
}
