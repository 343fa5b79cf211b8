/**
 * Whisper's tokenizer: tiktoken-format byte-level BPE (`multilingual.tiktoken` /
 * `gpt2.tiktoken`, vendored in `assets/`) through `js-tiktoken`, plus Whisper's special tokens,
 * numbered after the BPE ranks exactly as openai-whisper's `get_encoding` does.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Tiktoken } from "js-tiktoken/lite";
import { LANGUAGE_CODES } from "./languages.js";
import { NON_SPEECH_TOKENS } from "./non-speech-tokens.js";

const utf8 = new TextDecoder("utf-8");

const PAT_STR = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

/** A loaded encoding, shared by every tokenizer over it. */
interface Encoding {
  name: "multilingual" | "gpt2";
  /** The BPE encoder, built on the first `encode` (~120 ms for 50 k ranks; decoding does not need it). */
  bpe?: Tiktoken;
  /** Each rank's token, base64 as in the file ("=" for the empty string). */
  base64: string[];
  /** Each rank's bytes, decoded from `base64` as tokens are first decoded. */
  rankBytes: (Uint8Array | undefined)[];
  nRanks: number;
  special: Record<string, number>;
  /** Special-token text by id, for decoding. */
  specialText: Map<number, string>;
  /** Matches any special token's text (encode refuses such text, as tiktoken does). */
  specialPattern: RegExp;
  emptyRanks: Set<number>;
  /** Rank of each single byte, found on first use. */
  byteRanks?: number[];
  /** `numeralSymbolTokens`, computed on first use. */
  numerals?: number[];
}

const encodingCache = new Map<string, Encoding>();

function assetPath(name: string): string {
  return fileURLToPath(new URL(`../../assets/${name}`, import.meta.url));
}

/** Path of a vendored tiktoken rank file (`multilingual` for n_vocab ≥ 51865, else `gpt2`). */
export function tiktokenPath(name: "multilingual" | "gpt2"): string {
  return assetPath(`${name}.tiktoken`);
}

/**
 * The tokens of a vendored tiktoken file, base64 as written, by rank ("=" is the empty string).
 * Only split here: bytes are decoded where needed (decoding 50 k tokens up front cost ~35 ms of
 * start-up).
 */
export function readTiktokenRanks(name: "multilingual" | "gpt2"): string[] {
  const base64: string[] = [];
  for (const l of readFileSync(tiktokenPath(name), "utf8").split("\n")) {
    const space = l.indexOf(" ");
    if (space >= 0) base64[Number(l.slice(space + 1))] = l.slice(0, space);
  }
  return base64;
}

function loadEncoding(name: "multilingual" | "gpt2", numLanguages: number): Encoding {
  const key = `${name}:${numLanguages}`;
  const cached = encodingCache.get(key);
  if (cached) return cached;
  const base64 = readTiktokenRanks(name);
  // js-tiktoken's rank format is "<name> <first rank> <b64 token>…" per line.
  // openai's multilingual file ends with "=" (the empty byte string, which BPE never produces);
  // it keeps its rank but cannot be given to js-tiktoken.
  // Bytes are decoded per token on first use, and the BPE ranks handed to js-tiktoken on the first encode.
  const emptyRanks = new Set<number>();
  base64.forEach((tok, r) => (tok === "=" || tok === "") && emptyRanks.add(r));
  const nRanks = base64.length;
  const specials = [
    "<|endoftext|>",
    "<|startoftranscript|>",
    ...LANGUAGE_CODES.slice(0, numLanguages).map((l) => `<|${l}|>`),
    "<|translate|>",
    "<|transcribe|>",
    "<|startoflm|>",
    "<|startofprev|>",
    "<|nospeech|>",
    "<|notimestamps|>",
    ...Array.from({ length: 1501 }, (_, i) => `<|${(i * 0.02).toFixed(2)}|>`),
  ];
  const special: Record<string, number> = {};
  specials.forEach((s, i) => (special[s] = nRanks + i));
  const specialText = new Map(Object.entries(special).map(([text, id]) => [id, text]));
  const specialPattern = new RegExp(specials.map((x) => x.replace(/[\\^$*+?.()|[\]{}]/g, "\\$&")).join("|"));
  const enc: Encoding = { name, base64, rankBytes: [], nRanks, special, specialText, specialPattern, emptyRanks };
  encodingCache.set(key, enc);
  return enc;
}

/** Options of `WhisperTokenizer.create`. */
export interface TokenizerOptions {
  multilingual: boolean;
  /** 99 for v1/v2 models (n_vocab 51865), 100 for v3 (n_vocab 51866). */
  numLanguages?: number;
  language?: string;
  task?: "transcribe" | "translate";
}

/** The Whisper tokenizer with the special-token ids openai-whisper uses. */
export class WhisperTokenizer {
  readonly eot: number;
  readonly sot: number;
  readonly translate: number;
  readonly transcribe: number;
  readonly sotLm: number;
  readonly sotPrev: number;
  readonly noSpeech: number;
  readonly noTimestamps: number;
  readonly timestampBegin: number;
  /** The language of the start sequence; undefined for English-only models, which have none. */
  readonly language?: string;
  /** The task of the start sequence; undefined for English-only models. */
  readonly task?: "transcribe" | "translate";
  private readonly encoding: Encoding;
  private readonly emptyRanks: Set<number>;
  private readonly special: Record<string, number>;
  private readonly numLanguages: number;

  private constructor(options: TokenizerOptions) {
    this.numLanguages = options.numLanguages ?? 99;
    const enc = loadEncoding(options.multilingual ? "multilingual" : "gpt2", this.numLanguages);
    this.encoding = enc;
    this.emptyRanks = enc.emptyRanks;
    this.special = enc.special;
    // openai-whisper's get_tokenizer: English-only models have neither language nor task tokens in their start sequence.
    this.language = options.multilingual ? (options.language ?? "en") : undefined;
    this.task = options.multilingual ? (options.task ?? "transcribe") : undefined;
    const s = enc.special;
    this.eot = s["<|endoftext|>"];
    this.sot = s["<|startoftranscript|>"];
    this.translate = s["<|translate|>"];
    this.transcribe = s["<|transcribe|>"];
    this.sotLm = s["<|startoflm|>"];
    this.sotPrev = s["<|startofprev|>"];
    this.noSpeech = s["<|nospeech|>"];
    this.noTimestamps = s["<|notimestamps|>"];
    this.timestampBegin = s["<|0.00|>"];
    if (this.language !== undefined && this.languageToken(this.language) === undefined) throw new Error(`unsupported language '${this.language}'`);
  }

  /** The tokenizer for a model with `nVocab` tokens (openai-whisper's `get_tokenizer`). */
  static forModel(nVocab: number, options: { language?: string; task?: "transcribe" | "translate" } = {}): WhisperTokenizer {
    const multilingual = nVocab >= 51865;
    return new WhisperTokenizer({ multilingual, numLanguages: nVocab - 51765 - (multilingual ? 1 : 0), ...options });
  }

  static create(options: TokenizerOptions): WhisperTokenizer {
    return new WhisperTokenizer(options);
  }

  /** BPE-encodes ordinary text (special-token text is refused, as in tiktoken). */
  encode(text: string): number[] {
    const special = this.encoding.specialPattern.exec(text);
    if (special) throw new Error(`The text contains a special token that is not allowed: ${special[0]}`);
    // One ASCII character is one pre-token and one byte, so its rank (" " for suppress_blank on every call; no encoder build).
    if (text.length === 1 && text.charCodeAt(0) < 128) return [this.byteRank(text.charCodeAt(0))];
    // js-tiktoken gets no special tokens: its encode() rebuilds a regex over all of them on every
    // call (1600 here: 180 ms of start-up for the suppress lists). Special text is refused above.
    const enc = this.encoding;
    enc.bpe ??= new Tiktoken({ pat_str: PAT_STR, special_tokens: {}, bpe_ranks: enc.base64.flatMap((tok, rank) => (enc.emptyRanks.has(rank) ? [] : [`! ${rank} ${tok}`])).join("\n") });
    return enc.bpe.encode(text, [], []);
  }

  /** Decodes text tokens; timestamp tokens are dropped (invalid UTF-8 becomes U+FFFD). */
  decode(tokens: readonly number[]): string {
    return this.decodeAll(tokens.filter((t) => t < this.timestampBegin));
  }

  /** Decodes including timestamps as `<|1.08|>` (openai-whisper `decode_with_timestamps`). */
  decodeWithTimestamps(tokens: readonly number[]): string {
    return this.decodeAll(tokens);
  }

  /** The rank of a single byte (every byte-level BPE vocabulary has one). */
  private byteRank(byte: number): number {
    const enc = this.encoding;
    if (!enc.byteRanks) {
      enc.byteRanks = new Array<number>(256).fill(-1);
      // One byte is four base64 characters ending in "==".
      enc.base64.forEach((tok, rank) => {
        if (tok.length !== 4 || !tok.endsWith("==")) return;
        const b = this.bytesOf(rank);
        if (b?.length === 1 && enc.byteRanks && enc.byteRanks[b[0]] < 0) enc.byteRanks[b[0]] = rank;
      });
    }
    return enc.byteRanks[byte];
  }

  /** A text token's bytes (undefined past the vocabulary, empty for the empty-string rank). */
  private bytesOf(rank: number): Uint8Array | undefined {
    const enc = this.encoding;
    const tok = enc.base64[rank];
    if (tok === undefined) return undefined;
    return (enc.rankBytes[rank] ??= enc.emptyRanks.has(rank) ? new Uint8Array(0) : Buffer.from(tok, "base64"));
  }

  /** Each token's bytes (special tokens as their text), decoded as UTF-8 with U+FFFD for invalid sequences, as tiktoken does. */
  private decodeAll(tokens: readonly number[]): string {
    const parts: Uint8Array[] = [];
    for (const t of tokens) {
      const special = this.encoding.specialText.get(t);
      const bytes = special !== undefined ? Buffer.from(special, "utf8") : this.bytesOf(t);
      if (bytes) parts.push(bytes);
    }
    return utf8.decode(Buffer.concat(parts));
  }

  /** The language token id for a code such as `en`. */
  languageToken(code: string): number | undefined {
    return this.special[`<|${code}|>`];
  }

  /** All language codes of this tokenizer, in token order. */
  get languageCodes(): string[] {
    return LANGUAGE_CODES.slice(0, this.numLanguages);
  }

  /** `<|startoftranscript|>`, then language and task when multilingual (English-only models: SOT alone). */
  get sotSequence(): number[] {
    const seq = [this.sot];
    if (this.language !== undefined) {
      const lang = this.languageToken(this.language);
      if (lang !== undefined) seq.push(lang);
    }
    if (this.task !== undefined) seq.push(this.task === "translate" ? this.translate : this.transcribe);
    return seq;
  }

  /** Whether this is a multilingual vocabulary (language and task tokens in the start sequence). */
  get multilingual(): boolean {
    return this.task !== undefined;
  }

  /**
   * Every text token whose text (without a leading space) has a digit or `%`, `$`, `£`
   * (WhisperX's `find_numeral_symbol_tokens`, for `suppress_numerals`).
   */
  get numeralSymbolTokens(): number[] {
    if (!this.encoding.numerals) {
      const out: number[] = [];
      for (let t = 0; t < this.eot; t++) {
        if (this.emptyRanks.has(t)) continue;
        const text = this.decodeAll([t]);
        if (/[0-9%$£]/.test(text.startsWith(" ") ? text.slice(1) : text)) out.push(t);
      }
      this.encoding.numerals = out;
    }
    return this.encoding.numerals;
  }

  /** `sotSequence` followed by `<|notimestamps|>`. */
  get sotSequenceIncludingNoTimestamps(): number[] {
    return [...this.sotSequence, this.noTimestamps];
  }

  /**
   * Splits tokens into pieces that decode to whole Unicode characters (openai-whisper
   * `split_tokens_on_unicode`).
   */
  splitTokensOnUnicode(tokens: readonly number[]): [string[], number[][]] {
    const full = this.decodeWithTimestamps(tokens);
    const words: string[] = [];
    const wordTokens: number[][] = [];
    let current: number[] = [];
    let offset = 0;
    for (const t of tokens) {
      current.push(t);
      const decoded = this.decodeWithTimestamps(current);
      const bad = decoded.indexOf("\ufffd");
      if (bad < 0 || full[offset + bad] === "\ufffd") {
        words.push(decoded);
        wordTokens.push(current);
        current = [];
        offset += decoded.length;
      }
    }
    return [words, wordTokens];
  }

  /** Words with their tokens (openai-whisper `split_to_word_tokens`). */
  splitToWordTokens(tokens: readonly number[]): [string[], number[][]] {
    const [subwords, subTokens] = this.splitTokensOnUnicode(tokens);
    if (["zh", "ja", "th", "lo", "my", "yue"].includes(this.language ?? "")) return [subwords, subTokens];
    // Python's string.punctuation, tested with `in` (a substring test, as in openai-whisper).
    const punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    const words: string[] = [];
    const wordTokens: number[][] = [];
    subwords.forEach((sub, i) => {
      const special = subTokens[i][0] >= this.eot;
      const withSpace = sub.startsWith(" ");
      const isPunct = punctuation.includes(sub.trim());
      if (special || withSpace || isPunct || words.length === 0) {
        words.push(sub);
        wordTokens.push([...subTokens[i]]);
      } else {
        words[words.length - 1] += sub;
        wordTokens[wordTokens.length - 1].push(...subTokens[i]);
      }
    });
    return [words, wordTokens];
  }

  /**
   * Tokens that are never speech: symbols and music notes that would let the model emit
   * non-speech annotations (openai-whisper's `non_speech_tokens`).
   */
  get nonSpeechTokens(): number[] {
    // BPE ranks only, so the same for every language count of a vocabulary.
    return [...NON_SPEECH_TOKENS[this.encoding.name]];
  }

  /** `nonSpeechTokens` computed through the BPE encoder (what `NON_SPEECH_TOKENS` holds). */
  computeNonSpeechTokens(): number[] {
    const symbols = [..."\"#()*+/:;<=>@[\\]^_`{|}~「」『』"];
    symbols.push(..."<< >> <<< >>> -- --- -( -[ (' (\" (( )) ((( ))) [[ ]] {{ }} ♪♪ ♪♪♪".split(" "));
    const misc = new Set([..."♩♪♫♬♭♮♯"]);
    const result = new Set<number>([this.encode(" -")[0], this.encode(" '")[0]]);
    for (const symbol of [...symbols, ...misc]) {
      for (const tokens of [this.encode(symbol), this.encode(" " + symbol)]) {
        if (tokens.length === 1 || misc.has(symbol)) result.add(tokens[0]);
      }
    }
    return [...result].sort((a, b) => a - b);
  }
}
