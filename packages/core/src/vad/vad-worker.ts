/**
 * The VAD worker thread: opens a file as `openAudioSamples` does (a WAV read in place, anything
 * else decoded to 16-bit PCM) or takes transferred float32 samples, runs Silero on
 * onnxruntime-node in this thread (one ORT thread, never MLX's), and hands the samples back with
 * the speech timestamps: a WAV's location, or the decoded samples transferred. Loaded by `VadService`.
 */
import { parentPort } from "node:worker_threads";
import { Pcm16Audio, type AudioSamples } from "../audio/audio-samples.js";
import { openAudioSamples } from "../audio/load-audio.js";
import { WavFileAudio } from "../audio/wav-file-audio.js";
import type { SileroVadOnnx } from "./silero-onnx.js";
import { getSpeechTimestamps, type SpeechTimestamp, type SpeechTimestampOptions } from "./speech-timestamps.js";
import type { VadRequest, VadResponse } from "./vad-service.js";

const models = new Map<string, Promise<SileroVadOnnx>>();

async function handle(req: VadRequest): Promise<VadResponse> {
  const audio: AudioSamples = req.audio ?? (await openAudioSamples(req.file as string));
  let timestamps: SpeechTimestamp[] | undefined;
  if (req.detect) {
    const key = req.modelPath ?? "";
    let model = models.get(key);
    if (!model) {
      // Imported on first use: a worker that only opens files (the engines' own Silero does the
      // detection) then never loads onnxruntime-node, ~15 MB and its start-up.
      model = import("./silero-onnx.js").then(({ SileroVadOnnx }) => SileroVadOnnx.load(req.modelPath));
      models.set(key, model);
    }
    const probs = await (await model).speechProbabilities(audio, 16000);
    timestamps = getSpeechTimestamps(probs, audio.length, req.options as SpeechTimestampOptions);
  }
  if (audio instanceof WavFileAudio) return { id: req.id, wav: audio.location, timestamps };
  if (audio instanceof Pcm16Audio) return { id: req.id, pcm: audio.pcm, timestamps };
  return { id: req.id, audio: req.audio, timestamps };
}

parentPort?.on("message", (req: VadRequest) => {
  if (req.crash) process.exit(3); // for tests of worker restarts
  handle(req).then(
    (res) => {
      const samples = res.pcm ?? res.audio;
      parentPort?.postMessage(res, samples ? [samples.buffer as ArrayBuffer] : []);
    },
    (e: Error) => parentPort?.postMessage({ id: req.id, error: e.message } satisfies VadResponse),
  );
});
