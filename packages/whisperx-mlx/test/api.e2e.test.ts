/**
 * Acceptance: the public API alone reproduces the CLI's JSON for longform_000 on the default
 * path (VAD → batched ASR → alignment), byte for byte, in a handful of calls.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { align, DEMO_MODEL, loadAlignModel, loadAudio, loadModel, renderResult } from "whisperx-mlx";
import { SYNTH } from "./shared.js";

const CLI = fileURLToPath(new URL("../../cli/dist/whisperx.js", import.meta.url));
const LONGFORM = `${SYNTH}/audio/longform_000.wav`;

describe("whisperx-mlx public API", () => {
  it("reproduces the CLI's JSON for longform_000 (default path with alignment) exactly", async () => {
    const out = mkdtempSync(join(tmpdir(), "api-"));
    const cli = spawnSync(process.execPath, ["--expose-gc", CLI, LONGFORM, "-o", out, "-f", "json", "--verbose", "False"], { encoding: "utf8" });
    expect(cli.status, cli.stderr).toBe(0);

    const model = await loadModel(DEMO_MODEL);
    const audio = await loadAudio(LONGFORM);
    const result = await model.transcribe(audio, { batchSize: 8 });
    const alignModel = await loadAlignModel(result.language, { asrModel: model });
    const aligned = await align(result.segments, alignModel, audio);
    const json = renderResult({ ...aligned, language: result.language }, "json");
    await model.close();

    expect(json).toBe(readFileSync(join(out, "longform_000.json"), "utf8"));
    expect(aligned.segments.length).toBeGreaterThan(20);
  });

  it("reports progress for VAD, transcription and alignment, and takes a path as well as samples", async () => {
    const model = await loadModel(DEMO_MODEL, { language: "en" });
    const stages: string[] = [];
    const result = await model.transcribe(LONGFORM, { batchSize: 4, onProgress: (p) => stages.push(`${p.stage} ${p.done}/${p.total}`) });
    expect(stages).toEqual(["vad 0/1", "vad 1/1", "transcribe 4/6", "transcribe 6/6"]);
    const done: number[] = [];
    const aligned = await align(result.segments, await loadAlignModel("en", { asrModel: model }), LONGFORM, { onProgress: (d, t) => done.push(d / t) });
    expect(done[done.length - 1]).toBe(1);
    expect(done.length).toBe(result.segments.length + 1);
    expect(aligned.word_segments.length).toBeGreaterThan(300);
    await model.close();
  });

  it("batches the chunks of many short files together: every file's result as alone, failures in place, progress per batch", async () => {
    const model = await loadModel(DEMO_MODEL, { language: "en", asrOptions: { beamSize: 1 } });
    const dir = mkdtempSync(join(tmpdir(), "api-files-"));
    const broken = join(dir, "broken.wav");
    writeFileSync(broken, "RIFF not really");
    const clips = ["eval_000", "eval_001", "eval_002", "eval_003", "eval_004", "eval_005", "eval_006", "eval_007", "eval_008", "eval_009", "eval_010"].map((id) => `${SYNTH}/audio/${id}.wav`);
    const files = [...clips.slice(0, 4), broken, ...clips.slice(4)];
    const collect = async (crossFileBatches: boolean) => {
      const stages: string[] = [];
      const out = [];
      for await (const item of model.transcribeFiles(files, { crossFileBatches, onProgress: (p) => p.stage === "transcribe" && stages.push(`${p.done}/${p.total}`) })) out.push(item);
      return { out, stages };
    };
    const alone = await collect(false);
    const together = await collect(true);
    expect(together.out.map((i) => i.file)).toEqual(files);
    expect(together.out[4].ok).toBe(false);
    for (const [k, item] of together.out.entries()) {
      const a = alone.out[k];
      if (!item.ok || !a.ok) {
        expect([item.ok, a.ok, k]).toEqual([false, false, 4]);
        if (!item.ok) expect(item.error.message).toMatch(/^\S*broken\.wav: /);
        continue;
      }
      expect(item.result).toEqual(a.result);
      expect(item.seconds).toBeGreaterThan(0);
    }
    // Eleven one-chunk clips: one batch of 8 (gathered across 9 files, the broken one among them), then one of 3.
    expect(together.stages).toEqual(["8/8", "3/3"]);
    expect(alone.stages).toHaveLength(11);
    await model.close();
  });
});
