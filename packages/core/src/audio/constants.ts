/** Whisper's audio constants (openai-whisper `audio.py`). */
export const SAMPLE_RATE = 16000;
export const N_FFT = 400;
export const HOP_LENGTH = 160;
export const CHUNK_LENGTH = 30;
/** Samples in a 30 s window. */
export const N_SAMPLES = CHUNK_LENGTH * SAMPLE_RATE;
/** Mel frames in a 30 s window. */
export const N_FRAMES = N_SAMPLES / HOP_LENGTH;
