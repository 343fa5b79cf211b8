/**
 * Diarization end to end on the visible synthetic conversations, ONNX Runtime engine, both
 * configurations: against pyannote's own runs on the same checkpoints and against the ground truth.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { convertPyannote } from "@whisperx-mlx/convert";
import { onnxEngine } from "@whisperx-mlx/onnx";
import { runDiarization, type DiarizationResult } from "../src/index.js";
import { SHARED } from "./shared.js";

const FIX = `${SHARED}/fixtures/synth-diarization`;
const refs = JSON.parse(readFileSync(`${FIX}/refs/refs.json`, "utf8")) as {
  clips: Record<string, { configs: Record<string, { labels: string[] }> }>;
  totals: Record<string, { DER_collar0: number }>;
};
const totalDer = (cfg: string) => (refs.totals[cfg] as unknown as Record<string, number>)["DER_collar0.0"];

describe("diarization of the visible conversations (ONNX Runtime)", () => {
  let result: DiarizationResult;
  beforeAll(async () => {
    const tmp = mkdtempSync(join(tmpdir(), "wx-dia-e2e-"));
    convertPyannote({ torchNameOrPath: `${FIX}/models/config-3.1.yaml`, mlxPath: join(tmp, "3.1") });
    convertPyannote({ torchNameOrPath: `${FIX}/models`, mlxPath: join(tmp, "community-1") });
    result = await runDiarization(onnxEngine, FIX, [
      { name: "3.1", dir: join(tmp, "3.1") },
      { name: "community-1", dir: join(tmp, "community-1") },
    ]);
    for (const c of result.configs) {
      console.log(`${c.config}: DER ${(100 * c.der).toFixed(2)} % (pyannote ${(100 * totalDer(c.config)).toFixed(2)} %), collar 0.5 ${(100 * c.der05).toFixed(2)} %, JER ${(100 * c.jer).toFixed(2)} %, speakers exact ${c.speakerCountExact}/${c.clips.length}`);
      for (const x of c.clips) console.log(`  ${x.uri}: ${x.speakersFound} speakers (${x.referenceSpeakers} true), DER ${(100 * x.collar0.der).toFixed(2)} %, vs pyannote ${(100 * (x.derVsPyannote ?? Number.NaN)).toFixed(3)} % (${x.pyannoteTiedFrames} tied frames)`);
    }
  }, 900_000);

  it("network outputs on vis_03 and vis_long: log-probs within 5e-4 of PyTorch's CPU run, argmax equal on ≥ 99.9 % of frames, embeddings cosine ≥ 0.9999 for every active (chunk, speaker)", () => {
    expect(result.numerics.map((n) => n.uri).sort()).toEqual(["vis_03", "vis_long"]);
    for (const n of result.numerics) {
      expect(n.logProbMaxAbsDiff, n.uri).toBeLessThan(5e-4);
      expect(n.argmaxAgreement, n.uri).toBeGreaterThanOrEqual(0.999);
      expect(n.embeddingMinCosine, n.uri).toBeGreaterThanOrEqual(0.9999);
      console.log(`${n.uri}: log-prob max |Δ| ${n.logProbMaxAbsDiff.toExponential(2)}, argmax agreement ${(100 * n.argmaxAgreement).toFixed(3)} %, min cosine ${n.embeddingMinCosine.toFixed(7)} over ${n.activePairs} pairs`);
    }
  });

  it("finds pyannote's number of speakers on every clip, with both configurations", () => {
    for (const c of result.configs) for (const x of c.clips) expect(x.speakersFound, `${c.config} ${x.uri}`).toBe(refs.clips[x.uri].configs[c.config].labels.length);
  });

  it("differs from pyannote's output by ≤ 0.5 % DER on every clip (tied frames included: numpy 2's tie order is reproduced)", () => {
    for (const c of result.configs) for (const x of c.clips) expect(x.derVsPyannote, `${c.config} ${x.uri}`).toBeLessThanOrEqual(0.005);
  });

  it("scores within 0.5 points of pyannote's set-level DER against the ground truth (3.1: 8.70 %, community-1: 13.85 %)", () => {
    for (const c of result.configs) expect(Math.abs(c.der - totalDer(c.config)), c.config).toBeLessThanOrEqual(0.005);
  });
});
