/**
 * Word error rate with the normalisation used for the synth-whisper-256 references: lowercase,
 * every character that is not a letter, digit or apostrophe becomes a space, and apostrophes at
 * word edges are stripped.
 */

/** Normalises text into words for WER. */
export function normalizeWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}']/gu, " ")
    .split(/\s+/)
    .map((w) => w.replace(/^'+|'+$/g, ""))
    .filter(Boolean);
}

/** Word-level Levenshtein distance (substitutions + deletions + insertions). */
export function wordErrors(reference: string[], hypothesis: string[]): number {
  let prev = Array.from({ length: hypothesis.length + 1 }, (_, j) => j);
  for (let i = 1; i <= reference.length; i++) {
    const cur = [i];
    for (let j = 1; j <= hypothesis.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (reference[i - 1] === hypothesis[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[hypothesis.length];
}

/** Word errors over a set of transcripts. */
export interface WerResult {
  errors: number;
  refWords: number;
  wer: number;
}

/** Errors, reference length and WER of one or more (reference, hypothesis) pairs. */
export function wordErrorRate(pairs: [reference: string, hypothesis: string][], normalize: (text: string) => string[] = normalizeWords): WerResult {
  let errors = 0;
  let refWords = 0;
  for (const [r, h] of pairs) {
    const rw = normalize(r);
    errors += wordErrors(rw, normalize(h));
    refWords += rw.length;
  }
  return { errors, refWords, wer: refWords ? errors / refWords : 0 };
}
