/** pyannote's two networks on both engines (from `convert pyannote` output) against PyTorch's CPU references on vis_03. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { convertPyannote } from "@whisperx-mlx/convert";
import { DiarizationPipeline, loadAudio, type InferenceEngine } from "@whisperx-mlx/core";
import { mlxEngine } from "@whisperx-mlx/mlx-native";
import { onnxEngine } from "@whisperx-mlx/onnx";
import { compareWithReference } from "../src/index.js";
import { SHARED } from "./shared.js";

const FIX = `${SHARED}/fixtures/synth-diarization`;

describe("diarization networks against PyTorch (vis_03; vis_long runs in the end-to-end test and in bench --diarization)", () => {
  let dir: string;
  beforeAll(() => {
    dir = join(mkdtempSync(join(tmpdir(), "wx-dia-numerics-")), "community-1");
    convertPyannote({ torchNameOrPath: `${FIX}/models`, mlxPath: dir });
  });

  for (const engine of [onnxEngine, mlxEngine] as InferenceEngine[]) {
    it(`${engine.name}: log-probs within 5e-4, powerset argmax on ≥ 99.9 % of frames, embedding cosine ≥ 0.9999 for every active (chunk, speaker)`, async () => {
      const pipeline = await DiarizationPipeline.load(dir, engine);
      try {
        const audio = await loadAudio(`${FIX}/audio/vis_03.wav`);
        const { segmentations, logProbs } = await pipeline.segment(audio);
        const embeddings = await pipeline.embed(audio, segmentations);
        const n = compareWithReference(FIX, "vis_03", logProbs, embeddings.data);
        if (!n) throw new Error("no reference for vis_03");
        console.log(`${engine.name}: log-prob max |Δ| ${n.logProbMaxAbsDiff.toExponential(2)}, argmax ${(100 * n.argmaxAgreement).toFixed(3)} %, min cosine ${n.embeddingMinCosine.toFixed(7)} over ${n.activePairs} pairs`);
        expect(n.logProbMaxAbsDiff).toBeLessThan(5e-4);
        expect(n.argmaxAgreement).toBeGreaterThanOrEqual(0.999);
        expect(n.embeddingMinCosine).toBeGreaterThanOrEqual(0.9999);
        expect(n.activePairs).toBeGreaterThan(50);
      } finally {
        await pipeline.release();
      }
    });
  }
});
