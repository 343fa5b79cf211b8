import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { DIARIZATION } from "./shared.js";
import { readNpy, readNpz, type NpyArray } from "./npz.js";
import { diarizeFromEmbeddings, pldaFromTwoCovariance, SEGMENTATION_FRAMES, SlidingWindow, type DiarizationConfig, type DiarizationTurn } from "../src/index.js";

const REFS = `${DIARIZATION}/refs`;
const arrays = readNpz(`${REFS}/arrays.npz`);
const forcedArrays = readNpz(`${REFS}/forced/arrays_forced.npz`);
const forcedRefs = JSON.parse(readFileSync(`${REFS}/forced/refs_forced.json`, "utf8")) as {
  clips: Record<string, { configs: Record<string, Record<string, { kwargs: { num_speakers?: number; min_speakers?: number; max_speakers?: number }; rttm: string }>> }>;
};

function configFor(name: string): DiarizationConfig {
  if (name === "3.1") return { clustering: { method: "agglomerative", params: { threshold: 0.7045654963945799, minClusterSize: 12 } }, embeddingExcludeOverlap: true, minDurationOff: 0 };
  const x = readNpz(`${DIARIZATION}/models/plda/xvec_transform.npz`);
  const p = readNpz(`${DIARIZATION}/models/plda/plda.npz`);
  const get = (m: Map<string, NpyArray>, k: string): ArrayLike<number> => {
    const data = m.get(k)?.data;
    if (!data) throw new Error(`no float array ${k}`);
    return data;
  };
  const plda = pldaFromTwoCovariance({ mean1: get(x, "mean1"), mean2: get(x, "mean2"), lda: get(x, "lda") }, { mu: get(p, "mu"), tr: get(p, "tr"), psi: get(p, "psi") });
  return { clustering: { method: "vbx", params: { threshold: 0.6, Fa: 0.07, Fb: 0.8 }, plda }, embeddingExcludeOverlap: true, minDurationOff: 0 };
}

function inputs(uri: string) {
  const seg = arrays.get(`segmentation__${uri}`);
  const emb = readNpy(`${REFS}/numeric/${uri}_embeddings.npy`);
  if (!seg || !(seg.data instanceof Uint8Array) || !(emb.data instanceof Float32Array)) throw new Error(`no reference arrays for ${uri}`);
  const [numChunks, numFrames, numSpeakers] = seg.shape;
  return {
    segmentations: { numChunks, numFrames, numSpeakers, data: seg.data, chunks: new SlidingWindow(0, 10, 1) },
    embeddings: { numChunks, numSpeakers, dimension: emb.shape[2], data: emb.data },
  };
}

function readRttm(file: string): DiarizationTurn[] {
  return readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((line) => {
    const f = line.split(/\s+/);
    return { start: Number(f[3]), end: Number(f[3]) + Number(f[4]), speaker: f[7] };
  });
}

/** Our cluster ids → the reference's, asserting the two partitions are the same up to renaming. */
function expectSamePartition(ours: Int32Array, ref: ArrayLike<number>, what = ""): void {
  expect(ours.length).toBe(ref.length);
  const forward = new Map<number, number>();
  const backward = new Map<number, number>();
  for (let i = 0; i < ours.length; i++) {
    if ((ours[i] === -2) !== (ref[i] === -2)) throw new Error(`entry ${i}: ${ours[i]} vs ${ref[i]}`);
    if (ref[i] === -2) continue;
    if ((forward.get(ours[i]) ?? ref[i]) !== ref[i] || (backward.get(ref[i]) ?? ours[i]) !== ours[i]) throw new Error(`${what} entry ${i}: cluster ${ours[i]} vs ${ref[i]} breaks the mapping`);
    forward.set(ours[i], ref[i]);
    backward.set(ref[i], ours[i]);
  }
}

/** Active labels at the middle of each count frame's step, per turn list. */
function activity(turns: DiarizationTurn[], frames: number): Set<string>[] {
  const out = Array.from({ length: frames }, () => new Set<string>());
  for (const t of turns) for (let i = 0; i < frames; i++) {
    const x = SEGMENTATION_FRAMES.middle(i) + SEGMENTATION_FRAMES.step / 2;
    if (x > t.start && x < t.end) out[i].add(t.speaker);
  }
  return out;
}

/** Turns agree on every frame outside `skip` (labels matched by co-occurrence, one to one). */
function expectSameTurns(ours: DiarizationTurn[], ref: DiarizationTurn[], frames: number, skip: (t: number) => boolean): void {
  const a = activity(ours, frames);
  const b = activity(ref, frames);
  const votes = new Map<string, Map<string, number>>();
  for (let t = 0; t < frames; t++) if (!skip(t)) for (const x of a[t]) for (const y of b[t]) {
    const m = votes.get(x) ?? new Map<string, number>();
    m.set(y, (m.get(y) ?? 0) + 1);
    votes.set(x, m);
  }
  const mapping = new Map([...votes].map(([x, m]) => [x, [...m].sort((p, q) => q[1] - p[1])[0][0]]));
  expect(new Set(mapping.values()).size).toBe(mapping.size);
  let compared = 0;
  for (let t = 0; t < frames; t++) {
    if (skip(t)) continue;
    compared++;
    const mine = [...a[t]].map((x) => mapping.get(x) ?? `unmapped ${x}`).sort();
    expect(mine, `frame ${t}`).toEqual([...b[t]].sort());
  }
  expect(compared).toBeGreaterThan(frames * 0.8);
}

const near = (mask: Uint8Array, t: number) => mask[t] === 1 || mask[t - 1] === 1 || mask[t + 1] === 1;

describe("diarization after the networks, from pyannote's own segmentations and embeddings", () => {
  for (const uri of ["vis_03", "vis_long"]) {
    for (const cfg of ["3.1", "community-1"]) {
      it(`${uri}, ${cfg}: count and hard clusters exactly, turns on every frame (numpy 2's tie order)`, () => {
        const { segmentations, embeddings } = inputs(uri);
        const result = diarizeFromEmbeddings(segmentations, embeddings, configFor(cfg));
        expect(Array.from(result.count)).toEqual(Array.from(arrays.get(`count__${uri}__${cfg}`)?.data ?? []));
        expectSamePartition(result.hardClusters, Array.from(arrays.get(`hard_clusters__${uri}__${cfg}`)?.data ?? [], Number));
        const frames = result.count.length;
        expectSameTurns(result.turns, readRttm(`${REFS}/rttm/${cfg}/${uri}.rttm`), frames, () => false);
        expectSameTurns(result.exclusiveTurns, readRttm(`${REFS}/rttm/${cfg}/${uri}.exclusive.rttm`), frames, () => false);
        expect(result.speakerEmbeddings?.size).toBe(new Set(result.turns.map((t) => t.speaker)).size);
      });
    }
  }

  for (const uri of ["vis_03", "vis_long"]) {
    for (const cfg of ["3.1", "community-1"]) {
      // These references come from numpy 1.24 (stable order among ties): turns are compared outside tied frames.
      it(`${uri}, ${cfg}: num/min/max speakers as pyannote applies them`, () => {
        const { segmentations, embeddings } = inputs(uri);
        const config = configFor(cfg);
        for (const [name, c] of Object.entries(forcedRefs.clips[uri].configs[cfg])) {
          const result = diarizeFromEmbeddings(segmentations, embeddings, config, { numSpeakers: c.kwargs.num_speakers, minSpeakers: c.kwargs.min_speakers, maxSpeakers: c.kwargs.max_speakers });
          const cap = c.kwargs.num_speakers ?? c.kwargs.max_speakers ?? 255;
          expect(Array.from(result.count, (x) => Math.min(x, cap)), name).toEqual(Array.from(forcedArrays.get(`count__${uri}__${cfg}__${name}`)?.data ?? []));
          expectSamePartition(result.hardClusters, Array.from(forcedArrays.get(`hard_clusters__${uri}__${cfg}__${name}`)?.data ?? [], Number), name);
          expectSameTurns(result.turns, readRttm(`${DIARIZATION}/${c.rttm}`), result.count.length, (t) => near(result.tiedFrames.regular, t));
        }
      });
    }
  }
});
