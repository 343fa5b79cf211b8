/**
 * openai-whisper's `remove_symbols_and_diacritics` (normalizers/basic.py): NFKD, drop nonspacing
 * marks, map a few letters NFKD does not split, and turn other marks, symbols and punctuation
 * into spaces, except the characters in `keep`.
 */

/** Letters that NFKD leaves whole but Whisper's normaliser spells out. */
const ADDITIONAL_DIACRITICS: Record<string, string> = {
  œ: "oe", Œ: "OE", ø: "o", Ø: "O", æ: "ae", Æ: "AE", ß: "ss", ẞ: "SS",
  đ: "d", Đ: "D", ð: "d", Ð: "D", þ: "th", Þ: "th", ł: "l", Ł: "L",
};

const NONSPACING_MARK = /^\p{Mn}$/u;
const MARK_SYMBOL_PUNCT = /^[\p{M}\p{S}\p{P}]$/u;

/** Replaces marks, symbols and punctuation with spaces and drops diacritics. */
export function removeSymbolsAndDiacritics(s: string, keep = ""): string {
  let out = "";
  for (const c of s.normalize("NFKD")) {
    if (keep.includes(c)) out += c;
    else if (c in ADDITIONAL_DIACRITICS) out += ADDITIONAL_DIACRITICS[c];
    else if (NONSPACING_MARK.test(c)) continue;
    else out += MARK_SYMBOL_PUNCT.test(c) ? " " : c;
  }
  return out;
}
