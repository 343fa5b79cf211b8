/** The shapes a streaming transcription emits. */

/** A word with its times in seconds of the stream's audio. */
export interface StreamWord {
  /** The word as Whisper spells it, with its leading space. */
  word: string;
  start: number;
  end: number;
}

/** One update of a stream. */
export interface StreamUpdate {
  /** Words confirmed by this update: append-only over a stream, never revised or repeated. */
  committed: StreamWord[];
  /** The current unconfirmed tail; each update's replaces the previous one's. */
  tentative: StreamWord[];
  /** Seconds of audio consumed so far. */
  audioTime: number;
  /** When the update was emitted, in seconds on the stream's clock (see `StreamOptions.clock`). */
  emittedAt: number;
  /** The end of the stream (or, with `vac`, of an utterance): the tentative tail was committed. */
  final: boolean;
}
