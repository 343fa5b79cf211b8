/**
 * Acceptance: the CLI's JSON output on the 37 visible clips against openai-whisper's
 * transcripts (temperature 0, no conditioning, language en): same text, same segment count,
 * segment start/end within 0.02 s, on at least 35 clips, longform_000 included.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, withoutDemoNotice } from "./run.js";
import { SYNTH } from "./shared.js";

interface RefSegment { start: number; end: number; text: string }
const refs = JSON.parse(readFileSync(`${SYNTH}/refs.json`, "utf8")) as { clips: { id: string; transcribe: { text: string; segments: RefSegment[] } }[] };

describe("whisperx CLI parity with openai-whisper", () => {
  it("matches the reference on ≥ 35 of 37 clips, longform_000 included", async () => {
    const out = mkdtempSync(join(tmpdir(), "parity-"));
    const files = refs.clips.map((c) => `${SYNTH}/audio/${c.id}.wav`);
    const r = await runCli("whisperx", [...files, "--vad_method", "none", "--language", "en", "--temperature", "0", "--beam_size", "1", "--condition_on_previous_text", "False", "--output_dir", out, "--output_format", "json", "--verbose", "False", "--no_align"]);
    expect(withoutDemoNotice(r.stderr)).toBe("");
    expect(r.code).toBe(0);
    const matched: string[] = [];
    const mismatched: string[] = [];
    for (const clip of refs.clips) {
      const got = JSON.parse(readFileSync(join(out, `${clip.id}.json`), "utf8")) as { language: string; segments: (RefSegment & { tokens: number[]; avg_logprob: number })[] };
      expect(got.language).toBe("en");
      const ref = clip.transcribe;
      const text = got.segments.map((s) => s.text).join("");
      const same =
        text === ref.text &&
        got.segments.length === ref.segments.length &&
        got.segments.every((s, i) => Math.abs(s.start - ref.segments[i].start) <= 0.02 && Math.abs(s.end - ref.segments[i].end) <= 0.02);
      (same ? matched : mismatched).push(clip.id);
    }
    expect(matched.length, `mismatched: ${mismatched.join(", ")}`).toBeGreaterThanOrEqual(35);
    expect(matched).toContain("longform_000");
  });
});
