/**
 * A guard against Whisper's repetition loops ("the the the …"): both passes of LocalAgreement
 * contain the same loop, so it would be committed and then fed back through the prompt
 * (WhisperLiveKit #339). A pass is cut after the first occurrence of any 1–4 word n-gram that
 * repeats `minRepeats` times in a row.
 */
import type { StreamWord } from "./stream-types.js";

const norm = (w: StreamWord) => w.word.trim().toLowerCase().replace(/[^\p{L}\p{N}']/gu, "");

/** `words` up to and including the first occurrence of a looping n-gram (all of them without a loop). */
export function cutRepetitionLoop(words: readonly StreamWord[], minRepeats = 3, maxN = 4): StreamWord[] {
  const keys = words.map(norm);
  for (let i = 0; i < keys.length; i++) {
    if (!keys[i]) continue; // punctuation alone is not a loop
    for (let n = 1; n <= maxN && i + n * minRepeats <= keys.length; n++) {
      let repeats = 1;
      while (i + (repeats + 1) * n <= keys.length && keys.slice(i + repeats * n, i + (repeats + 1) * n).every((k, j) => k === keys[i + j])) repeats++;
      if (repeats >= minRepeats) return words.slice(0, i + n);
    }
  }
  return words.slice();
}
