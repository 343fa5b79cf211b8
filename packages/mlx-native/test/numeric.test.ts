/** The MLX port against openai-whisper's numeric references (fp32, CPU). */
import { beforeAll, describe, expect, it } from "vitest";
import { loadAudio } from "@whisperx-mlx/core";
import { loadMlx, logMelSpectrogram, MlxWhisperBackend, missingMlxLibraries } from "../src/index.js";
import { SYNTH } from "./shared.js";

const mx = loadMlx();
let backend: MlxWhisperBackend;

// The bundled model is synth-whisper-256.pt converted by `pnpm convert` (fp16).
const MODEL = new URL("../../../fixtures/models/synth-whisper-256-mlx", import.meta.url).pathname;

beforeAll(() => {
  backend = MlxWhisperBackend.load(MODEL);
});

const maxAbs = (a: ReturnType<typeof mx.load>, b: ReturnType<typeof mx.load>) => mx.abs(mx.subtract(a, b)).max().item() as number;

describe.each(["eval_000", "eval_015"])("%s against the numeric references", (clip) => {
  let mel: ReturnType<typeof mx.load>;
  let enc: ReturnType<typeof mx.load>;
  beforeAll(async () => {
    const audio = await loadAudio(`${SYNTH}/audio/${clip}.wav`);
    const padded = new Float32Array(480000);
    padded.set(audio.subarray(0, 480000)); // pad_or_trim(audio)
    mel = logMelSpectrogram(mx, padded, 80, 0);
    enc = backend.model.encode(mel.reshape(1, 3000, 80));
    mx.eval(mel, enc);
  });
  it("log-mel max |Δ| ≤ 1e-4", () => {
    const ref = mx.load(`${SYNTH}/numeric/${clip}_mel.npy`);
    expect(mel.shape).toEqual([3000, 80]);
    expect(maxAbs(mel, ref.T)).toBeLessThanOrEqual(1e-4);
  });
  it("encoder output max |Δ| ≤ 1e-3", () => {
    const ref = mx.load(`${SYNTH}/numeric/${clip}_encoder_out.npy`);
    expect(maxAbs(enc.reshape(1500, 256), ref)).toBeLessThanOrEqual(1e-3);
  });
  it("first-step logits: same argmax, max |Δ| ≤ 1e-2", () => {
    const cross = backend.model.crossAttentionCache(enc);
    const hidden = backend.model.decodeHidden(mx.array([[50258, 50259, 50359, 50363]], mx.int32), cross, [], 0);
    const logits = backend.model.logits(hidden.index(0, -1));
    const ref = mx.load(`${SYNTH}/numeric/${clip}_logits_first_step.npy`);
    expect(mx.argmax(logits).item()).toBe(mx.argmax(ref).item());
    expect(maxAbs(logits, ref)).toBeLessThanOrEqual(1e-2);
  });
});

describe("runtime", () => {
  it("finds the shared libraries MLX links, and names missing ones", () => {
    expect(missingMlxLibraries()).toEqual([]);
    expect(missingMlxLibraries({ dirs: ["/nonexistent"] })).toEqual(["libblas.so.3", "liblapack.so.3"]);
  });
});
