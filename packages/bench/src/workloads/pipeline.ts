/**
 * The real-model workload: the bundled synthetic Whisper end to end through the same pipeline
 * object the CLI uses (Silero VAD → 30 s chunks → batched decoding → wav2vec2 alignment), each
 * stage timed through its own method, with the peak RSS of the run.
 */
import { align, loadAlignModel, loadAudio, loadModel, type AsrPipeline, type ComputeType, type EngineName, type LoadedAlignModel } from "whisperx-mlx";
import { peakRssMb, resetPeakRss } from "../rtf.js";

/** Model directories of the pipeline. */
export interface PipelineModels {
  whisper: string;
  align: string;
}

/** Seconds per stage of one end-to-end run. */
export interface StageSeconds {
  vad: number;
  asr: number;
  align: number;
  total: number;
}

/** The engines the pipeline can run on (the VAD is Silero on ONNX Runtime in a worker thread for both, as in the CLI). */
export type PipelineEngine = EngineName;

/** One end-to-end run over one audio input. */
export interface PipelineResult {
  engine: PipelineEngine;
  name: string;
  audioSeconds: number;
  batchSize: number;
  chunks: number;
  stages: StageSeconds;
  /** Real-time factor per stage and in total (audio seconds / stage seconds). */
  rtf: StageSeconds;
  /** Total seconds of every repetition (the stages above are from the fastest). */
  totalSamples: number[];
  /** Peak RSS of the process during this run, MB. */
  peakRssMb: number;
  text: string;
}

/** Loaded models, shared by several runs. */
export class PipelineRunner {
  private constructor(
    readonly engine: PipelineEngine,
    readonly pipeline: AsrPipeline,
    readonly aligner: LoadedAlignModel,
  ) {}

  /**
   * Loads the models on `engine` through the public API (ONNX graphs are built from the MLX
   * directories on first use). `beamSize` 1 (default) is greedy, the decoding the end-to-end
   * figures have always measured; WhisperX's default, 5, is measured beside it.
   */
  static async load(models: PipelineModels, engine: PipelineEngine = "mlx", computeType: ComputeType = "default", beamSize = 1): Promise<PipelineRunner> {
    const pipeline = await loadModel(models.whisper, { backend: engine, computeType, language: "en", asrOptions: { beamSize } });
    const aligner = await loadAlignModel("en", { modelName: models.align, backend: engine });
    return new PipelineRunner(engine, pipeline, aligner);
  }

  /** VAD → chunks → batched ASR (no alignment): the transcript of a file, for WER. */
  async transcribe(audio: Float32Array, batchSize = 8): Promise<string> {
    const r = await this.pipeline.transcribe(audio, { batchSize });
    return r.segments.map((s) => s.text).join(" ");
  }

  /** Warms every stage up on a few seconds of `audio` (worker start, compilation, allocator), untimed. */
  async warmUp(audio: Float32Array): Promise<void> {
    const piece = audio.subarray(0, Math.min(audio.length, 16000 * 8));
    await this.pipeline.detectSpeech(piece);
    const r = await this.pipeline.transcribeChunks(piece, [{ start: 0, end: piece.length / 16000, segments: [[0, piece.length / 16000]] }], { batchSize: 1 });
    if (r.segments.length) await align(r.segments, this.aligner, piece);
  }

  /** `repeats` timed end-to-end runs; the stages reported are those of the fastest. */
  async run(name: string, audio: Float32Array, repeats = 1, batchSize = 8): Promise<PipelineResult> {
    const runs: PipelineResult[] = [];
    for (let i = 0; i < repeats; i++) runs.push(await this.runOnce(name, audio, batchSize));
    const best = runs.reduce((a, b) => (b.stages.total < a.stages.total ? b : a));
    return { ...best, totalSamples: runs.map((r) => r.stages.total), peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)) };
  }

  private async runOnce(name: string, audio: Float32Array, batchSize: number): Promise<PipelineResult> {
    resetPeakRss();
    const t0 = performance.now();
    const chunks = await this.pipeline.detectSpeech(audio);
    const t1 = performance.now();
    const asr = await this.pipeline.transcribeChunks(audio, chunks, { batchSize });
    const t2 = performance.now();
    if (asr.segments.length) await align(asr.segments, this.aligner, audio);
    const t3 = performance.now();
    const stages = { vad: (t1 - t0) / 1000, asr: (t2 - t1) / 1000, align: (t3 - t2) / 1000, total: (t3 - t0) / 1000 };
    const audioSeconds = audio.length / 16000;
    const rtf = { vad: audioSeconds / stages.vad, asr: audioSeconds / stages.asr, align: audioSeconds / stages.align, total: audioSeconds / stages.total };
    return { engine: this.engine, name, audioSeconds, batchSize, chunks: chunks.length, stages, rtf, totalSamples: [stages.total], peakRssMb: await peakRssMb(), text: asr.segments.map((s) => s.text).join(" ") };
  }

  /** Stops the pipeline's VAD worker. */
  async close(): Promise<void> {
    await this.pipeline.close();
  }
}

/** Concatenates files (with 0.5 s of silence between them) until at least `minSeconds` of audio. */
export async function concatenateAudio(files: string[], minSeconds: number): Promise<Float32Array> {
  return (await concatenateClips(files, minSeconds)).audio;
}

/** `concatenateAudio`, also giving which file (index into `files`) each part was, in order. */
export async function concatenateClips(files: string[], minSeconds: number): Promise<{ audio: Float32Array; order: number[] }> {
  const clips = await Promise.all(files.map((f) => loadAudio(f)));
  const gap = 8000;
  const parts: Float32Array[] = [];
  const order: number[] = [];
  let n = 0;
  for (let i = 0; n < minSeconds * 16000; i = (i + 1) % clips.length) {
    parts.push(clips[i], new Float32Array(gap));
    order.push(i);
    n += clips[i].length + gap;
  }
  const audio = new Float32Array(n);
  let o = 0;
  for (const p of parts) {
    audio.set(p, o);
    o += p.length;
  }
  return { audio, order };
}
