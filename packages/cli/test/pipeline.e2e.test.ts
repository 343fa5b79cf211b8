/** The default WhisperX path through the CLI: Silero VAD → 30 s chunks → batched decoding. */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./run.js";
import { SYNTH } from "./shared.js";

describe("whisperx CLI, VAD path", () => {
  it("chunks longform_000 as WhisperX does and decodes ≥ 90 % of chunks as openai-whisper", async () => {
    const out = mkdtempSync(join(tmpdir(), "vadcli-"));
    // Each engine with its own VAD runtime: ONNX Runtime throughout, and MLX throughout.
    for (const backend of ["onnx", "mlx"]) {
      const r = await runCli("whisperx", [`${SYNTH}/audio/longform_000.wav`, "--language", "en", "--backend", backend, "--vad_backend", backend, "-o", out, "-f", "json", "--verbose", "False", "--no_align", "--beam_size", "1"]);
      expect(r.code, r.stderr).toBe(0);
      const got = JSON.parse(readFileSync(join(out, "longform_000.json"), "utf8")) as { segments: { start: number; end: number; text: string }[] };
      const vad = JSON.parse(readFileSync(`${SYNTH}/refs-extra/vad.json`, "utf8")).whisperx_chunks.longform_000.chunks as { start: number; end: number }[];
      const ref = JSON.parse(readFileSync(`${SYNTH}/refs-extra/chunked.json`, "utf8")).clips.longform_000.chunks as { greedy: { text: string } }[];
      expect(got.segments.length).toBe(vad.length);
      got.segments.forEach((s, i) => {
        expect(Math.abs(s.start - vad[i].start)).toBeLessThanOrEqual(0.05);
        expect(Math.abs(s.end - vad[i].end)).toBeLessThanOrEqual(0.05);
      });
      const same = got.segments.filter((s, i) => s.text.trim() === ref[i].greedy.text).length;
      expect(same / ref.length).toBeGreaterThanOrEqual(0.9);
    }
  });

  it("ten copies, a corrupt and a silent file: eleven transcribed, the corrupt one reported, exit 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "multi-"));
    const files: string[] = [];
    for (let i = 0; i < 10; i++) {
      const f = join(dir, `copy_${i}.wav`);
      copyFileSync(`${SYNTH}/audio/eval_00${i}.wav`, f);
      files.push(f);
    }
    const corrupt = join(dir, "corrupt.wav");
    writeFileSync(corrupt, Buffer.concat([Buffer.from("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00"), Buffer.from("garbage")]));
    const silent = join(dir, "silent.wav");
    const pcm = Buffer.alloc(16000 * 2 * 4);
    const h = Buffer.alloc(44);
    h.write("RIFF", 0);
    h.writeUInt32LE(36 + pcm.length, 4);
    h.write("WAVEfmt ", 8);
    h.writeUInt32LE(16, 16);
    h.writeUInt16LE(1, 20);
    h.writeUInt16LE(1, 22);
    h.writeUInt32LE(16000, 24);
    h.writeUInt32LE(32000, 28);
    h.writeUInt16LE(2, 32);
    h.writeUInt16LE(16, 34);
    h.write("data", 36);
    h.writeUInt32LE(pcm.length, 40);
    writeFileSync(silent, Buffer.concat([h, pcm]));
    const out = join(dir, "out");
    // a quoted glob is expanded by the CLI itself
    const r = await runCli("whisperx", [join(dir, "copy_*.wav"), corrupt, silent, "--language", "en", "-o", out, "-f", "txt", "--verbose", "False", "--no_align"]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toContain(`whisperx: ${corrupt}: invalid WAV: truncated fmt chunk`);
    expect(lines).toContain(`whisperx: ${silent}: no active speech found; writing an empty transcript`);
    expect(lines[lines.length - 1]).toBe("whisperx: 1 of 12 file(s) failed");
    const written = readdirSync(out).sort();
    expect(written).toEqual([...Array.from({ length: 10 }, (_, i) => `copy_${i}.txt`), "silent.txt"].sort());
    expect(readFileSync(join(out, "silent.txt"), "utf8")).toBe("");
    for (let i = 0; i < 10; i++) expect(readFileSync(join(out, `copy_${i}.txt`), "utf8").trim().length).toBeGreaterThan(0);
  });
});

describe("whisperx CLI, alignment", () => {
  it("VAD → batched ASR → wav2vec2 alignment writes SRT/VTT/JSON with word times", async () => {
    const out = mkdtempSync(join(tmpdir(), "align-"));
    const r = await runCli("whisperx", [`${SYNTH}/audio/longform_000.wav`, "--language", "en", "-o", out, "-f", "all"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/alignment \d+\.\d+ s/);
    const json = JSON.parse(readFileSync(join(out, "longform_000.json"), "utf8")) as { segments: { start: number; end: number; text: string; words: { word: string; start?: number; end?: number; score?: number }[] }[]; word_segments: unknown[] };
    expect(json.segments.length).toBeGreaterThan(20); // sentences, not 30 s chunks
    expect(json.word_segments.length).toBeGreaterThan(300);
    let prev = 0;
    for (const s of json.segments) {
      expect(s.words.length).toBeGreaterThan(0);
      for (const w of s.words) {
        if (w.start === undefined) continue;
        expect(w.end as number).toBeGreaterThanOrEqual(w.start);
        expect(w.start).toBeGreaterThanOrEqual(prev - 1e-9);
        prev = w.start;
      }
    }
    const srt = readFileSync(join(out, "longform_000.srt"), "utf8");
    expect(srt.startsWith("1\n00:00:00,")).toBe(true);
    expect(readFileSync(join(out, "longform_000.vtt"), "utf8").startsWith("WEBVTT\n\n")).toBe(true);
  });

  it("`whisperx align` aligns an existing transcript to audio", async () => {
    const out = mkdtempSync(join(tmpdir(), "realign-"));
    const txt = join(out, "transcript.txt");
    writeFileSync(txt, "It is the business of little minds to\n");
    const audio = `${SYNTH}/../synth-wav2vec2/audio/w2v_word_000.wav`;
    const r = await runCli("whisperx", ["align", audio, "--transcript", txt, "-o", out, "-f", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(join(out, "w2v_word_000.json"), "utf8")) as { word_segments: { word: string; start: number; end: number }[] };
    expect(json.word_segments.map((w) => w.word)).toEqual(["It", "is", "the", "business", "of", "little", "minds", "to"]);
    const ref = JSON.parse(readFileSync(`${SYNTH}/../synth-wav2vec2/refs.json`, "utf8")).clips[0].wx_words as { start_whisperx_rule: number }[];
    json.word_segments.forEach((w, i) => expect(Math.abs(w.start - ref[i].start_whisperx_rule)).toBeLessThanOrEqual(0.02));
    const bad = await runCli("whisperx", ["align", audio, "--transcript", join(out, "missing.txt"), "-o", out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/missing\.txt/);
  });
});

describe("whisperx CLI, --word_timestamps dtw", () => {
  it.each(["mlx", "onnx"])("writes openai-whisper's word times on the sequential path (%s)", async (backend) => {
    const out = mkdtempSync(join(tmpdir(), "dtw-"));
    const r = await runCli("whisperx", [`${SYNTH}/audio/eval_000.wav`, "--vad_method", "none", "--word_timestamps", "dtw", "--backend", backend, "--language", "en", "--beam_size", "1", "-o", out, "-f", "json", "--verbose", "False"]);
    expect(r.code, r.stderr).toBe(0);
    const got = JSON.parse(readFileSync(join(out, "eval_000.json"), "utf8")) as { word_segments: { word: string; start: number; end: number }[] };
    const ref = (JSON.parse(readFileSync(`${SYNTH}/refs.json`, "utf8")).clips as { id: string; transcribe_word_timestamps: { segments: { words: { word: string; start: number; end: number }[] }[] } }[])
      .find((c) => c.id === "eval_000")!.transcribe_word_timestamps.segments.flatMap((s) => s.words);
    expect(got.word_segments.map((w) => w.word)).toEqual(ref.map((w) => w.word));
    got.word_segments.forEach((w, i) => expect(Math.abs(w.start - ref[i].start)).toBeLessThanOrEqual(0.02 + 1e-9));
    const bad = await runCli("whisperx", [`${SYNTH}/audio/eval_000.wav`, "--word_timestamps", "dtw", "-o", out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--vad_method none/);
  });
});
