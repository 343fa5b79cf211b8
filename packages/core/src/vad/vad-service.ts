/**
 * Runs audio decoding and Silero VAD (onnxruntime-node) in a `worker_threads` Worker, so that
 * for many files the next file is decoded and segmented while MLX transcribes the current one.
 *
 * A worker thread rather than a child process: samples move as transferred ArrayBuffers (no
 * copy, no serialization: a decoded 10-minute file is 19 MB of int16), start-up is ~30 ms instead of a
 * second node process, and ONNX Runtime still keeps its own thread pool (one thread) apart
 * from MLX's. If the worker dies, pending requests fail with a clear error and the next request
 * starts a fresh worker.
 */
import { Worker } from "node:worker_threads";
import { Pcm16Audio, type AudioSamples } from "../audio/audio-samples.js";
import { WavFileAudio, type WavSamplesLocation } from "../audio/wav-file-audio.js";
import type { SpeechTimestamp, SpeechTimestampOptions } from "./speech-timestamps.js";

/** A request to the worker. */
export interface VadRequest {
  id: number;
  file?: string;
  audio?: Float32Array;
  detect: boolean;
  options?: SpeechTimestampOptions;
  modelPath?: string;
  crash?: boolean;
}

/** The worker's answer. */
export interface VadResponse {
  id: number;
  /** The samples sent (in-memory requests). */
  audio?: Float32Array;
  /** A decoded file (file requests for anything but a 16 kHz 16-bit mono WAV). */
  pcm?: Int16Array;
  /** A WAV file's samples, read in place (file requests). */
  wav?: WavSamplesLocation;
  timestamps?: SpeechTimestamp[];
  error?: string;
}

/** Decoded audio with its speech regions (samples at 16 kHz). */
export interface VadResult {
  audio: AudioSamples;
  timestamps?: SpeechTimestamp[];
}

/** Thrown when the worker reports an error or dies. */
export class VadWorkerError extends Error {}

/** A VAD worker with a request queue and restart on crash. */
export class VadService {
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: VadResult) => void; reject: (e: Error) => void }>();
  /** How many times a worker was (re)started. */
  starts = 0;

  constructor(private readonly options: { modelPath?: string } = {}) {}

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(new URL("./vad-worker.js", import.meta.url));
    this.starts++;
    w.on("message", (res: VadResponse) => {
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      if (res.error !== undefined) p.reject(new VadWorkerError(res.error));
      else p.resolve({ audio: res.wav ? new WavFileAudio(res.wav) : res.pcm ? new Pcm16Audio(res.pcm) : (res.audio as Float32Array), timestamps: res.timestamps });
    });
    const fail = (why: string) => {
      if (this.worker === w) this.worker = undefined;
      for (const [id, p] of this.pending) {
        p.reject(new VadWorkerError(why));
        this.pending.delete(id);
      }
    };
    w.on("error", (e) => fail(`VAD worker crashed (${e.message})`));
    w.on("exit", (code) => fail(`VAD worker exited with code ${code}`));
    // The worker must not keep the process alive when idle.
    w.unref();
    this.worker = w;
    return w;
  }

  private request(req: Omit<VadRequest, "id">, transfer: ArrayBuffer[] = []): Promise<VadResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const w = this.ensureWorker();
      w.ref();
      const done = () => {
        if (this.pending.size === 0) this.worker?.unref();
      };
      this.pending.set(id, {
        resolve: (r) => (resolve(r), done()),
        reject: (e) => (reject(e), done()),
      });
      w.postMessage({ ...req, id, modelPath: this.options.modelPath }, transfer);
    });
  }

  /** Decodes `file` in the worker; with `detect`, also returns its speech timestamps. */
  loadAndDetect(file: string, options: SpeechTimestampOptions | undefined, detect = true): Promise<VadResult> {
    return this.request({ file, detect, options });
  }

  /** Speech timestamps of in-memory audio; the samples are transferred and handed back. */
  detect(audio: Float32Array, options?: SpeechTimestampOptions): Promise<VadResult> {
    return this.request({ audio, detect: true, options }, [audio.buffer as ArrayBuffer]);
  }

  /** Makes the worker exit (tests use it to check restarts). */
  crashWorkerForTest(): Promise<VadResult> {
    return this.request({ detect: false, crash: true });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}
