/**
 * The streaming policy (whisper_streaming's `OnlineASRProcessor`, with its known gaps closed):
 * audio is appended to a buffer; each pass transcribes the whole buffer, prompted with the
 * committed text that has left it; LocalAgreement-n commits the words consecutive passes agree
 * on. The buffer is cut at a committed segment end once it passes `bufferTrimmingSec`, and at
 * `maxBufferSec` it is cut even when nothing committed there (the tentative words before the cut
 * are committed), so it never grows without bound.
 */
import { SAMPLE_RATE } from "../audio/constants.js";
import { LocalAgreement } from "./local-agreement.js";
import { cutRepetitionLoop } from "./repetition-guard.js";
import type { StreamWord } from "./stream-types.js";

/** One pass's result: segments (buffer times) with their words. */
export interface RecognizedSegment {
  end: number;
  noSpeechProb?: number;
  words: StreamWord[];
}

/** Transcribes a buffer (16 kHz) with a prompt; word times in seconds of that buffer. */
export type BufferRecognizer = (audio: Float32Array, prompt: string | undefined) => Promise<RecognizedSegment[]>;

/** The policy's settings (whisper_streaming's defaults). */
export interface OnlinePolicyOptions {
  /** Passes that must agree before a word is committed (LocalAgreement-n; default 2). */
  agreement?: number;
  /** Cut the buffer at a committed segment end once it is longer than this (default 15 s). */
  bufferTrimmingSec?: number;
  /** The hard cap: the buffer is cut here even when nothing committed (default 30 s). */
  maxBufferSec?: number;
  /** Characters of committed text (that has left the buffer) given as the prompt (default 200). */
  promptChars?: number;
  /** Words of segments whose no-speech probability is above this are ignored (default 0.9). */
  noSpeechSkip?: number;
}

/** The buffer and agreement state of one stream. */
export class OnlineTranscriber {
  private buffer = new Float32Array(0);
  /** Stream time of the buffer's first sample. */
  private bufferOffset = 0;
  private agreement: LocalAgreement;
  /** Committed words that have left the buffer: the prompt's source. */
  private promptWords: StreamWord[] = [];
  /** Committed words still in the buffer. */
  private inBuffer: StreamWord[] = [];
  private readonly o: Required<OnlinePolicyOptions>;

  /** `startTime`: stream seconds of the first sample inserted (an utterance's start, with `vac`). */
  constructor(
    private readonly recognize: BufferRecognizer,
    options: OnlinePolicyOptions = {},
    startTime = 0,
  ) {
    this.o = { agreement: 2, bufferTrimmingSec: 15, maxBufferSec: 30, promptChars: 200, noSpeechSkip: 0.9, ...options };
    this.bufferOffset = startTime;
    this.agreement = new LocalAgreement(this.o.agreement);
  }

  /** Seconds of audio in the buffer. */
  get bufferSeconds(): number {
    return this.buffer.length / SAMPLE_RATE;
  }

  /** Stream seconds received so far. */
  get audioTime(): number {
    return this.bufferOffset + this.bufferSeconds;
  }

  /** The unconfirmed tail of the latest pass. */
  get tentative(): StreamWord[] {
    return this.agreement.tentative.slice();
  }

  insert(chunk: Float32Array): void {
    const b = new Float32Array(this.buffer.length + chunk.length);
    b.set(this.buffer);
    b.set(chunk, this.buffer.length);
    this.buffer = b;
  }

  /** One pass over the buffer; returns the newly committed words. */
  async process(): Promise<StreamWord[]> {
    const segments = await this.pass();
    const words = segments.flatMap((s) => s.words);
    const committed = this.agreement.insert(words);
    this.inBuffer.push(...committed);
    if (this.bufferSeconds > this.o.bufferTrimmingSec) this.trimAtSegment(segments);
    if (this.bufferSeconds > this.o.maxBufferSec) committed.push(...this.forceTrim());
    return committed;
  }

  /** The end of the stream: the tentative tail is committed as it stands. */
  finish(): StreamWord[] {
    const tail = this.agreement.commitTentative();
    this.inBuffer.push(...tail);
    return tail;
  }

  /**
   * One pass over everything received, all of it committed (the `offline` mode): exactly
   * openai-whisper's transcript of the input, so no no-speech filter or loop guard applies.
   */
  async processAll(): Promise<StreamWord[]> {
    const words = (await this.pass(false)).flatMap((s) => s.words);
    this.inBuffer.push(...words);
    return words;
  }

  private async pass(filtered = true): Promise<{ end: number; words: StreamWord[] }[]> {
    const prompt = this.prompt();
    const raw = await this.recognize(this.buffer, prompt);
    const off = this.bufferOffset;
    const segments = raw
      .filter((s) => !(filtered && s.noSpeechProb !== undefined && s.noSpeechProb > this.o.noSpeechSkip))
      .map((s) => ({ end: s.end + off, words: s.words.map((w) => ({ word: w.word, start: w.start + off, end: w.end + off })) }));
    if (!filtered) return segments;
    // The loop guard runs on the pass as a whole: what follows a loop is not trusted either.
    const kept = cutRepetitionLoop(segments.flatMap((s) => s.words)).length;
    let n = 0;
    return segments
      .map((s) => {
        const words = s.words.slice(0, Math.max(0, kept - n));
        n += s.words.length;
        return { end: s.end, words };
      })
      .filter((s) => s.words.length);
  }

  /** whisper_streaming's prompt: the last `promptChars` of committed text that left the buffer. */
  private prompt(): string | undefined {
    let text = "";
    for (let i = this.promptWords.length - 1; i >= 0; i--) {
      const next = this.promptWords[i].word + text;
      if (next.length > this.o.promptChars) break;
      text = next;
    }
    return text.length ? text.trim() : undefined;
  }

  /** whisper_streaming's `chunk_completed_segment`: cut at the second-last segment end that is committed. */
  private trimAtSegment(segments: readonly { end: number }[]): void {
    const ends = segments.map((s) => s.end);
    const t = this.agreement.lastCommittedTime;
    if (ends.length < 2) return;
    let e = ends[ends.length - 2];
    while (ends.length > 2 && e > t) {
      ends.pop();
      e = ends[ends.length - 2];
    }
    if (e <= t) this.cutAt(e);
  }

  /** The hard cap: commit the tentative words before the cut and cut, at the last word end that fits. */
  private forceTrim(): StreamWord[] {
    const keepFrom = this.audioTime - this.o.maxBufferSec / 2;
    const tail = this.agreement.commitTentative(keepFrom);
    this.inBuffer.push(...tail);
    // Every tentative word that ended before `keepFrom` is committed now, so cutting there loses
    // no recognised word; cutting at an older commit would leave the buffer over the cap.
    this.cutAt(Math.max(this.agreement.lastCommittedTime, keepFrom));
    return tail;
  }

  private cutAt(time: number): void {
    const samples = Math.max(0, Math.min(this.buffer.length, Math.round((time - this.bufferOffset) * SAMPLE_RATE)));
    if (samples === 0) return;
    this.buffer = this.buffer.slice(samples);
    this.bufferOffset += samples / SAMPLE_RATE;
    const left = this.inBuffer.filter((w) => w.end <= this.bufferOffset);
    this.promptWords.push(...left);
    // Keep only what the prompt can use, so an hour-long stream holds no more than a minute's.
    let chars = 0;
    let from = this.promptWords.length;
    while (from > 0 && chars <= this.o.promptChars) chars += this.promptWords[--from].word.length;
    if (from > 0) this.promptWords = this.promptWords.slice(from);
    this.inBuffer = this.inBuffer.filter((w) => w.end > this.bufferOffset);
    this.agreement.dropCommittedBefore(this.bufferOffset);
  }
}
