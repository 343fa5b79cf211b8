/** The VAD stage's model interface: Silero on any runtime. */

/** A voice-activity model: the probability of speech in each 512-sample window of 16 kHz audio. */
export interface SpeechProbabilityModel {
  speechProbabilities(audio: Float32Array): Promise<Float32Array>;
}
