/**
 * Decoding as WhisperX and openai-whisper decode, against the outputs of their own code on the
 * bundled model (`../shared/fixtures/synth-whisper-256/refs-extra`): beam search on both paths
 * and both engines, prompts and conditioning, fallback decisions, language detection, translation.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildLogitRules, compressionRatio, fallbackNeeded, N_SAMPLES, WhisperTokenizer, type Segment } from "@whisperx-mlx/core";
import { DEMO_MODEL, loadAudio, loadModel, type AsrOptions, type AsrPipeline, type EngineName } from "whisperx-mlx";
import { SYNTH } from "./shared.js";

const EXTRA = `${SYNTH}/refs-extra`;
const read = <T>(name: string): T => JSON.parse(readFileSync(`${EXTRA}/${name}`, "utf8")) as T;
const audioOf = (id: string) => loadAudio(`${SYNTH}/audio/${id}.wav`);

interface RefTranscribe {
  text: string;
  segments: { start: number; end: number; text: string; tokens: number[] }[];
}
interface RefWindow {
  seek: number;
  segment_size: number;
  decodes: { temperature: number; prompt: number[]; tokens: number[]; avg_logprob: number; compression_ratio: number; no_speech_prob: number }[];
}

/** The sequential path (openai-whisper's `transcribe`) with the given options. */
function sequential(engine: EngineName, asrOptions: Partial<AsrOptions>, extra: { task?: "transcribe" | "translate" } = {}): Promise<AsrPipeline> {
  return loadModel(DEMO_MODEL, { backend: engine, language: "en", vadMethod: "none", asrOptions: { temperatures: [0], conditionOnPreviousText: false, ...asrOptions }, ...extra });
}

/** Same text, same segmentation, segment times within 0.02 s. */
function sameTranscript(segments: Segment[], ref: RefTranscribe): boolean {
  return (
    segments.map((s) => s.text).join("") === ref.text &&
    segments.length === ref.segments.length &&
    segments.every((s, i) => Math.abs(s.start - ref.segments[i].start) <= 0.02 + 1e-9 && Math.abs(s.end - ref.segments[i].end) <= 0.02 + 1e-9)
  );
}

describe.each(["onnx", "mlx"] as const)("beam search (%s)", (engine) => {
  it("beam 5 on the sequential path equals openai-whisper's on ≥ 90 % of clips, longform_000 included", async () => {
    // Every clip on ONNX Runtime; on MLX (slower on this CPU) the held-out ones and longform_000.
    const refs = Object.fromEntries(Object.entries(read<{ clips: Record<string, { transcribe: RefTranscribe }> }>("beam.json").clips).filter(([id]) => engine === "onnx" || !id.startsWith("trainlike")));
    const model = await sequential(engine, { beamSize: 5 });
    const matched: string[] = [];
    const mismatched: string[] = [];
    for (const [id, clip] of Object.entries(refs)) (sameTranscript((await model.transcribe(await audioOf(id))).segments, clip.transcribe) ? matched : mismatched).push(id);
    await model.close();
    console.log(`${engine} beam 5, sequential: ${matched.length}/${matched.length + mismatched.length} clips identical${mismatched.length ? ` (not: ${mismatched.join(", ")})` : ""}`);
    expect(matched.length / (matched.length + mismatched.length)).toBeGreaterThanOrEqual(0.9);
    expect(matched).toContain("longform_000");
  });

  it("beam 5 on WhisperX's chunks of longform_000 gives each chunk's reference text at batch sizes 1 and 8", async () => {
    const ref = read<{ clips: { longform_000: { chunks: { start: number; end: number; beam5: { text: string; avg_logprob: number } }[] } } }>("chunked.json").clips.longform_000.chunks;
    const model = await loadModel(DEMO_MODEL, { backend: engine, language: "en", asrOptions: { beamSize: 5 } });
    const audio = await audioOf("longform_000");
    const chunks = ref.map((c) => ({ start: c.start, end: c.end, segments: [] as [number, number][] }));
    for (const batchSize of [1, 8]) {
      const r = await model.transcribeChunks(audio, chunks, { batchSize });
      expect(r.segments.map((s) => s.text.trim()), `batch ${batchSize}`).toEqual(ref.map((c) => c.beam5.text));
      r.segments.forEach((s, i) => expect(Math.abs((s.avg_logprob as number) - ref[i].beam5.avg_logprob)).toBeLessThan(1e-3));
    }
    await model.close();
  });
});

describe("prompts, conditioning, translation (onnx)", () => {
  it("greedy with condition_on_previous_text on longform_000 equals openai-whisper's", async () => {
    const ref = read<{ clips: { longform_000: { transcribe: RefTranscribe } } }>("condition_prev.json").clips.longform_000.transcribe;
    const model = await sequential("onnx", { beamSize: 1, conditionOnPreviousText: true });
    expect(sameTranscript((await model.transcribe(await audioOf("longform_000"))).segments, ref)).toBe(true);
    await model.close();
  });

  it("initial_prompt runs equal openai-whisper's, with and without conditioning", async () => {
    const ref = read<{ initial_prompt: string; clips: Record<string, Record<"condition_on_previous_text_false" | "condition_on_previous_text_true", { transcribe: RefTranscribe }>> }>("prompt.json");
    for (const condition of [false, true]) {
      const model = await sequential("onnx", { beamSize: 1, initialPrompt: ref.initial_prompt, conditionOnPreviousText: condition });
      for (const [id, clip] of Object.entries(ref.clips)) {
        const want = clip[condition ? "condition_on_previous_text_true" : "condition_on_previous_text_false"].transcribe;
        expect(sameTranscript((await model.transcribe(await audioOf(id))).segments, want), `${id}, condition ${condition}`).toBe(true);
      }
      await model.close();
    }
  });

  it("translation equals openai-whisper's", async () => {
    const ref = read<{ clips: Record<string, { transcribe: RefTranscribe }> }>("translate.json").clips;
    const model = await sequential("onnx", { beamSize: 1 }, { task: "translate" });
    for (const [id, clip] of Object.entries(ref)) expect(sameTranscript((await model.transcribe(await audioOf(id))).segments, clip.transcribe), id).toBe(true);
    await model.close();
  });
});

describe.each(["onnx", "mlx"] as const)("language detection (%s)", (engine) => {
  it("detects the top language with its logit within 1e-3 of openai-whisper's", async () => {
    const ref = read<{ clips: Record<string, { top5: [string, number][]; language_token_logits: Record<string, number> }> }>("language.json").clips;
    const model = await loadModel(DEMO_MODEL, { backend: engine });
    const tok = WhisperTokenizer.forModel(model.dims.n_vocab);
    const codes = tok.languageCodes;
    for (const [id, clip] of Object.entries(ref)) {
      const audio = (await audioOf(id)).subarray(0, N_SAMPLES);
      const mel = await model.backend.melSpectrogram(audio, N_SAMPLES - audio.length);
      const logits = await model.backend.detectLanguage(mel, 0, codes.map((c) => tok.languageToken(c) as number), tok.sot);
      model.backend.release(mel);
      const top = clip.top5[0][0];
      expect(codes[logits.indexOf(Math.max(...logits))], id).toBe(top);
      expect(Math.abs(logits[codes.indexOf(top)] - clip.language_token_logits[top]), id).toBeLessThan(1e-3);
    }
    // The pipeline's detection reports the same language with its probability.
    const detection = await model.detectLanguage((await audioOf("eval_000")).subarray(0, N_SAMPLES));
    expect(detection.language).toBe(ref.eval_000.top5[0][0]);
    expect(detection.probability).toBeCloseTo(ref.eval_000.top5[0][1], 4);
    await model.close();
  });
});

describe("fallback decisions (onnx)", () => {
  const engine = "onnx";
  it("makes every window's temperature-0 fallback decision as openai-whisper did", async () => {
    type Run = { windows: (RefWindow & { deterministic_inputs: boolean; t0: { needs_fallback: boolean } })[] };
    const ref = read<{ clips: Record<string, Record<string, Run>> }>("fallback.json").clips;
    const model = await loadModel(DEMO_MODEL, { backend: engine, language: "en" });
    const tok = WhisperTokenizer.forModel(model.dims.n_vocab, { language: "en" });
    const thresholds = { compression: 2.4, logprob: -1.0, noSpeech: 0.6 };
    let windows = 0;
    for (const [id, runs] of Object.entries(ref)) {
      const audio = await audioOf(id);
      const mel = await model.backend.melSpectrogram(audio, N_SAMPLES);
      for (const run of Object.values(runs)) {
        for (const w of run.windows.filter((x) => x.deterministic_inputs)) {
          const rules = buildLogitRules(tok, { task: "transcribe", language: "en", temperature: 0, suppressTokens: "-1", suppressBlank: true, withoutTimestamps: false, maxInitialTimestamp: 1.0, prompt: w.decodes[0].prompt }, model.dims.n_text_ctx);
          const raw = await model.backend.decodeWindow(mel, w.seek, w.segment_size, rules, { temperature: 0, sampleLen: 224 });
          const text = tok.decode(raw.tokens).trim();
          const decision = fallbackNeeded({ avgLogprob: raw.sumLogprob / (raw.tokens.length + 1), compressionRatio: compressionRatio(text), noSpeechProb: raw.noSpeechProb }, thresholds);
          expect(decision, `${id} window at ${w.seek}`).toBe(w.t0.needs_fallback);
          windows++;
        }
      }
      model.backend.release(mel);
    }
    expect(windows).toBeGreaterThan(70);
    await model.close();
  });
});

describe("sampling, seeds and numerals (onnx)", () => {
  const clip = "longform_000";
  const options = (extra: Partial<AsrOptions>) => ({ backend: "onnx" as const, language: "en", asrOptions: { temperatures: [1.0], bestOf: 1, ...extra } });

  it("a seed repeats a sampled run; another seed samples another", async () => {
    const audio = await audioOf(clip);
    const texts = async (seed: number) => {
      const model = await loadModel(DEMO_MODEL, options({ seed }));
      const r = await model.transcribe(audio);
      await model.close();
      return r.segments.map((s) => s.text).join("|");
    };
    const a = await texts(11);
    expect(await texts(11)).toBe(a);
    expect(await texts(12)).not.toBe(a);
  });

  it("--suppress_numerals leaves no digit, % or $ where the same sampled run had them", async () => {
    const audio = await audioOf(clip);
    // WhisperX's segments carry text only; a digit, % or $ in it can only come from a numeral-symbol token.
    const numeralTokens = async (extra: Partial<AsrOptions>) => {
      const model = await loadModel(DEMO_MODEL, options(extra));
      const r = await model.transcribe(audio);
      await model.close();
      return r.segments.flatMap((s) => [...s.text.matchAll(/[0-9%$]/g)].map((m) => m[0]));
    };
    // This seed samples a numeral token on this clip; with the numerals suppressed the same stream of draws cannot (if suppression did nothing, the same logits would draw the same tokens).
    expect((await numeralTokens({ seed: NUMERAL_SEED })).length).toBeGreaterThan(0);
    expect(await numeralTokens({ seed: NUMERAL_SEED, suppressNumerals: true })).toEqual([]);
  });
});

/** A seed whose sampled run (temperature 1, one sample per chunk) emits numeral tokens on longform_000. */
const NUMERAL_SEED = 9;
