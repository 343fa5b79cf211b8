/**
 * What beam search costs: the batched ASR stage on longform_000's VAD chunks, greedy and beam 5
 * (WhisperX's default), at batch sizes 1 and 8, on one engine. The same chunks and the same
 * public pipeline as the CLI; only the decoding differs.
 */
import { loadModel, type EngineName } from "whisperx-mlx";

/** One (decoding, batch size) measurement. */
export interface DecodingResult {
  engine: EngineName;
  decoding: "greedy" | "beam5";
  batchSize: number;
  chunks: number;
  audioSeconds: number;
  /** Seconds of the ASR stage, fastest of the repeats. */
  asrSeconds: number;
  /** Audio seconds per ASR second. */
  rtf: number;
}

/** Times greedy and beam-5 decoding of `audio`'s chunks at each batch size. */
export async function runDecodingComparison(o: { whisper: string; engine: EngineName; audio: Float32Array; batchSizes: number[]; repeats: number; onProgress?: (what: string) => void }): Promise<DecodingResult[]> {
  const out: DecodingResult[] = [];
  const audioSeconds = o.audio.length / 16000;
  for (const [decoding, beamSize] of [["greedy", 1], ["beam5", 5]] as const) {
    const pipeline = await loadModel(o.whisper, { backend: o.engine, language: "en", asrOptions: { beamSize } });
    const chunks = await pipeline.detectSpeech(o.audio);
    await pipeline.transcribeChunks(o.audio, chunks.slice(0, 1), { batchSize: 1 }); // warm-up
    for (const batchSize of o.batchSizes) {
      o.onProgress?.(`decoding (${o.engine}): ${decoding}, batch ${batchSize}`);
      const times: number[] = [];
      for (let r = 0; r < o.repeats; r++) {
        const t0 = performance.now();
        await pipeline.transcribeChunks(o.audio, chunks, { batchSize });
        times.push((performance.now() - t0) / 1000);
      }
      const asrSeconds = Math.min(...times);
      out.push({ engine: o.engine, decoding, batchSize, chunks: chunks.length, audioSeconds, asrSeconds, rtf: audioSeconds / asrSeconds });
    }
    await pipeline.close();
  }
  return out;
}
