/**
 * torchaudio's wav2vec2 ASR bundles WhisperX uses, from synthetic checkpoints in the bundles' own
 * format (fixtures/torchaudio, written by torchaudio; fixtures/tools/torchaudio_synthetic.py):
 * found in torch's hub cache, converted, and run on both engines against torchaudio's emissions.
 * And every aligner of WhisperX's default table resolves to a loader.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alignModelSource, DEFAULT_ALIGN_MODELS, loadAlignModel, loadAudio, TORCHAUDIO_BUNDLES } from "../src/index.js";

const FIXTURES = fileURLToPath(new URL("../../../fixtures/", import.meta.url));
interface BundleRef {
  file: string;
  labels: string[];
  normalizeWaveform: boolean;
  frames: number;
  vocab: number;
  emissions: string;
}
const refs = JSON.parse(readFileSync(join(FIXTURES, "torchaudio", "refs.json"), "utf8")) as { bundles: Record<string, BundleRef> };
const saved = { TORCH_HOME: process.env.TORCH_HOME, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME, WHISPERX_TORCHAUDIO_URL: process.env.WHISPERX_TORCHAUDIO_URL };

describe("torchaudio bundles from synthetic checkpoints in their own format", () => {
  let audio: Float32Array;
  beforeAll(async () => {
    const home = mkdtempSync(join(tmpdir(), "wx-torch-home-"));
    mkdirSync(join(home, "hub", "checkpoints"), { recursive: true });
    for (const r of Object.values(refs.bundles)) copyFileSync(join(FIXTURES, "torchaudio", r.file), join(home, "hub", "checkpoints", r.file));
    process.env.TORCH_HOME = home;
    process.env.XDG_CACHE_HOME = mkdtempSync(join(tmpdir(), "wx-cache-"));
    // Nothing may be fetched: the checkpoints are in torch's cache already.
    process.env.WHISPERX_TORCHAUDIO_URL = "http://127.0.0.1:9/unreachable";
    audio = (await loadAudio(join(FIXTURES, "audio", "sample.wav"))).subarray(0, 3 * 16000);
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  });

  for (const [bundle, ref] of Object.entries(refs.bundles)) {
    for (const backend of ["onnx", "mlx"] as const) {
      it(`${bundle} on ${backend}: torchaudio's labels and emissions (within 1e-3)`, async () => {
        const model = await loadAlignModel("de", { modelName: bundle, backend });
        expect(model.vocab).toEqual(ref.labels);
        const e = await model.emissions(audio);
        expect([e.frames, e.vocab]).toEqual([ref.frames, ref.vocab]);
        const bytes = Buffer.from(ref.emissions, "base64");
        const want = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
        let worst = 0;
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(e.data[i] - want[i]));
        expect(worst, `${bundle} ${backend}`).toBeLessThanOrEqual(1e-3);
      }, 60_000);
    }
  }
});

describe("WhisperX's default aligner table", () => {
  it("every entry resolves to a loader: a known torchaudio bundle or a Hub repo", () => {
    const kinds = Object.entries(DEFAULT_ALIGN_MODELS).map(([lang, name]) => [lang, alignModelSource(name).kind]);
    expect(kinds.filter(([, k]) => k !== "torchaudio" && k !== "hub")).toEqual([]);
    for (const lang of ["en", "fr", "de", "es", "it"]) expect(alignModelSource(DEFAULT_ALIGN_MODELS[lang]).kind, lang).toBe("torchaudio");
    expect(Object.keys(DEFAULT_ALIGN_MODELS)).toHaveLength(41);
  });

  it("knows the README's WAV2VEC2_ASR_LARGE_LV60K_960H and refuses unknown bundles by name", () => {
    expect(alignModelSource("WAV2VEC2_ASR_LARGE_LV60K_960H")).toEqual({ kind: "torchaudio", bundle: "WAV2VEC2_ASR_LARGE_LV60K_960H", file: TORCHAUDIO_BUNDLES.WAV2VEC2_ASR_LARGE_LV60K_960H.file });
    expect(() => alignModelSource("torchaudio:HUBERT_ASR_XLARGE")).toThrow(/not a torchaudio wav2vec2 ASR bundle this build knows/);
  });
});
