/** RTTM, as pyannote.core's `Annotation.write_rttm` writes it, and read back. */
import { pythonRound3 } from "../util/python-numerics.js";
import type { DiarizationTurn } from "./speaker-diarization.js";

/** Python's `f"{x:.3f}"`. */
function fixed3(x: number): string {
  return pythonRound3(x).toFixed(3);
}

/** `SPEAKER <uri> 1 <start> <duration> <NA> <NA> <label> <NA> <NA>` per turn; spaces in the uri or labels are refused, as pyannote refuses them. */
export function formatRttm(turns: readonly DiarizationTurn[], uri: string): string {
  if (/\s/.test(uri)) throw new RangeError(`RTTM does not allow spaces in the file uri (got "${uri}")`);
  return turns
    .map((t) => {
      if (/\s/.test(t.speaker)) throw new RangeError(`RTTM does not allow spaces in labels (got "${t.speaker}")`);
      return `SPEAKER ${uri} 1 ${fixed3(t.start)} ${fixed3(t.end - t.start)} <NA> <NA> ${t.speaker} <NA> <NA>\n`;
    })
    .join("");
}

/** The turns of an RTTM text, per file uri. */
export function parseRttm(text: string): Map<string, DiarizationTurn[]> {
  const out = new Map<string, DiarizationTurn[]>();
  text.split("\n").forEach((line, i) => {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || f[0] !== "SPEAKER") {
      if (line.trim() !== "") throw new SyntaxError(`RTTM line ${i + 1}: expected 'SPEAKER <uri> <channel> <onset> <duration> … <label> …'`);
      return;
    }
    const start = Number(f[3]);
    const duration = Number(f[4]);
    if (!Number.isFinite(start) || !Number.isFinite(duration)) throw new SyntaxError(`RTTM line ${i + 1}: onset and duration must be numbers`);
    const turns = out.get(f[1]) ?? [];
    turns.push({ start, end: start + duration, speaker: f[7] });
    out.set(f[1], turns);
  });
  return out;
}

/** pyannote's `DiarizeOutput.serialize()`: turns rounded to milliseconds (Python's `round`), regular and exclusive. */
export function serializeDiarization(turns: readonly DiarizationTurn[], exclusiveTurns: readonly DiarizationTurn[]): { diarization: DiarizationTurn[]; exclusive_diarization: DiarizationTurn[] } {
  const round = (list: readonly DiarizationTurn[]) => list.map((t) => ({ start: pythonRound3(t.start), end: pythonRound3(t.end), speaker: t.speaker }));
  return { diarization: round(turns), exclusive_diarization: round(exclusiveTurns) };
}
