/**
 * Spelled-out numbers to digits, with the semantics of openai-whisper's `EnglishNumberNormalizer`
 * (normalizers/english.py): commas dropped, suffixes kept (`1960s`, `32nd`), currency words as
 * prefixes (`$20000000`), `per cent` → `%`, runs of single digits read as nominal (`one oh one`
 * → `101`), and `one`/`ones` spelled out again. Integers are BigInt (the multipliers reach 10³³).
 */

type Value = bigint | string | null;

const ONES_NAMES = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"];
const TENS_NAMES = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
const MULTIPLIER_NAMES = ["hundred", "thousand", "million", "billion", "trillion", "quadrillion", "quintillion", "sextillion", "septillion", "octillion", "nonillion", "decillion"];

const ZEROS = new Set(["o", "oh", "zero"]);
const ONES = new Map(ONES_NAMES.map((n, i) => [n, i + 1]));
const ONES_SUFFIXED = new Map<string, [number, string]>([
  ...ONES_NAMES.map((n, i): [string, [number, string]] => [n === "six" ? "sixes" : `${n}s`, [i + 1, "s"]]),
  ["zeroth", [0, "th"]],
  ["first", [1, "st"]],
  ["second", [2, "nd"]],
  ["third", [3, "rd"]],
  ["fifth", [5, "th"]],
  ["twelfth", [12, "th"]],
  ...ONES_NAMES.map((n, i): [string, [number, string]] => [n + (n.endsWith("t") ? "h" : "th"), [i + 1, "th"]]).filter(([, [v]]) => v > 3 && v !== 5 && v !== 12),
]);
const TENS = new Map(TENS_NAMES.map((n, i) => [n, 20 + 10 * i]));
const TENS_SUFFIXED = new Map<string, [number, string]>([
  ...TENS_NAMES.map((n, i): [string, [number, string]] => [n.replace("y", "ies"), [20 + 10 * i, "s"]]),
  ...TENS_NAMES.map((n, i): [string, [number, string]] => [n.replace("y", "ieth"), [20 + 10 * i, "th"]]),
]);
const MULTIPLIERS = new Map(MULTIPLIER_NAMES.map((n, i) => [n, i === 0 ? 100n : 1000n ** BigInt(i)]));
const MULTIPLIERS_SUFFIXED = new Map<string, [bigint, string]>([
  ...[...MULTIPLIERS].map(([n, v]): [string, [bigint, string]] => [`${n}s`, [v, "s"]]),
  ...[...MULTIPLIERS].map(([n, v]): [string, [bigint, string]] => [`${n}th`, [v, "th"]]),
]);
const DECIMALS = new Set([...ONES.keys(), ...TENS.keys(), ...ZEROS]);
const PRECEDING_PREFIXERS: Record<string, string> = { minus: "-", negative: "-", plus: "+", positive: "+" };
const FOLLOWING_PREFIXERS: Record<string, string> = { pound: "£", pounds: "£", euro: "€", euros: "€", dollar: "$", dollars: "$", cent: "¢", cents: "¢" };
const PREFIXES = new Set([...Object.values(PRECEDING_PREFIXERS), ...Object.values(FOLLOWING_PREFIXERS)]);
const SUFFIXERS: Record<string, string | Record<string, string>> = { per: { cent: "%" }, percent: "%" };
const SPECIALS = new Set(["and", "double", "triple", "point"]);
const WORDS = new Set<string>([
  ...ZEROS, ...ONES.keys(), ...ONES_SUFFIXED.keys(), ...TENS.keys(), ...TENS_SUFFIXED.keys(), ...MULTIPLIERS.keys(), ...MULTIPLIERS_SUFFIXED.keys(),
  ...Object.keys(PRECEDING_PREFIXERS), ...Object.keys(FOLLOWING_PREFIXERS), ...Object.keys(SUFFIXERS), ...SPECIALS,
]);
const NUMERIC = /^\d+(\.\d+)?$/;

const has = (set: { has(k: string): boolean }, k: string | null): k is string => k !== null && set.has(k);
const hasKey = (o: object, k: string | null): k is string => k !== null && Object.prototype.hasOwnProperty.call(o, k);

/** An exact rational, as Python's `Fraction` of a decimal string or an integer. */
interface Fraction {
  num: bigint;
  den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  while (b) [a, b] = [b, a % b];
  return a;
}

function toFraction(v: bigint | string): Fraction | null {
  if (typeof v === "bigint") return { num: v, den: 1n };
  const m = /^\s*([+-]?)(?=\d|\.\d)(\d*)(?:\.(\d*))?\s*$/.exec(v);
  if (!m) return null;
  const dec = m[3] ?? "";
  let num = BigInt((m[2] || "0") + dec) * (m[1] === "-" ? -1n : 1n);
  let den = 10n ** BigInt(dec.length);
  const g = gcd(num, den) || 1n;
  num /= g;
  den /= g;
  return { num, den };
}

/** `Fraction(value) * multiplier` when that is a whole number, else null. */
function wholeProduct(v: bigint | string, multiplier: bigint): bigint | null {
  const f = toFraction(v);
  if (!f) return null;
  const p = f.num * multiplier;
  return p % f.den === 0n ? p / f.den : null;
}

/** Python's `value or ""` for the number being built. */
const orEmpty = (v: Value) => (v === null || v === 0n || v === "" ? "" : String(v));

/** Converts spelled-out English numbers in a lowercased, symbol-free string to digits. */
export class EnglishNumberNormalizer {
  /** Normalises a string (preprocess → words → postprocess). */
  normalize(s: string): string {
    s = this.preprocess(s);
    s = this.processWords(s.split(/\s+/).filter(Boolean)).join(" ");
    return this.postprocess(s);
  }

  /** The word-level state machine. */
  processWords(words: string[]): string[] {
    const out: string[] = [];
    let prefix: string | null = null;
    let value: Value = null;
    let skip = false;
    const output = (result: bigint | string): string => {
      let r = String(result);
      if (prefix !== null) r = prefix + r;
      value = null;
      prefix = null;
      return r;
    };
    for (let i = 0; i < words.length; i++) {
      if (skip) {
        skip = false;
        continue;
      }
      const prev = i > 0 ? words[i - 1] : null;
      const current = words[i];
      const next = i + 1 < words.length ? words[i + 1] : null;
      const nextIsNumeric = next !== null && NUMERIC.test(next);
      const hasPrefix = PREFIXES.has(current[0]);
      const bare = hasPrefix ? current.slice(1) : current;
      const v = value as Value;
      if (NUMERIC.test(bare)) {
        const f = toFraction(bare) as Fraction;
        if (v !== null) {
          if (typeof v === "string" && v.endsWith(".")) {
            value = v + current; // decimals, IP address components
            continue;
          }
          out.push(output(v));
        }
        prefix = hasPrefix ? current[0] : prefix;
        value = f.den === 1n ? f.num : bare;
      } else if (!WORDS.has(current)) {
        if (v !== null) out.push(output(v));
        out.push(output(current));
      } else if (ZEROS.has(current)) {
        value = orEmpty(v) + "0";
      } else if (ONES.has(current)) {
        const ones = ONES.get(current) as number;
        if (v === null) value = BigInt(ones);
        else if (typeof v === "string" || has(ONES, prev)) {
          const s = String(v);
          value = has(TENS, prev) && ones < 10 ? s.slice(0, -1) + ones : s + ones;
        } else if (ones < 10) value = v % 10n === 0n ? v + BigInt(ones) : `${v}${ones}`;
        else value = v % 100n === 0n ? v + BigInt(ones) : `${v}${ones}`;
      } else if (ONES_SUFFIXED.has(current)) {
        const [ones, suffix] = ONES_SUFFIXED.get(current) as [number, string];
        if (v === null) out.push(output(`${ones}${suffix}`));
        else if (typeof v === "string" || has(ONES, prev)) {
          const s = String(v);
          out.push(output(has(TENS, prev) && ones < 10 ? s.slice(0, -1) + ones + suffix : s + ones + suffix));
        } else if (ones < 10) out.push(output(v % 10n === 0n ? `${v + BigInt(ones)}${suffix}` : `${v}${ones}${suffix}`));
        else out.push(output(v % 100n === 0n ? `${v + BigInt(ones)}${suffix}` : `${v}${ones}${suffix}`));
        value = null;
      } else if (TENS.has(current)) {
        const tens = TENS.get(current) as number;
        if (v === null) value = BigInt(tens);
        else if (typeof v === "string") value = v + tens;
        else value = v % 100n === 0n ? v + BigInt(tens) : `${v}${tens}`;
      } else if (TENS_SUFFIXED.has(current)) {
        const [tens, suffix] = TENS_SUFFIXED.get(current) as [number, string];
        if (v === null) out.push(output(`${tens}${suffix}`));
        else if (typeof v === "string") out.push(output(`${v}${tens}${suffix}`));
        else out.push(output(v % 100n === 0n ? `${v + BigInt(tens)}${suffix}` : `${v}${tens}${suffix}`));
      } else if (MULTIPLIERS.has(current)) {
        const m = MULTIPLIERS.get(current) as bigint;
        if (v === null) value = m;
        else if (typeof v === "string" || v === 0n) {
          const p = wholeProduct(v, m);
          if (p !== null) value = p;
          else {
            out.push(output(v));
            value = m;
          }
        } else value = (v / 1000n) * 1000n + (v % 1000n) * m;
      } else if (MULTIPLIERS_SUFFIXED.has(current)) {
        const [m, suffix] = MULTIPLIERS_SUFFIXED.get(current) as [bigint, string];
        if (v === null) out.push(output(`${m}${suffix}`));
        else if (typeof v === "string") {
          const p = wholeProduct(v, m);
          if (p !== null) out.push(output(`${p}${suffix}`));
          else {
            out.push(output(v));
            out.push(output(`${m}${suffix}`));
          }
        } else out.push(output(`${(v / 1000n) * 1000n + (v % 1000n) * m}${suffix}`));
        value = null;
      } else if (hasKey(PRECEDING_PREFIXERS, current)) {
        if (v !== null) out.push(output(v));
        if (has(WORDS, next) || nextIsNumeric) prefix = PRECEDING_PREFIXERS[current];
        else out.push(output(current));
      } else if (hasKey(FOLLOWING_PREFIXERS, current)) {
        if (v !== null) {
          prefix = FOLLOWING_PREFIXERS[current];
          out.push(output(v));
        } else out.push(output(current));
      } else if (hasKey(SUFFIXERS, current)) {
        if (v !== null) {
          const suffix = SUFFIXERS[current];
          if (typeof suffix === "string") out.push(output(`${v}${suffix}`));
          else if (hasKey(suffix, next)) {
            out.push(output(`${v}${suffix[next]}`));
            skip = true;
          } else {
            out.push(output(v));
            out.push(output(current));
          }
        } else out.push(output(current));
      } else if (SPECIALS.has(current)) {
        if (!has(WORDS, next) && !nextIsNumeric) {
          if (v !== null) out.push(output(v));
          out.push(output(current));
        } else if (current === "and") {
          // "and" after hundreds, thousands, … is part of the number
          if (!has(MULTIPLIERS, prev)) {
            if (v !== null) out.push(output(v));
            out.push(output(current));
          }
        } else if (current === "double" || current === "triple") {
          if (has(ONES, next) || has(ZEROS, next)) {
            const digit = String(ONES.get(next as string) ?? 0);
            value = orEmpty(v) + digit.repeat(current === "double" ? 2 : 3);
            skip = true;
          } else {
            if (v !== null) out.push(output(v));
            out.push(output(current));
          }
        } else if (has(DECIMALS, next) || nextIsNumeric) {
          value = orEmpty(v) + "."; // "point"
        }
      }
    }
    if (value !== null) out.push(output(value));
    return out;
  }

  /** "and a half" → "point five", "half a million" → "0.5 million", digit/letter boundaries. */
  preprocess(s: string): string {
    const segments = s.split(/\band\s+a\s+half\b/);
    const results: string[] = [];
    segments.forEach((segment, i) => {
      if (segment.trim().length === 0) return;
      results.push(segment);
      if (i === segments.length - 1) return;
      const parts = segment.trim().split(/\s+/);
      const lastWord = parts[parts.length - 1];
      results.push(DECIMALS.has(lastWord) || MULTIPLIERS.has(lastWord) ? "point five" : "and a half");
    });
    s = results.join(" ");
    const multipliers = [...MULTIPLIERS.keys()].sort((a, b) => b.length - a.length).join("|");
    s = s.replace(new RegExp(`\\b(?:a\\s+half\\s+|half\\s+(?:a\\s+)?)(${multipliers})\\b`, "g"), "0.5 $1");
    s = s.replace(/([a-z])([0-9])/g, "$1 $2");
    s = s.replace(/([0-9])([a-z])/g, "$1 $2");
    return s.replace(/([0-9])\s+(st|nd|rd|th|s)\b/g, "$1$2");
  }

  /** "$2 and ¢7" → "$2.07", "$0.07" → "¢7", and "1(s)" → "one(s)". */
  postprocess(s: string): string {
    s = s.replace(/([€£$])([0-9]+) (?:and )?¢([0-9]{1,2})\b/g, (_, currency: string, integer: string, cents: string) => `${currency}${integer}.${cents.padStart(2, "0")}`);
    s = s.replace(/[€£$]0.([0-9]{1,2})\b/g, (_, cents: string) => `¢${Number.parseInt(cents, 10)}`);
    return s.replace(/\b1(s?)\b/g, "one$1");
  }
}
