import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { getSpeechTimestamps, loadAudio, mergeChunks, SileroVadOnnx, speechToChunks } from "../src/index.js";
// The worker thread runs compiled JavaScript, so the service is tested from the build.
import { Pcm16Audio, toFloat32Array, VadService, VadWorkerError, WavFileAudio } from "../dist/index.js";
import { SHARED, SYNTH } from "./shared.js";

interface ClipRef { file: string; num_samples: number; speech_timestamps: { start: number; end: number }[]; speech_probs: number[] }
const ref = JSON.parse(readFileSync(`${SYNTH}/refs-extra/vad.json`, "utf8")) as {
  clips: Record<string, ClipRef>;
  whisperx_chunks: Record<string, { silero_timestamps_samples: { start: number; end: number }[]; chunks: { start: number; end: number; segments: [number, number][] }[] }>;
};
const audioPath = (id: string) => (id.startsWith("misc/") ? `${SHARED}/fixtures/audio/${id}.wav` : `${SYNTH}/audio/${id}.wav`);

describe("getSpeechTimestamps (silero-vad get_speech_timestamps)", () => {
  it("gives the reference timestamps from the reference probabilities, on every clip", () => {
    expect(Object.keys(ref.clips).length).toBe(39);
    for (const [id, c] of Object.entries(ref.clips)) expect(getSpeechTimestamps(c.speech_probs, c.num_samples), id).toEqual(c.speech_timestamps);
  });
  it("splits at max_speech_duration_s as WhisperX calls it (30 s, threshold 0.5)", () => {
    for (const [id, w] of Object.entries(ref.whisperx_chunks)) {
      const c = ref.clips[id];
      expect(getSpeechTimestamps(c.speech_probs, c.num_samples, { maxSpeechDurationS: 30, threshold: 0.5 }), id).toEqual(w.silero_timestamps_samples);
    }
  });
  it("honours the other parameters", () => {
    const probs = [0, 0.9, 0.9, 0.9, 0.2, 0.9, 0.9, 0.1, 0.1, 0.1, 0.1, 0, 0, 0.8, 0, 0, 0, 0];
    const n = probs.length * 512;
    // the 0.2 dip is above neg_threshold 0.35 only with a lower neg_threshold; the last region
    // is still open at the end of the audio and runs to its end
    expect(getSpeechTimestamps(probs, n, { minSpeechDurationMs: 0, speechPadMs: 0 })).toEqual([{ start: 512, end: 3584 }, { start: 6656, end: 9216 }]);
    // 250 ms minimum speech (4000 samples) drops both
    expect(getSpeechTimestamps(probs, n, { speechPadMs: 0 })).toEqual([]);
    expect(getSpeechTimestamps(probs, n, { threshold: 0.95 })).toEqual([]);
    expect(getSpeechTimestamps(probs, n, { negThreshold: 0.3, minSpeechDurationMs: 0, speechPadMs: 0, minSilenceDurationMs: 0 })).toEqual([
      { start: 512, end: 2048 },
      { start: 2560, end: 3584 },
      { start: 6656, end: 7168 },
    ]);
    // padding of 30 ms (480 samples) each side; a gap under 2×pad is shared
    expect(getSpeechTimestamps(probs, n, { minSpeechDurationMs: 0 })).toEqual([{ start: 32, end: 4064 }, { start: 6176, end: 9216 }]);
  });
});

describe("mergeChunks (WhisperX Vad.merge_chunks)", () => {
  it("gives WhisperX's chunks exactly", () => {
    for (const [id, w] of Object.entries(ref.whisperx_chunks)) {
      const chunks = speechToChunks(w.silero_timestamps_samples, 16000, 30);
      expect(chunks.length, id).toBe(w.chunks.length);
      chunks.forEach((ch, i) => {
        expect(ch.start).toBeCloseTo(w.chunks[i].start, 9);
        expect(ch.end).toBeCloseTo(w.chunks[i].end, 9);
        expect(ch.segments).toEqual(w.chunks[i].segments);
      });
    }
    expect(mergeChunks([])).toEqual([]);
  });
});

describe("Silero on onnxruntime-node", () => {
  it("matches the reference probabilities and timestamps on every clip (within one window)", async () => {
    const vad = await SileroVadOnnx.load();
    let worst = 0;
    for (const [id, c] of Object.entries(ref.clips)) {
      const audio = await loadAudio(audioPath(id));
      const probs = await vad.speechProbabilities(audio);
      expect(probs.length).toBe(c.speech_probs.length);
      for (let i = 0; i < probs.length; i++) worst = Math.max(worst, Math.abs(probs[i] - c.speech_probs[i]));
      const ts = getSpeechTimestamps(probs, audio.length);
      expect(ts.length, id).toBe(c.speech_timestamps.length);
      ts.forEach((t, i) => {
        expect(Math.abs(t.start - c.speech_timestamps[i].start), id).toBeLessThanOrEqual(512);
        expect(Math.abs(t.end - c.speech_timestamps[i].end), id).toBeLessThanOrEqual(512);
      });
    }
    expect(worst).toBeLessThan(1e-4);
    await vad.release();
  });
});

describe("VadService (worker thread)", () => {
  it("decodes and segments in a worker, hands the samples back, and restarts after a crash", async () => {
    const svc = new VadService();
    const r = await svc.loadAndDetect(`${SHARED}/fixtures/audio/misc/jfk.wav`, { maxSpeechDurationS: 30 });
    expect(r.audio.length).toBe(176000);
    expect(r.timestamps).toEqual(ref.clips["misc/jfk"].speech_timestamps);
    await expect(svc.crashWorkerForTest()).rejects.toThrow(VadWorkerError);
    expect(r.audio).toBeInstanceOf(WavFileAudio); // a 16 kHz 16-bit WAV is read in place
    const copy = toFloat32Array(r.audio).slice();
    expect(copy).toEqual(await loadAudio(`${SHARED}/fixtures/audio/misc/jfk.wav`));
    const again = await svc.detect(copy);
    expect(copy.byteLength).toBe(0); // transferred, not copied
    expect(again.audio.length).toBe(176000);
    expect(again.timestamps).toEqual(ref.clips["misc/jfk"].speech_timestamps);
    expect(svc.starts).toBe(2);
    const mp3 = await svc.loadAndDetect(`${SHARED}/fixtures/audio/misc/jfk.mp3`, { maxSpeechDurationS: 30 });
    expect(mp3.audio).toBeInstanceOf(Pcm16Audio); // anything else: ffmpeg's 16-bit output, transferred
    expect(toFloat32Array(mp3.audio)).toEqual(await loadAudio(`${SHARED}/fixtures/audio/misc/jfk.mp3`));
    await expect(svc.loadAndDetect("/nonexistent.wav", {})).rejects.toThrow(/nonexistent\.wav: no such file/);
    await svc.close();
  });
});
