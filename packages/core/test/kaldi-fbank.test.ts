import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { DIARIZATION } from "./shared.js";
import { readNpy } from "./npz.js";
import { KaldiFbank, fbankFrameCount, loadAudio } from "../src/index.js";

const REFERENCE = fileURLToPath(new URL("../../../fixtures/diarization/vis_03_fbank.npy", import.meta.url));

describe("Kaldi fbank (WeSpeaker's front end)", () => {
  it("equals torchaudio.compliance.kaldi.fbank + mean normalisation within 1e-3 on a full and a zero-padded chunk", async () => {
    const audio = await loadAudio(`${DIARIZATION}/audio/vis_03.wav`);
    const reference = readNpy(REFERENCE);
    expect(reference.shape).toEqual([2, 998, 80]);
    const numChunks = Math.floor((audio.length - 160000) / 16000) + 1;
    const first = Float32Array.from(audio.subarray(0, 160000), (x) => x * 32768);
    const last = new Float32Array(160000);
    last.set(audio.subarray(numChunks * 16000).map((x) => x * 32768));
    const fbank = new KaldiFbank(80);
    expect(fbankFrameCount(160000)).toBe(998);
    let worst = 0;
    [first, last].forEach((chunk, c) => {
      const ours = fbank.compute(chunk);
      for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - reference.data[c * ours.length + i]));
    });
    expect(worst).toBeLessThan(1e-3);
  });
});
