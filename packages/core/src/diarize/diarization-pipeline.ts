/**
 * Speaker diarization as pyannote's `SpeakerDiarization` pipeline runs it (speaker-diarization-3.1
 * and community-1), on any engine: sliding 10 s windows through the segmentation network, powerset
 * decoding, overlap-aware masks, the embedding network's trunk once per window with per-speaker
 * pooling, then core's clustering and reconstruction. WhisperX's `DiarizationPipeline`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AudioSamples } from "../audio/audio-samples.js";
import type { EngineLoadOptions, InferenceEngine } from "../pipeline/engine.js";
import { progressOf, type ProgressCallback } from "../pipeline/progress.js";
import { SlidingWindow, type ChunkSegmentations } from "./frames.js";
import type { ChunkEmbeddings } from "./embeddings.js";
import type { DiarizationConfig } from "./diarization-config.js";
import type { PldaParameters } from "./plda.js";
import type { SegmentationModel, SpeakerEmbeddingModel } from "./diarization-models.js";
import { decodePowerset, powersetClasses } from "./powerset.js";
import { KaldiFbank, fbankFrameCount } from "./kaldi-fbank.js";
import { diarizeFromEmbeddings, type Diarization, type SpeakerCountOptions } from "./speaker-diarization.js";

/** Thrown for a diarization model directory that cannot be used; one line naming it. */
export class DiarizationModelError extends Error {
  override name = "DiarizationModelError";
}

/** `config.json` of a converted pipeline (`pnpm convert pyannote`). */
export interface DiarizationPipelineConfig {
  model_type: "pyannote-diarization";
  segmentation: string;
  embedding: string;
  segmentation_step: number;
  segmentation_batch_size: number;
  embedding_batch_size: number;
  embedding_exclude_overlap: boolean;
  min_duration_off: number;
  clustering: { method: "vbx"; threshold: number; Fa: number; Fb: number; plda: string } | { method: "agglomerative"; threshold: number; min_cluster_size: number };
}

/** Options of {@link DiarizationPipeline.diarize}. */
export interface DiarizeOptions extends SpeakerCountOptions {
  /** Also return one embedding per speaker (the clusters' centroids), as WhisperX's `return_embeddings`. */
  returnEmbeddings?: boolean;
  /** Progress of the two network stages (windows segmented, then windows embedded). */
  onProgress?: ProgressCallback;
}

/** Seconds spent per stage of the last `diarize` call. */
export interface DiarizationTimings {
  segmentation: number;
  fbank: number;
  embeddings: number;
  clustering: number;
}

/** Windows per network call: bounds activation memory (the Sinc conv output of a 10 s window is 5 MB; the ResNet's first stage 10 MB). */
const SEGMENTATION_BATCH = 16;
const EMBEDDING_BATCH = 8;

function readJson<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch (e) {
    throw new DiarizationModelError(`${file}: cannot read (${(e as Error).message.split("\n")[0]})`);
  }
}

/** The pipeline's config with the PLDA loaded, in the shape core's clustering takes. */
export function readDiarizationConfig(dir: string): { pipeline: DiarizationPipelineConfig; config: DiarizationConfig } {
  const pipeline = readJson<DiarizationPipelineConfig>(join(dir, "config.json"));
  if (pipeline.model_type !== "pyannote-diarization") throw new DiarizationModelError(`${join(dir, "config.json")}: not a converted diarization pipeline (model_type '${String(pipeline.model_type)}'; convert one with pnpm convert pyannote)`);
  const c = pipeline.clustering;
  let config: DiarizationConfig;
  if (c.method === "vbx") {
    const raw = readJson<Record<keyof PldaParameters, number[]>>(join(dir, c.plda));
    const plda: PldaParameters = { mean1: Float64Array.from(raw.mean1), mean2: Float64Array.from(raw.mean2), lda: Float64Array.from(raw.lda), mu: Float64Array.from(raw.mu), transform: Float64Array.from(raw.transform), phi: Float64Array.from(raw.phi) };
    config = { clustering: { method: "vbx", params: { threshold: c.threshold, Fa: c.Fa, Fb: c.Fb }, plda }, embeddingExcludeOverlap: pipeline.embedding_exclude_overlap, minDurationOff: pipeline.min_duration_off };
  } else {
    config = { clustering: { method: "agglomerative", params: { threshold: c.threshold, minClusterSize: c.min_cluster_size } }, embeddingExcludeOverlap: pipeline.embedding_exclude_overlap, minDurationOff: pipeline.min_duration_off };
  }
  return { pipeline, config };
}

/** The window grid over `numSamples` (pyannote's `Inference.slide`): full windows, plus a zero-padded last one. */
export function segmentationWindows(numSamples: number, windowSamples: number, stepSamples: number): { count: number; starts: number[] } {
  const full = numSamples >= windowSamples ? Math.floor((numSamples - windowSamples) / stepSamples) + 1 : 0;
  const hasLast = numSamples < windowSamples || (numSamples - windowSamples) % stepSamples > 0;
  const starts = Array.from({ length: full + (hasLast ? 1 : 0) }, (_, c) => c * stepSamples);
  return { count: starts.length, starts };
}

/** A loaded diarization pipeline: two networks on an engine, plus the clustering config. */
export class DiarizationPipeline {
  /** Per-stage seconds of the last {@link diarize}. */
  timings: DiarizationTimings = { segmentation: 0, fbank: 0, embeddings: 0, clustering: 0 };
  private readonly fbank: KaldiFbank;

  private constructor(
    readonly config: DiarizationConfig,
    readonly pipelineConfig: DiarizationPipelineConfig,
    readonly segmentation: SegmentationModel,
    readonly embedding: SpeakerEmbeddingModel,
  ) {
    this.fbank = new KaldiFbank(embedding.config.num_mel_bins);
  }

  /** Loads a converted pipeline directory on `engine`. */
  static async load(dir: string, engine: InferenceEngine, options: EngineLoadOptions = {}): Promise<DiarizationPipeline> {
    const { pipeline, config } = readDiarizationConfig(dir);
    const segmentation = await engine.loadSegmentation(join(dir, pipeline.segmentation), options);
    const embedding = await engine.loadSpeakerEmbedding(join(dir, pipeline.embedding), options);
    return new DiarizationPipeline(config, pipeline, segmentation, embedding);
  }

  private get windowSamples(): number {
    const c = this.segmentation.config;
    return Math.round(c.duration * c.sample_rate);
  }

  private get stepSamples(): number {
    const c = this.segmentation.config;
    return Math.round(this.pipelineConfig.segmentation_step * c.duration * c.sample_rate);
  }

  private window(audio: AudioSamples, start: number): Float32Array {
    const w = new Float32Array(this.windowSamples);
    w.set(audio.subarray(start, Math.min(audio.length, start + this.windowSamples)));
    return w;
  }

  /** Raw log-probabilities of every window (C × frames × classes), and the hard local-speaker activity. */
  async segment(audio: AudioSamples, onProgress?: ProgressCallback): Promise<{ segmentations: ChunkSegmentations; logProbs: Float32Array }> {
    const c = this.segmentation.config;
    const { count, starts } = segmentationWindows(audio.length, this.windowSamples, this.stepSamples);
    const frames = c.num_frames;
    const logProbs = new Float32Array(count * frames * c.num_classes);
    const classes = powersetClasses(c.num_speakers, c.powerset_max_classes);
    const data = new Uint8Array(count * frames * c.num_speakers);
    for (let b = 0; b < count; b += SEGMENTATION_BATCH) {
      const n = Math.min(SEGMENTATION_BATCH, count - b);
      const batch = new Float32Array(n * this.windowSamples);
      for (let i = 0; i < n; i++) batch.set(this.window(audio, starts[b + i]), i * this.windowSamples);
      const out = await this.segmentation.logProbabilities(batch, n);
      logProbs.set(out, b * frames * c.num_classes);
      for (let i = 0; i < n; i++) decodePowerset(out, frames, classes, c.num_speakers, data, (b + i) * frames * c.num_speakers, i * frames * c.num_classes);
      onProgress?.(progressOf("diarize", b + n, 2 * count));
    }
    const step = this.pipelineConfig.segmentation_step * c.duration;
    return { segmentations: { numChunks: count, numFrames: frames, numSpeakers: c.num_speakers, data, chunks: new SlidingWindow(0, c.duration, step) }, logProbs };
  }

  /**
   * One embedding per (window, local speaker), pooled over the frames where the speaker is active
   * (alone, when `embedding_exclude_overlap` and at least 2 such frames exist). Windows where nobody
   * speaks are skipped (their embeddings are NaN; clustering never reads them).
   */
  async embed(audio: AudioSamples, segmentations: ChunkSegmentations, onProgress?: ProgressCallback): Promise<ChunkEmbeddings> {
    const { numChunks, numFrames, numSpeakers, data } = segmentations;
    const dimension = this.embedding.config.embedding_dimension;
    const out = new Float32Array(numChunks * numSpeakers * dimension).fill(Number.NaN);
    const windowSamples = this.windowSamples;
    const fbankFrames = fbankFrameCount(windowSamples);
    const outFrames = this.embedding.outputFrames(fbankFrames);
    const minNumFrames = this.config.embeddingExcludeOverlap ? Math.ceil((numFrames * this.embedding.config.min_num_samples) / windowSamples) : -1;
    // torch's nearest interpolation: src = floor(dst · (float)in/out).
    const scale = Math.fround(numFrames / outFrames);
    const source = Int32Array.from({ length: outFrames }, (_, i) => Math.min(numFrames - 1, Math.floor(Math.fround(i * scale))));
    const active = [...Array(numChunks).keys()].filter((c) => {
      for (let i = 0; i < numFrames * numSpeakers; i++) if (data[c * numFrames * numSpeakers + i]) return true;
      return false;
    });
    const mel = this.embedding.config.num_mel_bins;
    for (let b = 0; b < active.length; b += EMBEDDING_BATCH) {
      const chunks = active.slice(b, b + EMBEDDING_BATCH);
      const fbank = new Float32Array(chunks.length * fbankFrames * mel);
      const weights = new Float32Array(chunks.length * numSpeakers * outFrames);
      const t0 = performance.now();
      chunks.forEach((c, i) => {
        const w = this.window(audio, Math.round(c * segmentations.chunks.step * this.segmentation.config.sample_rate));
        for (let j = 0; j < w.length; j++) w[j] *= 32768;
        fbank.set(this.fbank.compute(w), i * fbankFrames * mel);
        for (let s = 0; s < numSpeakers; s++) {
          const mask = new Float32Array(numFrames);
          const clean = new Float32Array(numFrames);
          let cleanSum = 0;
          for (let f = 0; f < numFrames; f++) {
            const base = (c * numFrames + f) * numSpeakers;
            let overlap = 0;
            for (let k = 0; k < numSpeakers; k++) overlap += data[base + k];
            mask[f] = data[base + s];
            clean[f] = overlap < 2 ? mask[f] : 0;
            cleanSum += clean[f];
          }
          const used = cleanSum > minNumFrames ? clean : mask;
          for (let f = 0; f < outFrames; f++) weights[(i * numSpeakers + s) * outFrames + f] = used[source[f]];
        }
      });
      this.timings.fbank += (performance.now() - t0) / 1000;
      const t1 = performance.now();
      const emb = await this.embedding.embed(fbank, chunks.length, fbankFrames, weights, numSpeakers);
      this.timings.embeddings += (performance.now() - t1) / 1000;
      chunks.forEach((c, i) => out.set(emb.subarray(i * numSpeakers * dimension, (i + 1) * numSpeakers * dimension), c * numSpeakers * dimension));
      onProgress?.(progressOf("diarize", numChunks + Math.round(((b + chunks.length) / Math.max(1, active.length)) * numChunks), 2 * numChunks));
    }
    return { numChunks, numSpeakers, dimension, data: out };
  }

  /** Who spoke when in `audio` (16 kHz mono). */
  async diarize(audio: AudioSamples, options: DiarizeOptions = {}): Promise<Diarization> {
    this.timings = { segmentation: 0, fbank: 0, embeddings: 0, clustering: 0 };
    const t0 = performance.now();
    const { segmentations } = await this.segment(audio, options.onProgress);
    this.timings.segmentation = (performance.now() - t0) / 1000;
    const embeddings = await this.embed(audio, segmentations, options.onProgress);
    const t1 = performance.now();
    const result = diarizeFromEmbeddings(segmentations, embeddings, this.config, options);
    this.timings.clustering = (performance.now() - t1) / 1000;
    options.onProgress?.(progressOf("diarize", 1, 1));
    if (!options.returnEmbeddings) delete result.speakerEmbeddings;
    return result;
  }

  async release(): Promise<void> {
    await this.segmentation.release();
    await this.embedding.release();
  }
}
