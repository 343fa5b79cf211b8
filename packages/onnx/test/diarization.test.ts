/** pyannote's networks on ONNX Runtime (graphs built from `convert pyannote` output) against PyTorch's CPU references. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { convertPyannote, readNpyFloat32 } from "@whisperx-mlx/convert";
import { DiarizationPipeline, loadAudio } from "@whisperx-mlx/core";
import { onnxEngine } from "../src/index.js";
import { SHARED } from "./shared.js";

const FIX = `${SHARED}/fixtures/synth-diarization`;

describe("diarization networks on ONNX Runtime", () => {
  let pipeline: DiarizationPipeline;
  beforeAll(async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "wx-dia-onnx-")), "community-1");
    convertPyannote({ torchNameOrPath: `${FIX}/models`, mlxPath: dir });
    pipeline = await DiarizationPipeline.load(dir, onnxEngine);
  });

  // vis_long (118 windows) is checked by the bench's end-to-end diarization test, which runs it anyway.
  for (const uri of ["vis_03"]) {
    it(`${uri}: segmentation log-probs within 5e-4 of PyTorch's, powerset argmax on ≥ 99.9 % of frames; embeddings cosine ≥ 0.9999 for every active (chunk, speaker)`, async () => {
      const audio = await loadAudio(`${FIX}/audio/${uri}.wav`);
      const { segmentations, logProbs } = await pipeline.segment(audio);
      const ref = readNpyFloat32(`${FIX}/refs/numeric/${uri}_logprobs.npy`);
      expect(ref.shape).toEqual([segmentations.numChunks, 589, 7]);
      let worst = 0;
      let agree = 0;
      for (let i = 0; i < ref.data.length; i++) worst = Math.max(worst, Math.abs(ref.data[i] - logProbs[i]));
      const frames = ref.data.length / 7;
      for (let f = 0; f < frames; f++) {
        let a = 0;
        let b = 0;
        for (let k = 1; k < 7; k++) {
          if (ref.data[f * 7 + k] > ref.data[f * 7 + a]) a = k;
          if (logProbs[f * 7 + k] > logProbs[f * 7 + b]) b = k;
        }
        if (a === b) agree++;
      }
      expect(worst).toBeLessThan(5e-4);
      expect(agree / frames).toBeGreaterThanOrEqual(0.999);

      // Embeddings from the reference segmentation, so both sides pool the same frames.
      const seg = readNpyFloat32(`${FIX}/refs/numeric/${uri}_segmentation.npy`);
      const refSeg = { ...segmentations, data: Uint8Array.from(seg.data) };
      const emb = await pipeline.embed(audio, refSeg);
      const refEmb = readNpyFloat32(`${FIX}/refs/numeric/${uri}_embeddings.npy`);
      let minCos = 1;
      for (let c = 0; c < refSeg.numChunks; c++) {
        for (let s = 0; s < 3; s++) {
          let active = 0;
          for (let f = 0; f < 589; f++) active += refSeg.data[(c * 589 + f) * 3 + s];
          if (!active) continue;
          let dot = 0;
          let aa = 0;
          let bb = 0;
          for (let d = 0; d < 256; d++) {
            const x = emb.data[(c * 3 + s) * 256 + d];
            const y = refEmb.data[(c * 3 + s) * 256 + d];
            dot += x * y;
            aa += x * x;
            bb += y * y;
          }
          minCos = Math.min(minCos, dot / Math.sqrt(aa * bb));
        }
      }
      expect(minCos).toBeGreaterThanOrEqual(0.9999);
      console.log(`${uri}: log-prob max |Δ| ${worst.toExponential(2)}, argmax agreement ${((100 * agree) / frames).toFixed(3)} %, min embedding cosine ${minCos.toFixed(7)}`);
    });
  }
});
