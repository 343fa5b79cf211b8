/**
 * LocalAgreement-n (whisper_streaming's `HypothesisBuffer`, generalised from n = 2): a word is
 * committed once n consecutive passes over the growing buffer agree on it, as the longest common
 * prefix of their unconfirmed tails. Words behind the last committed time and an n-gram (≤ 5
 * words) repeating the committed tail are dropped from each pass first, so nothing commits twice.
 */
import type { StreamWord } from "./stream-types.js";

/** Word identity for agreement: Whisper's spelling without the surrounding spaces. */
const sameWord = (a: StreamWord, b: StreamWord) => a.word.trim() === b.word.trim();

export class LocalAgreement {
  /** The unconfirmed tails of the last n − 1 passes, oldest first. */
  private previous: StreamWord[][] = [];
  /** Committed words still inside the audio buffer (for the n-gram check). */
  private committedInBuffer: StreamWord[] = [];
  /** End of the last committed word (seconds of stream audio). */
  lastCommittedTime = 0;

  constructor(readonly n = 2) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`agreement must be a whole number ≥ 1, got ${n}`);
  }

  /** The latest pass's unconfirmed words. */
  get tentative(): StreamWord[] {
    return this.previous.at(-1) ?? [];
  }

  /** Takes one pass's words (stream times) and returns those now confirmed by n passes. */
  insert(words: readonly StreamWord[]): StreamWord[] {
    let pass = words.filter((w) => w.start > this.lastCommittedTime - 0.1);
    if (pass.length && Math.abs(pass[0].start - this.lastCommittedTime) < 1 && this.committedInBuffer.length) {
      const c = this.committedInBuffer;
      for (let i = 1; i <= Math.min(c.length, pass.length, 5); i++) {
        const tail = c.slice(-i).map((w) => w.word.trim()).join(" ");
        const head = pass.slice(0, i).map((w) => w.word.trim()).join(" ");
        if (tail === head) {
          pass = pass.slice(i);
          break;
        }
      }
    }
    let k = 0;
    if (this.previous.length >= this.n - 1) {
      const others = this.previous.slice(-(this.n - 1));
      while (k < pass.length && others.every((o) => k < o.length && sameWord(o[k], pass[k]))) k++;
    }
    const commit = pass.slice(0, k);
    this.previous = [...this.previous, pass].slice(-Math.max(1, this.n - 1)).map((p) => p.slice(k));
    // A pass shorter than k (cannot happen for the current one) keeps the others aligned at k.
    if (commit.length) this.lastCommittedTime = commit[commit.length - 1].end;
    this.committedInBuffer.push(...commit);
    return commit;
  }

  /** Commits the latest tail as it stands (end of stream, or a forced trim) and returns it. */
  commitTentative(upTo = Infinity): StreamWord[] {
    const tail = this.tentative.filter((w) => w.end <= upTo);
    if (!tail.length) return [];
    this.lastCommittedTime = tail[tail.length - 1].end;
    this.committedInBuffer.push(...tail);
    this.previous = this.previous.map((p) => p.filter((w) => w.start >= this.lastCommittedTime));
    return tail;
  }

  /** Forgets committed words that end at or before `time` (the audio before it was cut). */
  dropCommittedBefore(time: number): void {
    this.committedInBuffer = this.committedInBuffer.filter((w) => w.end > time);
  }
}
