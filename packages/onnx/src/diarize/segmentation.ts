/**
 * PyanNet on ONNX Runtime: the graph is built in memory from the converted weights when the model
 * loads (5.9 MB, well under a second), batched over windows.
 */
import { join } from "node:path";
import { pyannetGraph, readSafetensors } from "@whisperx-mlx/convert";
import type { SegmentationModel, SegmentationModelConfig } from "@whisperx-mlx/core";
import { readModelConfig } from "../model-config.js";
import { openSession, ort, runSession, type SessionOptions } from "../session.js";

export class PyannetOnnx implements SegmentationModel {
  private constructor(
    readonly config: SegmentationModelConfig,
    private readonly session: ort.InferenceSession,
  ) {}

  static async load(dir: string, options: SessionOptions = {}): Promise<PyannetOnnx> {
    const config = readModelConfig<SegmentationModelConfig>(dir, "pyannet");
    const graph = pyannetGraph(config, readSafetensors(join(dir, "weights.safetensors")));
    const session = await openSession(graph.toBytes(), { role: "pyannet", inputs: ["chunks"], outputs: ["log_probs"] }, { ...options, name: `${dir} (PyanNet graph)` });
    return new PyannetOnnx(config, session);
  }

  async logProbabilities(windows: Float32Array, count: number): Promise<Float32Array> {
    const samples = windows.length / count;
    const out = await runSession(this.session, "PyanNet graph", { chunks: new ort.Tensor("float32", windows, [count, samples]) });
    return out.log_probs.data as Float32Array;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
