/**
 * NLTK's Punkt sentence splitter at inference time (`PunktSentenceTokenizer.span_tokenize`),
 * the splitter WhisperX uses for aligned sub-segments. Trained parameters come from a language
 * pack (see `sentences.ts`). Written here, not taken from the npm `punkt` port, because that
 * port disagrees with NLTK on NLTK's own test sentences ("This. . . That", quotes after a
 * period); `fixtures/punkt/reference.json` holds NLTK's answers and the tests compare them.
 *
 * Python's `re` semantics are kept: `\s` is `str.isspace()`, `\d` is any decimal digit,
 * `[^\W\d]` is any letter or non-decimal number, `str.isupper()/islower()` on the first
 * code point.
 */

/** Trained Punkt parameters (NLTK's `PunktParameters`). */
export interface PunktParameters {
  abbreviations: ReadonlySet<string>;
  /** Collocations as `"first second"` type pairs. */
  collocations: ReadonlySet<string>;
  sentenceStarters: ReadonlySet<string>;
  /** Orthographic context flags per type (NLTK's `_ORTHO_*` bits). */
  orthoContext: ReadonlyMap<string, number>;
}

// NLTK's orthographic context bits.
const ORTHO_BEG_LC = 1 << 4;
const ORTHO_MID_UC = 1 << 2;
const ORTHO_UC = (1 << 1) | (1 << 2) | (1 << 3);
const ORTHO_LC = (1 << 4) | (1 << 5) | (1 << 6);

// Python's `str.isspace()` characters, and their complement.
const WS = "[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const NWS = WS.replace("[", "[^");
const NON_WORD = `(?:[)";}\\]*:@'({\\[?!])`;
const MULTI_CHAR = `(?:-{2,}|\\.{2,}|(?:\\.${WS}){2,}\\.)`;
const WORD_START = "[^(\"`{\\[:;&#*@)}\\]\\-,]";
const SENT_END = "[.?!]";
const WORD_TOKENIZER = new RegExp(
  `${MULTI_CHAR}|(?=${WORD_START})${NWS}+?(?=${WS}|$|${NON_WORD}|${MULTI_CHAR}|,(?=$|${WS}|${NON_WORD}|${MULTI_CHAR}))|${NWS}`,
  "gu",
);
const PERIOD_CONTEXT = new RegExp(`${SENT_END}(?=(?<after>${NON_WORD}|${WS}+(?<next>${NWS}+)))`, "gdu");
// Python's `$` under MULTILINE: end of text or before "\n" (not "\r", unlike JS's `m` flag).
const BOUNDARY_REALIGNMENT = new RegExp(`^["')\\]}]+?(?:${WS}+|(?=--)|(?=\\n)|(?![\\s\\S]))`, "u");
const NUMERIC = /^-?[.,]?\p{Nd}[\p{Nd},.-]*\.?$/u;
const ELLIPSIS = /^\.\.+$/;
const INITIAL = /^[\p{L}\p{Nl}\p{No}_]\.$/u;
// `string.whitespace`, which NLTK's `_get_last_whitespace_index` uses: ASCII only.
const ASCII_WHITESPACE = new Set([" ", "\t", "\n", "\r", "\v", "\f"]);
const TRAILING_WHITESPACE = new RegExp(`${WS}+$`, "u");
const PUNCTUATION = new Set([";", ":", ",", ".", "!", "?"]);

/** A word token with its annotations (NLTK's `PunktToken`). */
class Token {
  readonly type: string;
  readonly periodFinal: boolean;
  sentbreak = false;
  abbr = false;
  ellipsis = false;

  constructor(readonly tok: string) {
    const lower = tok.toLowerCase();
    this.type = NUMERIC.test(lower) ? "##number##" : lower;
    this.periodFinal = tok.endsWith(".");
  }

  get typeNoPeriod(): string {
    return this.type.length > 1 && this.type.endsWith(".") ? this.type.slice(0, -1) : this.type;
  }

  get typeNoSentPeriod(): string {
    return this.sentbreak ? this.typeNoPeriod : this.type;
  }

  private get first(): string {
    return String.fromCodePoint(this.tok.codePointAt(0) ?? 0);
  }

  get firstUpper(): boolean {
    return /^\p{Uppercase}$/u.test(this.first);
  }

  get firstLower(): boolean {
    return /^\p{Lowercase}$/u.test(this.first);
  }

  get isInitial(): boolean {
    return INITIAL.test(this.tok);
  }
}

/** Punkt's sentence splitter over one language's parameters. */
export class PunktSentenceSplitter {
  constructor(private readonly params: PunktParameters) {}

  /** `[start, end)` UTF-16 offsets of each sentence, as NLTK's `span_tokenize(text)`. */
  spans(text: string): [number, number][] {
    return this.realignBoundaries(text, this.slicesFromText(text));
  }

  /** The sentences themselves, as NLTK's `tokenize(text)`. */
  sentences(text: string): string[] {
    return this.spans(text).map(([a, b]) => text.slice(a, b));
  }

  private slicesFromText(text: string): [number, number][] {
    const slices: [number, number][] = [];
    let lastBreak = 0;
    for (const { match, context } of this.potentialEndContexts(text)) {
      if (!this.containsSentenceBreak(context)) continue;
      const end = match.index + match[0].length;
      slices.push([lastBreak, end]);
      // The next sentence starts at the next token, or right after a following punctuation mark.
      lastBreak = match.groups?.next ? (match.indices?.groups?.next?.[0] ?? end) : end;
    }
    slices.push([lastBreak, text.replace(TRAILING_WHITESPACE, "").length]);
    return slices;
  }

  /** Each period/?/! match with the word before it, overlapping matches dropped (NLTK's ReDoS-safe form). */
  private potentialEndContexts(text: string): { match: RegExpExecArray; context: string }[] {
    const out: { match: RegExpExecArray; context: string }[] = [];
    let previous: [number, number] = [0, 0];
    let previousMatch: RegExpExecArray | null = null;
    const contextOf = (m: RegExpExecArray, word: [number, number]) => text.slice(word[0], word[1]) + m[0] + (m.groups?.after ?? "");
    for (const match of text.matchAll(PERIOD_CONTEXT)) {
      const before = text.slice(previous[1], match.index);
      let afterLastSpace = lastWhitespaceIndex(before);
      afterLastSpace = afterLastSpace ? afterLastSpace + previous[1] + 1 : previous[0];
      const word: [number, number] = [afterLastSpace, match.index];
      if (previousMatch && previous[1] <= word[0]) out.push({ match: previousMatch, context: contextOf(previousMatch, previous) });
      previousMatch = match as RegExpExecArray;
      previous = word;
    }
    if (previousMatch) out.push({ match: previousMatch, context: contextOf(previousMatch, previous) });
    return out;
  }

  /** Moves closing quotes and brackets after a break back into the sentence they close. */
  private realignBoundaries(text: string, slices: [number, number][]): [number, number][] {
    const out: [number, number][] = [];
    let realign = 0;
    for (let i = 0; i < slices.length; i++) {
      const s1: [number, number] = [slices[i][0] + realign, slices[i][1]];
      const s2 = slices[i + 1];
      if (!s2) {
        if (s1[1] > s1[0]) out.push(s1);
        continue;
      }
      const m = BOUNDARY_REALIGNMENT.exec(text.slice(s2[0], s2[1]));
      if (m) {
        out.push([s1[0], s2[0] + m[0].replace(TRAILING_WHITESPACE, "").length]);
        realign = m[0].length;
      } else {
        realign = 0;
        if (s1[1] > s1[0]) out.push(s1);
      }
    }
    return out;
  }

  /** True when a token other than the last is a sentence break (NLTK's `text_contains_sentbreak`). */
  private containsSentenceBreak(context: string): boolean {
    const tokens = tokenizeWords(context);
    for (const t of tokens) this.firstPass(t);
    for (let i = 0; i < tokens.length; i++) {
      this.secondPass(tokens[i], tokens[i + 1]);
      if (tokens[i].sentbreak && i < tokens.length - 1) return true;
    }
    return false;
  }

  /** Type-based decisions: end marks, ellipses, known abbreviations. */
  private firstPass(t: Token): void {
    const tok = t.tok;
    if (tok === "." || tok === "?" || tok === "!") t.sentbreak = true;
    else if (ELLIPSIS.test(tok)) t.ellipsis = true;
    else if (t.periodFinal && !tok.endsWith("..")) {
      const stem = tok.slice(0, -1).toLowerCase();
      const abbreviations = this.params.abbreviations;
      if (abbreviations.has(stem) || abbreviations.has(stem.split("-").pop() ?? "")) t.abbr = true;
      else t.sentbreak = true;
    }
  }

  /** Token-context decisions: collocations, orthography, sentence starters, initials and ordinals. */
  private secondPass(t1: Token, t2: Token | undefined): void {
    if (!t2 || !t1.periodFinal) return;
    const typ = t1.typeNoPeriod;
    const nextTyp = t2.typeNoSentPeriod;
    const isInitial = t1.isInitial;
    if (this.params.collocations.has(`${typ} ${nextTyp}`)) {
      t1.sentbreak = false;
      t1.abbr = true;
      return;
    }
    if ((t1.abbr || t1.ellipsis) && !isInitial) {
      if (this.orthoHeuristic(t2) === true) {
        t1.sentbreak = true;
        return;
      }
      if (t2.firstUpper && this.params.sentenceStarters.has(nextTyp)) {
        t1.sentbreak = true;
        return;
      }
    }
    if (isInitial || typ === "##number##") {
      const starter = this.orthoHeuristic(t2);
      if (starter === false) {
        t1.sentbreak = false;
        t1.abbr = true;
        return;
      }
      if (starter === "unknown" && isInitial && t2.firstUpper && !((this.params.orthoContext.get(nextTyp) ?? 0) & ORTHO_LC)) {
        t1.sentbreak = false;
        t1.abbr = true;
      }
    }
  }

  /** Whether a token starts a sentence, judged by how its type was capitalised in training. */
  private orthoHeuristic(t: Token): boolean | "unknown" {
    if (PUNCTUATION.has(t.tok)) return false;
    const ortho = this.params.orthoContext.get(t.typeNoSentPeriod) ?? 0;
    if (t.firstUpper && ortho & ORTHO_LC && !(ortho & ORTHO_MID_UC)) return true;
    if (t.firstLower && (ortho & ORTHO_UC || !(ortho & ORTHO_BEG_LC))) return false;
    return "unknown";
  }
}

/** Punkt's word tokens of each non-blank line. */
function tokenizeWords(text: string): Token[] {
  const tokens: Token[] = [];
  for (const line of text.split("\n")) {
    if (!line.replace(new RegExp(`^${WS}+`, "u"), "")) continue;
    for (const m of line.matchAll(WORD_TOKENIZER)) tokens.push(new Token(m[0]));
  }
  return tokens;
}

/** Index of the last whitespace character, or 0 when there is none (NLTK's quirk kept). */
function lastWhitespaceIndex(text: string): number {
  for (let i = text.length - 1; i >= 0; i--) if (ASCII_WHITESPACE.has(text[i])) return i;
  return 0;
}
