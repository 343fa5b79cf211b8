/**
 * Sequential transcription on the ONNX backend (graphs built from the bundled MLX model through
 * the graph cache) against openai-whisper's transcripts of all 37 visible clips.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { loadAudio, transcribe } from "@whisperx-mlx/core";
import { fileSha256 } from "@whisperx-mlx/convert";
import { OnnxWhisperBackend, weightsSha256 } from "../src/index.js";
import { SYNTH } from "./shared.js";

const BUNDLED = fileURLToPath(new URL("../../../fixtures/models/synth-whisper-256-mlx", import.meta.url));
interface Ref { id: string; transcribe: { text: string; segments: { start: number; end: number; tokens: number[] }[] } }
const refs = JSON.parse(readFileSync(`${SYNTH}/refs.json`, "utf8")) as { clips: Ref[] };

describe("transcribe on ONNX Runtime", () => {
  let backend: OnnxWhisperBackend;
  let model: string;
  const built: string[] = [];
  beforeAll(async () => {
    // A private copy of the MLX model, so the graph cache is built inside the test's directory.
    model = join(mkdtempSync(join(tmpdir(), "wx-onnx-tr-")), "model");
    mkdirSync(model);
    for (const f of ["config.json", "weights.safetensors"]) copyFileSync(join(BUNDLED, f), join(model, f));
    backend = await OnnxWhisperBackend.load(model, { onBuild: (m) => built.push(m) });
  });

  it("builds the graphs once from the MLX directory, then reuses them", async () => {
    expect(built).toHaveLength(1);
    expect(built[0]).toMatch(/building ONNX graphs .* \(once\)/);
    await OnnxWhisperBackend.load(model, { onBuild: (m) => built.push(m) });
    expect(built).toHaveLength(1);
    // The weights sit in external data files (mapped, not parsed), so a graph cached inline is stale.
    const cached = join(model, ".onnx-cache", readdirSync(join(model, ".onnx-cache")).find((d) => d !== "source.json")!);
    expect(readdirSync(cached).sort()).toEqual(["decoder.onnx", "decoder.onnx.data", "encoder.onnx", "encoder.onnx.data", "mel.onnx", "onnx.json"]);
    rmSync(join(cached, "decoder.onnx.data"));
    await OnnxWhisperBackend.load(model, { onBuild: (m) => built.push(m) });
    expect(built).toHaveLength(2);
  });

  it("remembers the weights' hash under their size, mtime and inode, and hashes a rewritten file again", () => {
    const weights = join(model, "weights.safetensors");
    const memo = join(model, ".onnx-cache", "source.json");
    const real = fileSha256(weights);
    expect(weightsSha256(model)).toBe(real);
    const stamp = JSON.parse(readFileSync(memo, "utf8")) as { sha256: string };
    expect(stamp.sha256).toBe(real);
    // The memo is what is read while the stamp holds…
    writeFileSync(memo, JSON.stringify({ ...stamp, sha256: "ab".repeat(32) }));
    expect(weightsSha256(model)).toBe("ab".repeat(32));
    // …and a new mtime means the file is hashed again.
    utimesSync(weights, new Date(), new Date(Date.now() + 5000));
    expect(weightsSha256(model)).toBe(real);
  });

  it("gives openai-whisper's transcripts on at least 35 of the 37 visible clips", async () => {
    const differing: string[] = [];
    for (const c of refs.clips) {
      const r = await transcribe(backend, await loadAudio(`${SYNTH}/audio/${c.id}.wav`), { language: "en", temperature: 0, conditionOnPreviousText: false });
      const same =
        r.text === c.transcribe.text &&
        r.segments.length === c.transcribe.segments.length &&
        r.segments.every((s, i) => Math.abs(s.start - c.transcribe.segments[i].start) < 1e-6 && Math.abs(s.end - c.transcribe.segments[i].end) < 1e-6);
      if (!same) differing.push(c.id);
    }
    console.log(`ONNX: ${refs.clips.length - differing.length}/${refs.clips.length} clips identical${differing.length ? ` (differ: ${differing.join(", ")})` : ""}`);
    expect(refs.clips.length - differing.length).toBeGreaterThanOrEqual(35);
  });
});
