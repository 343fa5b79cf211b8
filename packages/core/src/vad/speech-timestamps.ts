/**
 * silero-vad's `get_speech_timestamps` (utils_vad.py, v6.2.1) on precomputed window
 * probabilities: hysteresis between `threshold` and `neg_threshold`, minimum speech and silence
 * durations, splitting at the longest (or last) silence once `max_speech_duration_s` is reached,
 * and `speech_pad_ms` padding that shares short gaps between neighbours.
 */

/** Options with silero-vad's names (camelCase) and defaults. */
export interface SpeechTimestampOptions {
  threshold?: number;
  /** Default: max(threshold − 0.15, 0.01). */
  negThreshold?: number;
  samplingRate?: 8000 | 16000;
  minSpeechDurationMs?: number;
  maxSpeechDurationS?: number;
  minSilenceDurationMs?: number;
  speechPadMs?: number;
  minSilenceAtMaxSpeech?: number;
  useMaxPossSilAtMaxSpeech?: boolean;
}

/** A speech region in samples, [start, end). */
export interface SpeechTimestamp {
  start: number;
  end: number;
}

/** Samples per probability window: 512 at 16 kHz, 256 at 8 kHz. */
export function vadWindowSize(samplingRate: number): number {
  return samplingRate === 16000 ? 512 : 256;
}

/** Speech regions from per-window probabilities of an audio of `numSamples` samples. */
export function getSpeechTimestamps(probs: ArrayLike<number>, numSamples: number, options: SpeechTimestampOptions = {}): SpeechTimestamp[] {
  const threshold = options.threshold ?? 0.5;
  const sr = options.samplingRate ?? 16000;
  const win = vadWindowSize(sr);
  const minSpeechSamples = (sr * (options.minSpeechDurationMs ?? 250)) / 1000;
  const speechPadSamples = (sr * (options.speechPadMs ?? 30)) / 1000;
  const maxSpeechSamples = sr * (options.maxSpeechDurationS ?? Infinity) - win - 2 * speechPadSamples;
  const minSilenceSamples = (sr * (options.minSilenceDurationMs ?? 100)) / 1000;
  const minSilenceAtMax = (sr * (options.minSilenceAtMaxSpeech ?? 98)) / 1000;
  const useMaxPoss = options.useMaxPossSilAtMaxSpeech ?? true;
  const negThreshold = options.negThreshold ?? Math.max(threshold - 0.15, 0.01);

  let triggered = false;
  const speeches: SpeechTimestamp[] = [];
  let current: Partial<SpeechTimestamp> = {};
  let tempEnd = 0;
  let prevEnd = 0;
  let nextStart = 0;
  let possibleEnds: [number, number][] = [];

  for (let i = 0; i < probs.length; i++) {
    const p = probs[i];
    const pos = win * i;
    if (p >= threshold && tempEnd) {
      const silDur = pos - tempEnd;
      if (silDur > minSilenceAtMax) possibleEnds.push([tempEnd, silDur]);
      tempEnd = 0;
      if (nextStart < prevEnd) nextStart = pos;
    }
    if (p >= threshold && !triggered) {
      triggered = true;
      current.start = pos;
      continue;
    }
    if (triggered && pos - (current.start as number) > maxSpeechSamples) {
      if (possibleEnds.length) {
        let chosen: [number, number];
        if (useMaxPoss) {
          // Python's max() keeps the first of equal maxima.
          chosen = possibleEnds.reduce((best, e) => (e[1] > best[1] ? e : best));
        } else {
          chosen = possibleEnds[possibleEnds.length - 1];
        }
        const [end, dur] = chosen;
        prevEnd = end;
        current.end = prevEnd;
        speeches.push(current as SpeechTimestamp);
        current = {};
        nextStart = prevEnd + dur;
        if (nextStart < prevEnd + pos) current.start = nextStart;
        else triggered = false;
        possibleEnds = possibleEnds.filter((e) => e[0] > nextStart);
        prevEnd = nextStart = tempEnd = 0;
      } else {
        current.end = pos;
        speeches.push(current as SpeechTimestamp);
        current = {};
        prevEnd = nextStart = tempEnd = 0;
        triggered = false;
        possibleEnds = [];
        continue;
      }
    }
    if (p < negThreshold && triggered) {
      if (!tempEnd) tempEnd = pos;
      if (pos - tempEnd < minSilenceSamples) continue;
      current.end = tempEnd;
      if (current.end - (current.start as number) > minSpeechSamples) speeches.push(current as SpeechTimestamp);
      current = {};
      prevEnd = nextStart = tempEnd = 0;
      triggered = false;
      possibleEnds = [];
      continue;
    }
  }
  if (current.start !== undefined && numSamples - current.start > minSpeechSamples) {
    current.end = numSamples;
    speeches.push(current as SpeechTimestamp);
  }
  for (let i = 0; i < speeches.length; i++) {
    const s = speeches[i];
    if (i === 0) s.start = Math.trunc(Math.max(0, s.start - speechPadSamples));
    if (i !== speeches.length - 1) {
      const next = speeches[i + 1];
      const silence = next.start - s.end;
      if (silence < 2 * speechPadSamples) {
        s.end += Math.trunc(Math.floor(silence / 2));
        next.start = Math.trunc(Math.max(0, next.start - Math.floor(silence / 2)));
      } else {
        s.end = Math.trunc(Math.min(numSamples, s.end + speechPadSamples));
        next.start = Math.trunc(Math.max(0, next.start - speechPadSamples));
      }
    } else {
      s.end = Math.trunc(Math.min(numSamples, s.end + speechPadSamples));
    }
  }
  return speeches;
}
