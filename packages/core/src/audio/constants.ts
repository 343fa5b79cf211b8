import { fileURLToPath } from "node:url";

/** Whisper's audio constants (openai-whisper `audio.py`). */
export const SAMPLE_RATE = 16000;
export const N_FFT = 400;
export const HOP_LENGTH = 160;
export const CHUNK_LENGTH = 30;
/** Samples in a 30 s window. */
export const N_SAMPLES = CHUNK_LENGTH * SAMPLE_RATE;
/** Mel frames in a 30 s window. */
export const N_FRAMES = N_SAMPLES / HOP_LENGTH;

/**
 * Path of Whisper's mel filterbank (n_mels × 201, float32 .npy, from openai-whisper's
 * `mel_filters.npz`), shared by every engine.
 */
export function melFiltersPath(nMels: number): string {
  if (nMels !== 80 && nMels !== 128) throw new Error(`unsupported n_mels ${nMels} (80 or 128)`);
  return fileURLToPath(new URL(`../../assets/mel_${nMels}.npy`, import.meta.url));
}
