/** The VAD stage's model interface: Silero on any runtime. */
import type { AudioSamples } from "../audio/audio-samples.js";

/** A voice-activity model: the probability of speech in each 512-sample window of 16 kHz audio. */
export interface SpeechProbabilityModel {
  speechProbabilities(audio: AudioSamples): Promise<Float32Array>;
}

/** Speech probabilities of consecutive 512-sample windows of one live stream (state carried). */
export interface SpeechProbabilityStream {
  probability(window: Float32Array): Promise<number>;
}

/** A voice-activity model that can follow a live stream. */
export interface StreamingSpeechModel {
  createStream(): SpeechProbabilityStream;
}
