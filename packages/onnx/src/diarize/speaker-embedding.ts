/** WeSpeaker ResNet34 on ONNX Runtime: trunk once per window, pooling per speaker, in one graph built at load. */
import { join } from "node:path";
import { readSafetensors, wespeakerGraph } from "@whisperx-mlx/convert";
import { resnetOutputFrames, type SpeakerEmbeddingModel, type SpeakerEmbeddingModelConfig } from "@whisperx-mlx/core";
import { openSession, ort, runSession, type SessionOptions } from "../session.js";
import { readModelConfig } from "../model-config.js";

export class WeSpeakerOnnx implements SpeakerEmbeddingModel {
  private constructor(
    readonly config: SpeakerEmbeddingModelConfig,
    private readonly session: ort.InferenceSession,
  ) {}

  static async load(dir: string, options: SessionOptions = {}): Promise<WeSpeakerOnnx> {
    const config = readModelConfig<SpeakerEmbeddingModelConfig>(dir, "wespeaker-resnet34");
    const graph = wespeakerGraph(config, readSafetensors(join(dir, "weights.safetensors")));
    const session = await openSession(graph.toBytes(), { role: "wespeaker", inputs: ["fbank", "weights"], outputs: ["embeddings"] }, { ...options, name: `${dir} (WeSpeaker graph)` });
    return new WeSpeakerOnnx(config, session);
  }

  outputFrames(fbankFrames: number): number {
    return resnetOutputFrames(fbankFrames);
  }

  async embed(fbank: Float32Array, count: number, fbankFrames: number, weights: Float32Array, speakers: number): Promise<Float32Array> {
    const feeds = {
      fbank: new ort.Tensor("float32", fbank, [count, fbankFrames, this.config.num_mel_bins]),
      weights: new ort.Tensor("float32", weights, [count, speakers, this.outputFrames(fbankFrames)]),
    };
    const out = await runSession(this.session, "WeSpeaker graph", feeds);
    return out.embeddings.data as Float32Array;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
