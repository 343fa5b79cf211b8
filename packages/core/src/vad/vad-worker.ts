/**
 * The VAD worker thread: decodes a file (or takes transferred samples), runs Silero on
 * onnxruntime-node in this thread (one ORT thread, never MLX's), and transfers the samples back
 * with the speech timestamps. Loaded by `VadService`.
 */
import { parentPort } from "node:worker_threads";
import { loadAudio } from "../audio/load-audio.js";
import { SileroVadOnnx } from "./silero-onnx.js";
import { getSpeechTimestamps, type SpeechTimestamp, type SpeechTimestampOptions } from "./speech-timestamps.js";
import type { VadRequest, VadResponse } from "./vad-service.js";

const models = new Map<string, Promise<SileroVadOnnx>>();

async function handle(req: VadRequest): Promise<VadResponse> {
  const audio = req.audio ?? (await loadAudio(req.file as string));
  let timestamps: SpeechTimestamp[] | undefined;
  if (req.detect) {
    const key = req.modelPath ?? "";
    let model = models.get(key);
    if (!model) {
      model = SileroVadOnnx.load(req.modelPath);
      models.set(key, model);
    }
    const probs = await (await model).speechProbabilities(audio, 16000);
    timestamps = getSpeechTimestamps(probs, audio.length, req.options as SpeechTimestampOptions);
  }
  return { id: req.id, audio, timestamps };
}

parentPort?.on("message", (req: VadRequest) => {
  if (req.crash) process.exit(3); // for tests of worker restarts
  handle(req).then(
    (res) => parentPort?.postMessage(res, [res.audio!.buffer as ArrayBuffer]),
    (e: Error) => parentPort?.postMessage({ id: req.id, error: e.message } satisfies VadResponse),
  );
});
