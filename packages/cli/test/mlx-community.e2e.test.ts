/**
 * mlx-community directories: `weights.npz` written by numpy exactly as mlx_whisper's converter
 * wrote it (fixtures/tools/mlx_community_npz.py), and 4-bit `weights.safetensors` as
 * `convert.py -q` writes it. On the VAD + batched path over the 37 visible clips, the npz
 * directory transcribes exactly as our own conversion of the same checkpoint, on both engines;
 * the 4-bit one stays within the WER the bench reports for 4-bit weights (plus the 2 points the
 * gate allows for "accuracy kept"; MLX's affine 4-bit and ONNX Runtime's int4 round differently).
 * The 4-bit directory runs on ONNX Runtime here; on MLX it is covered by quantized-runtime.test.ts.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wordErrorRate } from "@whisperx-mlx/bench";
import { convertModel } from "@whisperx-mlx/convert";
import { loadAudio, loadModel, type AsrPipeline } from "whisperx-mlx";
import { SYNTH } from "./shared.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const OURS = join(ROOT, "fixtures/models/synth-whisper-256-mlx");
const refs = JSON.parse(readFileSync(`${SYNTH}/refs.json`, "utf8")) as { clips: { id: string; ground_truth: string }[] };
const baseline = JSON.parse(readFileSync(join(ROOT, "reports/baseline.json"), "utf8")) as { figures: { id: string; value: number }[] };
/** The WER the bench reports for 4-bit weights on the same 37 clips (ONNX Runtime's int4). */
const Q4_WER = baseline.figures.find((f) => f.id === "wer/onnx-int4:all")?.value as number;

async function transcripts(model: AsrPipeline): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const c of refs.clips) {
    const r = await model.transcribe(await loadAudio(`${SYNTH}/audio/${c.id}.wav`), { batchSize: 8 });
    out.set(c.id, r.segments.map((s) => s.text).join(""));
  }
  await model.close();
  return out;
}

describe("mlx-community directories", () => {
  const root = mkdtempSync(join(tmpdir(), "wx-mlxc-"));
  const npzDir = join(root, "whisper-synth-mlx");
  const q4Dir = join(root, "whisper-synth-mlx-4bit");
  const previousCache = process.env.XDG_CACHE_HOME;
  beforeAll(() => {
    process.env.XDG_CACHE_HOME = join(root, "cache");
    execFileSync("python3", [join(ROOT, "fixtures/tools/mlx_community_npz.py"), OURS, npzDir]);
    convertModel({ family: "whisper", torchNameOrPath: `${SYNTH}/synth-whisper-256.pt`, mlxPath: q4Dir, quantize: { bits: 4, groupSize: 64 } });
  });
  afterAll(() => {
    if (previousCache === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = previousCache;
  });

  it.each(["onnx", "mlx"] as const)("%s: weights.npz transcribes the 37 clips exactly as our conversion", async (backend) => {
    expect(existsSync(join(npzDir, "weights.npz"))).toBe(true);
    const options = { backend, language: "en", asrOptions: { beamSize: 1 } } as const;
    const ours = await transcripts(await loadModel(OURS, options));
    const npz = await transcripts(await loadModel(npzDir, options));
    const differing = refs.clips.filter((c) => npz.get(c.id) !== ours.get(c.id)).map((c) => c.id);
    expect(differing).toEqual([]);

    console.log(`${backend}: weights.npz ${refs.clips.length - differing.length}/${refs.clips.length} clips identical`);
  });

  it("onnx: 4-bit weights.safetensors stays within the reported 4-bit WER", async () => {
    const q4 = await transcripts(await loadModel(q4Dir, { backend: "onnx", language: "en", asrOptions: { beamSize: 1 } }));
    const wer = wordErrorRate(refs.clips.map((c): [string, string] => [c.ground_truth, q4.get(c.id) ?? ""])).wer;
    console.log(`4-bit (MLX affine, group 64): WER ${(100 * wer).toFixed(1)} % (reported 4-bit: ${(100 * Q4_WER).toFixed(1)} %)`);
    expect(Q4_WER).toBeGreaterThan(0);
    expect(wer).toBeLessThanOrEqual(Q4_WER + 0.02);
  });
});
