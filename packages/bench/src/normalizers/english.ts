/**
 * Whisper's English text normaliser for WER (openai-whisper `EnglishTextNormalizer`): lowercase,
 * drop bracketed/parenthesised words and fillers, expand contractions and titles, standardise
 * numbers and British spellings, keep numeric symbols attached to numbers.
 *
 * Deviation: JavaScript's `\b` is ASCII-only where Python's is Unicode-aware; for English text
 * the two agree.
 */
import { readFileSync } from "node:fs";
import { removeSymbolsAndDiacritics } from "./basic.js";
import { EnglishNumberNormalizer } from "./english-numbers.js";

/** British → American spellings (openai-whisper's english.json, from tysto.com's list). */
export class EnglishSpellingNormalizer {
  private readonly mapping: Map<string, string>;

  constructor(file = new URL("../../assets/english-spelling.json", import.meta.url)) {
    this.mapping = new Map(Object.entries(JSON.parse(readFileSync(file, "utf8")) as Record<string, string>));
  }

  normalize(s: string): string {
    return s
      .split(/\s+/)
      .filter(Boolean)
      .map((w) => this.mapping.get(w) ?? w)
      .join(" ");
  }
}

const IGNORE_PATTERNS = /\b(hmm|mm|mhm|mmm|uh|um)\b/g;

/** Applied in order, as the original's dict is. */
const REPLACERS: [RegExp, string][] = [
  // common contractions
  [/\bwon't\b/g, "will not"],
  [/\bcan't\b/g, "can not"],
  [/\blet's\b/g, "let us"],
  [/\bain't\b/g, "aint"],
  [/\by'all\b/g, "you all"],
  [/\bwanna\b/g, "want to"],
  [/\bgotta\b/g, "got to"],
  [/\bgonna\b/g, "going to"],
  [/\bi'ma\b/g, "i am going to"],
  [/\bimma\b/g, "i am going to"],
  [/\bwoulda\b/g, "would have"],
  [/\bcoulda\b/g, "could have"],
  [/\bshoulda\b/g, "should have"],
  [/\bma'am\b/g, "madam"],
  // titles and prefixes
  ...(
    [
      ["mr", "mister"], ["mrs", "missus"], ["st", "saint"], ["dr", "doctor"], ["prof", "professor"], ["capt", "captain"],
      ["gov", "governor"], ["ald", "alderman"], ["gen", "general"], ["sen", "senator"], ["rep", "representative"],
      ["pres", "president"], ["rev", "reverend"], ["hon", "honorable"], ["asst", "assistant"], ["assoc", "associate"],
      ["lt", "lieutenant"], ["col", "colonel"], ["jr", "junior"], ["sr", "senior"], ["esq", "esquire"],
    ] as const
  ).map(([abbr, full]): [RegExp, string] => [new RegExp(`\\b${abbr}\\b`, "g"), `${full} `]),
  // perfect tenses (past participles in general would be better, but harder)
  [/'d been\b/g, " had been"],
  [/'s been\b/g, " has been"],
  [/'d gone\b/g, " had gone"],
  [/'s gone\b/g, " has gone"],
  [/'d done\b/g, " had done"], // "'s done" is ambiguous
  [/'s got\b/g, " has got"],
  // general contractions
  [/n't\b/g, " not"],
  [/'re\b/g, " are"],
  [/'s\b/g, " is"],
  [/'d\b/g, " would"],
  [/'ll\b/g, " will"],
  [/'t\b/g, " not"],
  [/'ve\b/g, " have"],
  [/'m\b/g, " am"],
];

/** The full English normaliser. */
export class EnglishTextNormalizer {
  private readonly numbers = new EnglishNumberNormalizer();
  private readonly spellings = new EnglishSpellingNormalizer();

  normalize(s: string): string {
    s = s.toLowerCase();
    s = s.replace(/[<[][^>\]]*[>\]]/g, ""); // words between brackets
    s = s.replace(/\(([^)]+?)\)/g, ""); // words between parentheses
    s = s.replace(IGNORE_PATTERNS, "");
    s = s.replace(/\s+'/g, "'"); // a space before an apostrophe
    for (const [pattern, replacement] of REPLACERS) s = s.replace(pattern, replacement);
    s = s.replace(/(\d),(\d)/g, "$1$2"); // commas between digits
    s = s.replace(/\.([^0-9]|$)/g, " $1"); // periods not followed by numbers
    s = removeSymbolsAndDiacritics(s, ".%$¢€£"); // keep numeric symbols
    s = this.numbers.normalize(s);
    s = this.spellings.normalize(s);
    // attach currency symbols and percent to adjacent numbers
    s = s.replace(/([$¢€£])\s+([0-9])/g, "$1$2");
    s = s.replace(/([0-9])\s+%/g, "$1%");
    // remove prefix/suffix symbols not next to numbers
    s = s.replace(/[.$¢€£]([^0-9])/g, " $1");
    s = s.replace(/([^0-9])%/g, "$1 ");
    return s.replace(/\s+/g, " ");
  }
}
