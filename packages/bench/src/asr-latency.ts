/**
 * Streaming latency as ÚFAL's `asr_latency` tool computes it (`latency.py`, Macháček & Polák,
 * IWSLT 2025 §5.1): gold words carry their end time, candidate words their emission time; both
 * are spelled out as characters, aligned by "continuous Levenshtein" (a minimum-edit alignment
 * whose backtrace stays in the current run of copies/substitutions or of insertions/deletions),
 * regrouped into words, and each aligned pair counts `max(0, emitted − gold end)`.
 *
 * Ported rule for rule, file formats included, so figures are comparable with published ones
 * (the tool's tiny demo gives 1.966727272727273 s here too).
 */

/** A word (or, inside the alignment, a character) with one time in seconds. */
export interface TimedUnit {
  word: string;
  time: number;
}

/** One aligned pair; `undefined` on one side is a deletion (no candidate) or insertion (no gold). */
export type AlignedPair = [TimedUnit | undefined, TimedUnit | undefined];

/** Gold words from the tool's TSV (`begin\tend\tword`): each word timed by its end. */
export function parseGoldWords(tsv: string): TimedUnit[] {
  return splitLines(tsv).map((line, i) => {
    const cols = line.split("\t");
    if (cols.length !== 3) throw new Error(`gold line ${i + 1}: expected "begin<TAB>end<TAB>word", got ${JSON.stringify(line)}`);
    return { word: cols[2].trim(), time: Number(cols[1]) };
  });
}

/**
 * Candidate words from whisper_streaming's text output (`emission_ms begin end text`), timed by
 * their line's emission. Text that does not start with a space continues the previous word,
 * which then takes this line's time (`load_asr_words`).
 */
export function parseCandidateWords(text: string): TimedUnit[] {
  const words: { word: string; ms: string }[] = [];
  for (const raw of splitLines(text, true)) {
    const [ts, beg, end] = raw.split(" ");
    if (end === undefined) throw new Error(`candidate line ${JSON.stringify(raw.trimEnd())}: expected "emission_ms begin end text"`);
    // The tool drops the line's last character (its newline) and the three separators.
    const body = raw.slice(ts.length + beg.length + end.length + 3, -1);
    const parts = body.split(/\s+/).filter(Boolean);
    let skip = 0;
    if (body[0] !== " " && words.length && parts.length) {
      words[words.length - 1] = { word: words[words.length - 1].word + parts[0], ms: ts };
      skip = 1;
    }
    for (const w of parts.slice(skip)) words.push({ word: w, ms: ts });
  }
  return words.map((w) => ({ word: w.word, time: Number(w.ms) / 1000 }));
}

/** Lines with (keepEnds) or without their line break; a final empty line is not a line. */
function splitLines(text: string, keepEnds = false): string[] {
  const lines = text.split(/(?<=\n)/).filter((l) => l.length);
  return keepEnds ? lines : lines.map((l) => l.replace(/\r?\n$/, ""));
}

/** Each word's characters followed by a space, all with the word's time (`to_chars`). */
export function toChars(words: readonly TimedUnit[]): TimedUnit[] {
  const chars: TimedUnit[] = [];
  for (const w of words) {
    for (const c of w.word) chars.push({ word: c, time: w.time });
    chars.push({ word: " ", time: w.time });
  }
  return chars;
}

type Operation = "copy_sub" | "delete" | "insert";

/** `continuous_levenshtein_alignment`: gold units against candidate units, in order. */
export function continuousLevenshteinAlignment(gold: readonly TimedUnit[], asr: readonly TimedUnit[]): AlignedPair[] {
  const m = gold.length;
  const n = asr.length;
  const w = n + 1;
  const dp = new Int32Array((m + 1) * w);
  for (let j = 0; j <= n; j++) dp[j] = j;
  for (let i = 1; i <= m; i++) {
    dp[i * w] = i;
    const g = gold[i - 1].word;
    for (let j = 1; j <= n; j++) {
      const cost = g === asr[j - 1].word ? 0 : 1;
      dp[i * w + j] = Math.min(dp[i * w + j - 1] + 1, dp[(i - 1) * w + j] + 1, dp[(i - 1) * w + j - 1] + cost);
    }
  }
  const possible = (op: Operation, i: number, j: number): boolean => {
    const d = dp[i * w + j];
    if (op === "delete") return d === dp[(i - 1) * w + j] + 1;
    if (op === "insert") return d === dp[i * w + j - 1] + 1;
    return d === dp[(i - 1) * w + j - 1] + (gold[i - 1].word === asr[j - 1].word ? 0 : 1);
  };
  const out: AlignedPair[] = [];
  let i = m;
  let j = n;
  let priorities: Operation[] = ["copy_sub", "delete", "insert"];
  while (i > 0 && j > 0) {
    const op = priorities.find((p) => possible(p, i, j)) as Operation;
    if (op === "copy_sub") {
      out.push([gold[--i], asr[--j]]);
      priorities = ["copy_sub", "delete", "insert"];
    } else if (op === "delete") {
      out.push([gold[--i], undefined]);
      priorities = ["delete", "insert", "copy_sub"];
    } else {
      out.push([undefined, asr[--j]]);
      priorities = ["insert", "delete", "copy_sub"];
    }
  }
  while (i > 0) out.push([gold[--i], undefined]);
  while (j > 0) out.push([undefined, asr[--j]]);
  return out.reverse();
}

/** `char_to_word_alignment`: character pairs regrouped into word pairs at the spaces. */
export function charToWordAlignment(chars: readonly AlignedPair[]): AlignedPair[] {
  const words: AlignedPair[] = [];
  let wa = "";
  let wb = "";
  let la: TimedUnit | undefined;
  let lb: TimedUnit | undefined;
  for (const [a, b] of chars) {
    if (a) {
      wa += a.word;
      la = a;
    }
    if (b) {
      wb += b.word;
      lb = b;
      if (!a && b.word === " ") {
        // An inserted space: the candidate word ended without a gold counterpart boundary.
        const bw = { word: wb, time: lb.time };
        let aw: TimedUnit | undefined;
        if (wa !== "" && wa !== " " && la) {
          aw = { word: wa, time: la.time };
          wa = "";
          la = undefined;
        }
        words.push([aw, bw]);
        wb = "";
        lb = undefined;
      }
    }
    if (a && a.word === " ") {
      const bw = !lb || wb === " " ? undefined : { word: wb, time: lb.time };
      words.push([{ word: wa, time: (la as TimedUnit).time }, bw]);
      wa = "";
      wb = "";
      la = undefined;
      lb = undefined;
    }
  }
  return words;
}

/** Per-word latencies (`max(0, emitted − gold end)`) of the word pairs both sides have. */
export function wordLatencies(gold: readonly TimedUnit[], candidate: readonly TimedUnit[]): number[] {
  return charToWordAlignment(continuousLevenshteinAlignment(toChars(gold), toChars(candidate)))
    .filter((p): p is [TimedUnit, TimedUnit] => p[0] !== undefined && p[1] !== undefined)
    .map(([g, c]) => Math.max(0, c.time - g.time));
}

/** The tool's figure: the mean word latency in seconds (0 when nothing aligns). */
export function averageLatency(gold: readonly TimedUnit[], candidate: readonly TimedUnit[]): number {
  const l = wordLatencies(gold, candidate);
  let total = 0;
  for (const x of l) total += x;
  return l.length ? total / l.length : 0;
}
