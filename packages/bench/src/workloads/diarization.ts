/**
 * Speaker diarization of the visible synthetic conversations (../shared/fixtures/synth-diarization)
 * with both pipeline configurations (3.1's AHC, community-1's VBx), against the ground truth and
 * against pyannote's own output on the same checkpoints: DER (collar 0 and 0.5, overlap scored),
 * its components, JER, speaker-count error, DER against pyannote per clip, and the time per stage
 * (segmentation, fbank, embeddings, clustering) as real-time factors. The networks run once per
 * clip; both clusterings reuse their output, as in pyannote the embeddings do not depend on it.
 */
import { existsSync, readFileSync } from "node:fs";
import { readNpyFloat32 } from "@whisperx-mlx/convert";
import { join } from "node:path";
import { DiarizationPipeline, diarizeFromEmbeddings, loadAudio, parseRttm, readDiarizationConfig, type DiarizationTurn, type InferenceEngine } from "@whisperx-mlx/core";
import { diarizationErrorRate, type DiarizationErrorComponents } from "../diarization-error-rate.js";

/** One pipeline configuration to score: a converted pipeline directory. */
export interface DiarizationConfigDir {
  name: string;
  dir: string;
}

/** One clip's result under one configuration. */
export interface DiarizationClipResult {
  uri: string;
  seconds: number;
  referenceSpeakers: number;
  speakersFound: number;
  /** Against the ground truth: collar 0 (pyannote's convention) and 0.5. */
  collar0: DiarizationErrorComponents;
  collar05: DiarizationErrorComponents;
  exclusiveCollar0: DiarizationErrorComponents;
  /** DER of our turns against pyannote's RTTM for this clip and configuration (collar 0), when there is one. */
  derVsPyannote?: number;
  /** Frames where pyannote's own choice was a tie (its output then depends on the numpy build). */
  pyannoteTiedFrames?: number;
}

/** One configuration over the set. */
export interface DiarizationConfigResult {
  config: string;
  clips: DiarizationClipResult[];
  /** Set-level DER/JER (pyannote's accumulated metrics) and components as fractions of the total. */
  der: number;
  der05: number;
  jer: number;
  miss: number;
  falseAlarm: number;
  confusion: number;
  speakerCountExact: number;
  speakerCountAbsError: number;
  clusteringSeconds: number;
  /** pyannote's own set-level DER on the same clips (collar 0), from the fixture's references. */
  pyannoteDer?: number;
}

/** The networks' outputs against PyTorch's CPU references (`refs/numeric/`), for the clips that have them. */
export interface DiarizationNumerics {
  uri: string;
  logProbMaxAbsDiff: number;
  argmaxAgreement: number;
  /** Smallest cosine between our embedding and PyTorch's over the active (chunk, speaker) pairs. */
  embeddingMinCosine: number;
  activePairs: number;
}

/** Compares a clip's log-probabilities and embeddings with the fixture's CPU references (undefined when it has none). */
export function compareWithReference(fixture: string, uri: string, logProbs: Float32Array, embeddings: Float32Array): DiarizationNumerics | undefined {
  const dir = join(fixture, "refs", "numeric");
  if (!existsSync(join(dir, `${uri}_logprobs.npy`))) return undefined;
  const ref = readNpyFloat32(join(dir, `${uri}_logprobs.npy`));
  const [chunks, frames, classes] = ref.shape;
  if (logProbs.length !== ref.data.length) throw new Error(`${uri}: ${logProbs.length / (frames * classes)} windows, the reference has ${chunks}`);
  let worst = 0;
  let agree = 0;
  for (let f = 0; f < chunks * frames; f++) {
    let a = 0;
    let b = 0;
    for (let k = 0; k < classes; k++) {
      worst = Math.max(worst, Math.abs(ref.data[f * classes + k] - logProbs[f * classes + k]));
      if (ref.data[f * classes + k] > ref.data[f * classes + a]) a = k;
      if (logProbs[f * classes + k] > logProbs[f * classes + b]) b = k;
    }
    if (a === b) agree++;
  }
  const seg = readNpyFloat32(join(dir, `${uri}_segmentation.npy`));
  const emb = readNpyFloat32(join(dir, `${uri}_embeddings.npy`));
  const [, , speakers] = seg.shape;
  const dim = emb.shape[2];
  let minCos = 1;
  let pairs = 0;
  for (let c = 0; c < chunks; c++) {
    for (let s = 0; s < speakers; s++) {
      let active = 0;
      for (let f = 0; f < frames; f++) active += seg.data[(c * frames + f) * speakers + s];
      if (!active) continue;
      let dot = 0;
      let aa = 0;
      let bb = 0;
      for (let d = 0; d < dim; d++) {
        const x = embeddings[(c * speakers + s) * dim + d];
        const y = emb.data[(c * speakers + s) * dim + d];
        dot += x * y;
        aa += x * x;
        bb += y * y;
      }
      minCos = Math.min(minCos, dot / Math.sqrt(aa * bb));
      pairs++;
    }
  }
  return { uri, logProbMaxAbsDiff: worst, argmaxAgreement: agree / (chunks * frames), embeddingMinCosine: minCos, activePairs: pairs };
}

/** The workload's result on one engine. */
export interface DiarizationResult {
  engine: "mlx" | "onnx";
  audioSeconds: number;
  /** Seconds per stage over the set (networks once per clip). */
  seconds: { segmentation: number; fbank: number; embeddings: number };
  configs: DiarizationConfigResult[];
  /** The networks against PyTorch's CPU references, on the clips that have them (vis_03, vis_long). */
  numerics: DiarizationNumerics[];
}

/** The visible clips of a synth-diarization fixture directory. */
export function diarizationClips(fixture: string): string[] {
  const refs = JSON.parse(readFileSync(join(fixture, "refs", "refs.json"), "utf8")) as { clips: Record<string, unknown> };
  return Object.keys(refs.clips).sort();
}

function readUem(file: string): [number, number][] {
  return readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((l) => {
    const f = l.trim().split(/\s+/);
    return [Number(f[2]), Number(f[3])];
  });
}

function rttmTurns(file: string): DiarizationTurn[] {
  return [...parseRttm(readFileSync(file, "utf8")).values()].flat();
}

/** Runs the workload on `engine`; `clips` defaults to every visible clip. */
export async function runDiarization(engine: InferenceEngine, fixture: string, configs: DiarizationConfigDir[], options: { clips?: string[]; onClip?: (uri: string) => void } = {}): Promise<DiarizationResult> {
  const numerics: DiarizationNumerics[] = [];
  const uris = options.clips ?? diarizationClips(fixture);
  const refs = JSON.parse(readFileSync(join(fixture, "refs", "refs.json"), "utf8")) as { clips: Record<string, { configs: Record<string, { metrics?: Record<string, { total: number; confusion: number; "missed detection": number; "false alarm": number }> }> }> };
  const ties = JSON.parse(readFileSync(join(fixture, "refs", "ties.json"), "utf8")) as { clips: Record<string, Record<string, { regular: { ambiguous_frames: number } }>> };
  const pipeline = await DiarizationPipeline.load(configs[0].dir, engine);
  const clusterings = configs.map((c) => ({ name: c.name, config: readDiarizationConfig(c.dir).config, clips: [] as DiarizationClipResult[], clusteringSeconds: 0 }));
  const seconds = { segmentation: 0, fbank: 0, embeddings: 0 };
  let audioSeconds = 0;
  try {
    for (const uri of uris) {
      options.onClip?.(uri);
      const audio = await loadAudio(join(fixture, "audio", `${uri}.wav`));
      audioSeconds += audio.length / 16000;
      pipeline.timings = { segmentation: 0, fbank: 0, embeddings: 0, clustering: 0 };
      const t0 = performance.now();
      const { segmentations, logProbs } = await pipeline.segment(audio);
      seconds.segmentation += (performance.now() - t0) / 1000;
      const embeddings = await pipeline.embed(audio, segmentations);
      // Embeddings are pooled on our own segmentation; with the argmax agreeing everywhere, on pyannote's.
      const numeric = compareWithReference(fixture, uri, logProbs, embeddings.data);
      if (numeric) numerics.push(numeric);
      seconds.fbank += pipeline.timings.fbank;
      seconds.embeddings += pipeline.timings.embeddings;
      const reference = rttmTurns(join(fixture, "rttm", `${uri}.rttm`));
      const uem = readUem(join(fixture, "uem", `${uri}.uem`));
      for (const c of clusterings) {
        const t1 = performance.now();
        const d = diarizeFromEmbeddings(segmentations, embeddings, c.config);
        c.clusteringSeconds += (performance.now() - t1) / 1000;
        const pyannoteFile = join(fixture, "refs", "rttm", c.name, `${uri}.rttm`);
        let derVsPyannote: number | undefined;
        try {
          derVsPyannote = diarizationErrorRate(rttmTurns(pyannoteFile), d.turns, { uem }).der;
        } catch {
          derVsPyannote = undefined;
        }
        c.clips.push({
          uri,
          seconds: audio.length / 16000,
          referenceSpeakers: new Set(reference.map((t) => t.speaker)).size,
          speakersFound: new Set(d.turns.map((t) => t.speaker)).size,
          collar0: diarizationErrorRate(reference, d.turns, { uem }),
          collar05: diarizationErrorRate(reference, d.turns, { uem, collar: 0.5 }),
          exclusiveCollar0: diarizationErrorRate(reference, d.exclusiveTurns, { uem }),
          derVsPyannote,
          pyannoteTiedFrames: ties.clips[uri]?.[c.name]?.regular.ambiguous_frames,
        });
      }
    }
  } finally {
    await pipeline.release();
  }
  const pyannoteSetDer = (config: string, clips: string[]): number | undefined => {
    const m = clips.map((u) => refs.clips[u]?.configs[config]?.metrics?.["DER_collar0.0"]);
    if (m.some((x) => x === undefined)) return undefined;
    const sum = (f: (x: NonNullable<(typeof m)[number]>) => number) => m.reduce((n, x) => n + (x ? f(x) : 0), 0);
    return (sum((x) => x.confusion) + sum((x) => x["missed detection"]) + sum((x) => x["false alarm"])) / sum((x) => x.total);
  };
  const total = (clips: DiarizationClipResult[], pick: (c: DiarizationClipResult) => DiarizationErrorComponents) => {
    const sum = (f: (x: DiarizationErrorComponents) => number) => clips.reduce((n, c) => n + f(pick(c)), 0);
    const t = sum((x) => x.total);
    return { t, miss: sum((x) => x.missedDetection), fa: sum((x) => x.falseAlarm), conf: sum((x) => x.confusion), jerError: sum((x) => x.jerSpeakerError), jerCount: sum((x) => x.jerSpeakerCount) };
  };
  return {
    engine: engine.name,
    audioSeconds,
    seconds,
    numerics,
    configs: clusterings.map((c) => {
      const a = total(c.clips, (x) => x.collar0);
      const b = total(c.clips, (x) => x.collar05);
      return {
        config: c.name,
        clips: c.clips,
        der: (a.miss + a.fa + a.conf) / a.t,
        der05: (b.miss + b.fa + b.conf) / b.t,
        jer: a.jerError / a.jerCount,
        miss: a.miss / a.t,
        falseAlarm: a.fa / a.t,
        confusion: a.conf / a.t,
        speakerCountExact: c.clips.filter((x) => x.speakersFound === x.referenceSpeakers).length,
        speakerCountAbsError: c.clips.reduce((n, x) => n + Math.abs(x.speakersFound - x.referenceSpeakers), 0),
        clusteringSeconds: c.clusteringSeconds,
        pyannoteDer: pyannoteSetDer(c.name, c.clips.map((x) => x.uri)),
      };
    }),
  };
}
