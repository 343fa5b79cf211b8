/**
 * The voice-activity controller of a stream (whisper_streaming's VAC, silero-vad's
 * `VADIterator` semantics): Silero follows the audio in 512-sample windows; speech starts at a
 * window with probability ≥ `threshold` (the utterance begins `speechPadMs` earlier) and ends
 * after `minSilenceMs` below `threshold − 0.15`. Outside speech only the last second is kept.
 */
import { SAMPLE_RATE } from "../audio/constants.js";
import type { SpeechProbabilityStream, StreamingSpeechModel } from "../vad/speech-model.js";

/** Settings of the controller (whisper_streaming's defaults). */
export interface VacOptions {
  /** Silero on a live stream (core's `SileroVadOnnx` is one). */
  model: StreamingSpeechModel;
  threshold?: number;
  minSilenceMs?: number;
  speechPadMs?: number;
}

/** What the gate saw in a block: an utterance starting (stream seconds), its audio, its end. */
export type GateEvent = { type: "start"; time: number } | { type: "audio"; samples: Float32Array } | { type: "end" };

const WINDOW = 512;

export class VoiceActivityGate {
  private readonly stream: SpeechProbabilityStream;
  private readonly threshold: number;
  private readonly minSilence: number;
  private readonly pad: number;
  private carry = new Float32Array(0);
  /** The last second before speech (for the start padding). */
  private history = new Float32Array(0);
  /** Samples consumed so far. */
  samples = 0;
  private speaking = false;
  private silentSince?: number;

  constructor(options: VacOptions) {
    this.stream = options.model.createStream();
    this.threshold = options.threshold ?? 0.5;
    this.minSilence = Math.round(((options.minSilenceMs ?? 500) / 1000) * SAMPLE_RATE);
    this.pad = Math.round(((options.speechPadMs ?? 100) / 1000) * SAMPLE_RATE);
  }

  get inSpeech(): boolean {
    return this.speaking;
  }

  /** Follows one block of audio; returns what happened in it, in order. */
  async push(block: Float32Array): Promise<GateEvent[]> {
    const data = new Float32Array(this.carry.length + block.length);
    data.set(this.carry);
    data.set(block, this.carry.length);
    const events: GateEvent[] = [];
    let pos = 0;
    for (; pos + WINDOW <= data.length; pos += WINDOW) {
      const window = data.subarray(pos, pos + WINDOW);
      const p = await this.stream.probability(window);
      const at = this.samples;
      this.samples += WINDOW;
      if (!this.speaking) {
        if (p >= this.threshold) {
          this.speaking = true;
          this.silentSince = undefined;
          const padded = this.history.subarray(Math.max(0, this.history.length - this.pad));
          events.push({ type: "start", time: (at - padded.length) / SAMPLE_RATE }, { type: "audio", samples: Float32Array.from([...padded, ...window]) });
          this.history = new Float32Array(0);
        } else this.remember(window);
        continue;
      }
      events.push({ type: "audio", samples: window.slice() });
      if (p < this.threshold - 0.15) {
        this.silentSince ??= at;
        if (this.samples - this.silentSince >= this.minSilence) {
          this.speaking = false;
          events.push({ type: "end" });
        }
      } else this.silentSince = undefined;
    }
    this.carry = data.slice(pos);
    return events;
  }

  private remember(window: Float32Array): void {
    const keep = Math.min(SAMPLE_RATE, this.history.length + window.length);
    const h = new Float32Array(keep);
    const fromOld = keep - window.length;
    h.set(this.history.subarray(this.history.length - fromOld), 0);
    h.set(window, fromOld);
    this.history = h;
  }
}
