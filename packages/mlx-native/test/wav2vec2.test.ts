/** wav2vec2 CTC on MLX against PyTorch's emissions, and WhisperX alignment against WhisperX's own. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { align, loadAudio, type AlignModel } from "@whisperx-mlx/core";
import { Wav2Vec2Mlx, loadMlx } from "../src/index.js";
import { SHARED } from "./shared.js";

const W2V = `${SHARED}/fixtures/synth-wav2vec2`;
// synth-wav2vec2's torchaudio checkpoint converted by `pnpm convert wav2vec2 --dtype float32` (the source is fp32).
const MODEL = new URL("../../../fixtures/models/synth-wav2vec2-mlx", import.meta.url).pathname;
interface ClipRef {
  id: string;
  num_frames: number;
  emissions_file?: string;
  emission_frame0: number[];
  argmax_ids: number[];
  reference_text: string;
  wx_words: { word: string; start_whisperx_rule: number; end_whisperx_rule: number }[];
}
const refs = JSON.parse(readFileSync(`${W2V}/refs.json`, "utf8")) as { clips: ClipRef[] };
interface TrueClip {
  id: string;
  kind: string;
  words?: { word: string; start: number; end: number }[];
}
const truth = JSON.parse(readFileSync(`${W2V}/ground_truth.json`, "utf8")) as { clips: TrueClip[] };
const mx = loadMlx();
const model = Wav2Vec2Mlx.load(MODEL);
const aligner: AlignModel = { vocab: model.config.vocab, emissions: (a) => model.emissions(a) };

describe("wav2vec2 on MLX", () => {
  it("matches PyTorch's emissions within 1e-3, with the same argmax on every frame of every clip", async () => {
    for (const c of refs.clips) {
      const e = await model.emissions(await loadAudio(`${W2V}/audio/${c.id}.wav`));
      expect(e.frames).toBe(c.num_frames);
      for (let v = 0; v < e.vocab; v++) expect(Math.abs(e.data[v] - c.emission_frame0[v])).toBeLessThanOrEqual(1e-3);
      for (let t = 0; t < e.frames; t++) {
        let best = 0;
        for (let v = 1; v < e.vocab; v++) if (e.data[t * e.vocab + v] > e.data[t * e.vocab + best]) best = v;
        expect(best, `${c.id} frame ${t}`).toBe(c.argmax_ids[t]);
      }
      if (c.emissions_file) {
        const ref = mx.load(`${W2V}/${c.emissions_file}`);
        const got = mx.array(Array.from({ length: e.frames }, (_, t) => Array.from(e.data.subarray(t * e.vocab, (t + 1) * e.vocab))));
        expect(mx.abs(mx.subtract(ref, got)).max().item() as number).toBeLessThanOrEqual(1e-3);
      }
    }
  });
});

describe("WhisperX alignment with MLX emissions", () => {
  it("puts word starts and ends within 20 ms of WhisperX's (wx_words) on ≥ 95 % of words", async () => {
    let n = 0;
    let ok = 0;
    for (const c of refs.clips) {
      const audio = await loadAudio(`${W2V}/audio/${c.id}.wav`);
      const r = await align([{ start: 0, end: audio.length / 16000, text: c.reference_text }], aligner, audio);
      expect(r.word_segments.map((w) => w.word)).toEqual(c.wx_words.map((w) => w.word));
      r.word_segments.forEach((w, i) => {
        n++;
        if (Math.abs((w.start as number) - c.wx_words[i].start_whisperx_rule) <= 0.02 && Math.abs((w.end as number) - c.wx_words[i].end_whisperx_rule) <= 0.02) ok++;
      });
    }
    expect(n).toBeGreaterThan(100);
    expect(ok / n).toBeGreaterThanOrEqual(0.95);
  });
  it("aligns digits and symbols as scored wildcards, as WhisperX since #1372", async () => {
    const audio = await loadAudio(`${W2V}/audio/w2v_sent_000.wav`);
    const r = await align([{ start: 0, end: audio.length / 16000, text: " It costs $5 at 3pm. Really!" }], aligner, audio, { returnCharAlignments: true });
    const words = r.word_segments;
    expect(words.map((w) => w.word)).toEqual(["It", "costs", "$5", "at", "3pm.", "Really!"]);
    const five = words[2];
    expect(five.start).toBeTypeOf("number");
    expect(five.end).toBeTypeOf("number");
    expect(five.score).toBeTypeOf("number");
    expect(words[1].score).toBeTypeOf("number");
    expect(r.segments.length).toBeGreaterThanOrEqual(1);
    // The first sentence keeps Whisper's leading space, as punkt's first span starts at 0.
    expect(r.segments[0].chars?.slice(0, 2)).toMatchObject([{ char: " " }, { char: "I" }]);
  });


  it("is as close to the true word boundaries as WhisperX itself (mean error within 2 ms of wx_words)", async () => {
    const ours: number[][] = [[], []];
    const theirs: number[][] = [[], []];
    for (const t of truth.clips.filter((c) => c.kind === "word_concat" && c.words)) {
      const ref = refs.clips.find((c) => c.id === t.id) as ClipRef;
      const audio = await loadAudio(`${W2V}/audio/${t.id}.wav`);
      const r = await align([{ start: 0, end: audio.length / 16000, text: ref.reference_text }], aligner, audio);
      (t.words ?? []).forEach((w, i) => {
        ours[0].push(Math.abs((r.word_segments[i].start as number) - w.start) * 1000);
        ours[1].push(Math.abs((r.word_segments[i].end as number) - w.end) * 1000);
        theirs[0].push(Math.abs(ref.wx_words[i].start_whisperx_rule - w.start) * 1000);
        theirs[1].push(Math.abs(ref.wx_words[i].end_whisperx_rule - w.end) * 1000);
      });
    }
    const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
    const median = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1];
    const row = (e: number[][]) => `mean ${mean([...e[0], ...e[1]]).toFixed(1)} ms, median ${median([...e[0], ...e[1]]).toFixed(1)} ms, starts ${mean(e[0]).toFixed(1)} ms, ends ${mean(e[1]).toFixed(1)} ms`;
    console.log(`error against the true word boundaries (${ours[0].length * 2} boundaries): ours ${row(ours)}; WhisperX ${row(theirs)}`);
    expect(ours[0].length).toBeGreaterThan(50);
    expect(mean([...ours[0], ...ours[1]])).toBeLessThanOrEqual(mean([...theirs[0], ...theirs[1]]) + 2);
  });
});
