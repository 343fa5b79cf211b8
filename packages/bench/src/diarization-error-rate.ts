/**
 * Diarization error rate and Jaccard error rate as pyannote.metrics computes them
 * (`DiarizationErrorRate`, `JaccardErrorRate`): the UEM minus collars (total width `collar`,
 * centred on every reference boundary) and, with `skipOverlap`, minus reference overlap; both
 * annotations cropped to it; hypothesis labels mapped one-to-one onto reference labels by the
 * Hungarian algorithm on co-occurrence durations; then, on every piece of the common timeline,
 * miss, false alarm and confusion by speaker counts. The default (collar 0, overlap scored) is
 * pyannote's own convention.
 */

/** A labelled time range in seconds. */
export interface LabelledSegment {
  start: number;
  end: number;
  speaker: string;
}

/** DER's components, in seconds, and the rates. */
export interface DiarizationErrorComponents {
  total: number;
  missedDetection: number;
  falseAlarm: number;
  confusion: number;
  correct: number;
  /** (miss + false alarm + confusion) / total. */
  der: number;
  /** Mean over reference speakers of (FA + miss) / |ref ∪ hyp| (1 for an unmatched speaker). */
  jer: number;
  /** Σ per-speaker JER and the number of reference speakers, to accumulate over files. */
  jerSpeakerError: number;
  jerSpeakerCount: number;
}

/** Options of {@link diarizationErrorRate}. */
export interface DiarizationErrorOptions {
  /** Evaluated time ranges (default: the union of both annotations' extents). */
  uem?: readonly [number, number][];
  /** Total collar width around reference boundaries, in seconds (pyannote's `collar`; NIST's ±0.25 s is 0.5). */
  collar?: number;
  /** Leave reference overlap out of the evaluation. */
  skipOverlap?: boolean;
}

/** pyannote.core's segment precision: shorter pieces are empty. */
const PRECISION = 1e-6;

type Range = [number, number];

/** Merges ranges that overlap or touch (Timeline.support). */
function support(ranges: readonly Range[]): Range[] {
  const sorted = ranges.filter(([s, e]) => e - s > PRECISION).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: Range[] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s - last[1] <= PRECISION) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** The parts of `within` not covered by `cover` (Timeline.gaps(support)). */
function gaps(cover: readonly Range[], within: readonly Range[]): Range[] {
  const c = support(cover);
  const out: Range[] = [];
  for (const [ws, we] of support(within)) {
    let t = ws;
    for (const [s, e] of c) {
      if (e <= t || s >= we) continue;
      if (s > t) out.push([t, Math.min(s, we)]);
      t = Math.max(t, e);
    }
    if (we > t) out.push([t, we]);
  }
  return out.filter(([s, e]) => e - s > PRECISION);
}

/** Every segment intersected with every range of `uem` (Annotation.crop, mode "intersection"). */
function crop(segments: readonly LabelledSegment[], uem: readonly Range[]): LabelledSegment[] {
  const out: LabelledSegment[] = [];
  for (const seg of segments) {
    for (const [s, e] of uem) {
      const start = Math.max(seg.start, s);
      const end = Math.min(seg.end, e);
      if (end - start > PRECISION) out.push({ start, end, speaker: seg.speaker });
    }
  }
  return out;
}

/** The evaluated map: the UEM minus collars and (optionally) reference overlap (pyannote's `extrude`). */
function extrude(uem: readonly Range[], reference: readonly LabelledSegment[], collar: number, skipOverlap: boolean): Range[] {
  if (collar === 0 && !skipOverlap) return support(uem);
  const removed: Range[] = [];
  if (collar > 0) {
    for (const r of reference) for (const t of [r.start, r.end]) removed.push([t - 0.5 * collar, t + 0.5 * collar]);
  }
  if (skipOverlap) {
    for (let i = 0; i < reference.length; i++) {
      for (let j = 0; j < reference.length; j++) {
        if (i === j) continue;
        const s = Math.max(reference[i].start, reference[j].start);
        const e = Math.min(reference[i].end, reference[j].end);
        if (e - s > PRECISION) removed.push([s, e]);
      }
    }
  }
  return gaps(removed, uem);
}

/** Minimum-cost assignment (Hungarian algorithm, O(n³)) on a square matrix: row → column. */
function hungarian(cost: number[][]): number[] {
  const n = cost.length;
  const u = new Array<number>(n + 1).fill(0);
  const v = new Array<number>(n + 1).fill(0);
  const p = new Array<number>(n + 1).fill(0);
  const way = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Array<number>(n + 1).fill(Infinity);
    const used = new Array<boolean>(n + 1).fill(false);
    do {
      used[j0] = true;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = cost[i0 - 1][j - 1] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  const rowToCol = new Array<number>(n).fill(-1);
  for (let j = 1; j <= n; j++) if (p[j] > 0) rowToCol[p[j] - 1] = j - 1;
  return rowToCol;
}

function labelsOf(segments: readonly LabelledSegment[]): string[] {
  return [...new Set(segments.map((s) => s.speaker))].sort();
}

/** Hypothesis label → reference label, maximising total co-occurrence (pairs with none are left unmapped). */
function optimalMapping(reference: readonly LabelledSegment[], hypothesis: readonly LabelledSegment[]): Map<string, string> {
  const refLabels = labelsOf(reference);
  const hypLabels = labelsOf(hypothesis);
  const n = Math.max(refLabels.length, hypLabels.length);
  const co = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (const h of hypothesis) {
    const i = hypLabels.indexOf(h.speaker);
    for (const r of reference) {
      const d = Math.min(h.end, r.end) - Math.max(h.start, r.start);
      if (d > 0) co[i][refLabels.indexOf(r.speaker)] += d;
    }
  }
  const assignment = hungarian(co.map((row) => row.map((x) => -x)));
  const mapping = new Map<string, string>();
  assignment.forEach((j, i) => {
    if (i < hypLabels.length && j < refLabels.length && co[i][j] > 0) mapping.set(hypLabels[i], refLabels[j]);
  });
  return mapping;
}

/** Total duration of the union of `ranges`. */
function duration(ranges: readonly Range[]): number {
  return support(ranges).reduce((n, [s, e]) => n + (e - s), 0);
}

function rangesOf(segments: readonly LabelledSegment[], speaker: string): Range[] {
  return segments.filter((s) => s.speaker === speaker).map((s) => [s.start, s.end] as Range);
}

/** pyannote.metrics' DER (with components) and JER of `hypothesis` against `reference`. */
export function diarizationErrorRate(reference: readonly LabelledSegment[], hypothesis: readonly LabelledSegment[], options: DiarizationErrorOptions = {}): DiarizationErrorComponents {
  const extent = (segs: readonly LabelledSegment[]): Range[] => (segs.length ? [[Math.min(...segs.map((s) => s.start)), Math.max(...segs.map((s) => s.end))]] : []);
  const uem = options.uem ? [...options.uem] : support([...extent(reference), ...extent(hypothesis)]);
  const evaluated = extrude(uem, reference, options.collar ?? 0, options.skipOverlap ?? false);
  // Distinct namespaces, as pyannote renames reference labels to strings and hypothesis labels to ints.
  const ref = crop(reference, evaluated).map((s) => ({ ...s, speaker: `r:${s.speaker}` }));
  const hyp = crop(hypothesis, evaluated).map((s) => ({ ...s, speaker: `h:${s.speaker}` }));
  const mapping = optimalMapping(ref, hyp);
  const mapped = hyp.map((s) => ({ ...s, speaker: mapping.get(s.speaker) ?? s.speaker }));

  const c = { total: 0, missedDetection: 0, falseAlarm: 0, confusion: 0, correct: 0 };
  const bounds = [...new Set([...ref, ...mapped].flatMap((s) => [s.start, s.end]))].sort((a, b) => a - b);
  for (let k = 0; k + 1 < bounds.length; k++) {
    const [a, b] = [bounds[k], bounds[k + 1]];
    const d = b - a;
    if (d <= PRECISION) continue;
    const active = (segs: LabelledSegment[]) => segs.filter((s) => s.start <= a && s.end >= b).map((s) => s.speaker);
    const r = active(ref);
    const h = active(mapped);
    if (r.length === 0 && h.length === 0) continue;
    const counts = new Map<string, number>();
    for (const x of r) counts.set(x, (counts.get(x) ?? 0) + 1);
    let correct = 0;
    for (const x of h) {
      const left = counts.get(x) ?? 0;
      if (left > 0) {
        correct++;
        counts.set(x, left - 1);
      }
    }
    c.total += d * r.length;
    c.correct += d * correct;
    c.confusion += d * (Math.min(r.length, h.length) - correct);
    c.missedDetection += d * Math.max(0, r.length - h.length);
    c.falseAlarm += d * Math.max(0, h.length - r.length);
  }
  const errors = c.missedDetection + c.falseAlarm + c.confusion;
  const der = c.total > 0 ? errors / c.total : errors > 0 ? 1 : 0;

  // JER: per reference speaker, with the same one-to-one mapping.
  const byRef = new Map([...mapping].map(([h, r]) => [r, h]));
  let speakerError = 0;
  const refLabels = labelsOf(ref);
  for (const r of refLabels) {
    const h = byRef.get(r);
    if (h === undefined) {
      speakerError += 1;
      continue;
    }
    const rr = rangesOf(ref, r);
    const hh = rangesOf(hyp, h);
    const both = duration(support(rr).flatMap(([s, e]) => support(hh).map(([s2, e2]) => [Math.max(s, s2), Math.min(e, e2)] as Range)).filter(([s, e]) => e > s));
    const union = duration([...rr, ...hh]);
    speakerError += (duration(hh) - both + (duration(rr) - both)) / union;
  }
  return { ...c, der, jer: refLabels.length ? speakerError / refLabels.length : 0, jerSpeakerError: speakerError, jerSpeakerCount: refLabels.length };
}
