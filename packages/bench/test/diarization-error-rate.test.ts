import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { diarizationErrorRate, type LabelledSegment } from "../src/index.js";

interface Case {
  name: string;
  reference: [number, number, string][];
  hypothesis: [number, number, string][];
  uem: [number, number][];
  metrics: Record<string, { total: number; "missed detection": number; "false alarm": number; confusion: number; correct: number; "diarization error rate": number; "jaccard error rate": number }>;
}
const REF = JSON.parse(readFileSync(fileURLToPath(new URL("../../../fixtures/diarization/metrics_reference.json", import.meta.url)), "utf8")) as { cases: Case[] };
const segs = (t: [number, number, string][]): LabelledSegment[] => t.map(([start, end, speaker]) => ({ start, end, speaker }));

describe("DER and JER equal pyannote.metrics' (fixtures/tools/diarization_metrics_reference.py)", () => {
  it("tst00 against perturbed copies, and every visible clip against pyannote's own RTTMs: collar 0 and 0.5, overlap scored and skipped, within 1e-9", () => {
    let checked = 0;
    for (const c of REF.cases) {
      for (const [key, want] of Object.entries(c.metrics)) {
        const collar = key.startsWith("collar0.5") ? 0.5 : 0;
        const got = diarizationErrorRate(segs(c.reference), segs(c.hypothesis), { uem: c.uem, collar, skipOverlap: key.endsWith("skip_overlap") });
        const pairs: [number, number, string][] = [
          [got.total, want.total, "total"],
          [got.missedDetection, want["missed detection"], "miss"],
          [got.falseAlarm, want["false alarm"], "false alarm"],
          [got.confusion, want.confusion, "confusion"],
          [got.der, want["diarization error rate"], "DER"],
          [got.jer, want["jaccard error rate"], "JER"],
        ];
        for (const [g, w, what] of pairs) expect(Math.abs(g - w), `${c.name} ${key} ${what}: ${g} vs ${w}`).toBeLessThan(1e-9);
        checked++;
      }
    }
    expect(checked).toBe(REF.cases.length * 4);
  });
});
