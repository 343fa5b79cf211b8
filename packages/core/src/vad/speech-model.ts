/** The VAD stage's model interface: Silero on any runtime. */
import type { AudioSamples } from "../audio/audio-samples.js";

/** A voice-activity model: the probability of speech in each 512-sample window of 16 kHz audio. */
export interface SpeechProbabilityModel {
  speechProbabilities(audio: AudioSamples): Promise<Float32Array>;
}
