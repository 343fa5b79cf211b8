/** Option checks of `loadModel`: what cannot work is refused in one line before any model loads. */
import { describe, expect, it } from "vitest";
import { checkAsrOptions, checkModelLanguage, DEFAULT_ASR_OPTIONS, InvalidOptionError, loadModel, type AsrOptions } from "whisperx-mlx";

const check = (given: Partial<AsrOptions>, vad: "silero" | "none" = "silero") => () => checkAsrOptions({ ...DEFAULT_ASR_OPTIONS, ...given }, given, vad);

describe("decoding option checks", () => {
  it("accepts WhisperX's defaults on both paths", () => {
    expect(check({})).not.toThrow();
    expect(check({}, "none")).not.toThrow();
  });
  it("refuses openai-whisper's invalid combinations", () => {
    expect(check({ beamSize: 5, temperatures: [0.5] })).toThrow(/beam_size 5 needs temperature 0/);
    expect(check({ bestOf: 3, temperatures: [0] })).toThrow(/best_of 3 needs a temperature above 0/);
    expect(check({ beamSize: 1, patience: 2 })).toThrow(/patience needs beam_size above 1/);
    expect(check({ lengthPenalty: 1.5 })).toThrow(/between 0 and 1/);
    expect(check({ beamSize: 0 })).toThrow(InvalidOptionError);
    expect(check({ patience: 0.05 })).toThrow(/round\(beam_size · patience\) ≥ 1/);
  });
  it("keeps fallback, thresholds, conditioning and DTW to the sequential path, as WhisperX's batched decoder has none of them", () => {
    expect(check({ temperatures: [0, 0.2, 0.4] })).toThrow(/fallback needs the sequential path/);
    expect(check({ temperatures: [0, 0.2, 0.4] }, "none")).not.toThrow();
    expect(check({ logProbThreshold: -2 })).toThrow(/logprob_threshold needs the sequential path/);
    expect(check({ conditionOnPreviousText: true })).toThrow(/condition_on_previous_text needs the sequential path/);
    expect(check({ wordTimestamps: true })).toThrow(/needs the sequential path/);
    // Best-of applies to the fallback temperatures of the sequential path.
    expect(check({ bestOf: 3, temperatures: [0, 0.5] }, "none")).not.toThrow();
  });
  it("refuses a language the model has no token for, and unknown languages before loading anything", async () => {
    expect(() => checkModelLanguage(51864, "de", "tiny.en")).toThrow("model 'tiny.en' is English-only; it cannot transcribe 'de'");
    expect(() => checkModelLanguage(51865, "yue", "small")).toThrow("model 'small' has no language 'yue'");
    expect(() => checkModelLanguage(51866, "yue", "large-v3")).not.toThrow();
    await expect(loadModel("/nonexistent", { language: "Klingon" })).rejects.toThrow("unsupported language 'Klingon'");
  });
});
