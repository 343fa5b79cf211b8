/**
 * Spoken-language detection on the first 30 s (openai-whisper's `detect_language`): the decoder's
 * logits after `<|startoftranscript|>`, over the language tokens only, softmaxed (in float64).
 */
import type { AudioSamples } from "../audio/audio-samples.js";
import { N_SAMPLES } from "../audio/constants.js";
import { WhisperTokenizer } from "../tokenizer/whisper-tokenizer.js";
import type { MelHandle, WhisperBackend } from "./backend.js";

/** A detection: the most likely language, its probability, and every language's. */
export interface LanguageDetection {
  language: string;
  probability: number;
  /** Probability per language code, in token order. */
  probabilities: Record<string, number>;
}

/** Detection on the window of `mel` starting at `seek` (English-only models: English, certainly). */
export async function detectLanguageOfMel(backend: WhisperBackend, mel: MelHandle, seek = 0): Promise<LanguageDetection> {
  const probe = WhisperTokenizer.forModel(backend.dims.n_vocab);
  if (!probe.multilingual) return { language: "en", probability: 1, probabilities: { en: 1 } };
  const codes = probe.languageCodes;
  const logits = await backend.detectLanguage(mel, seek, codes.map((c) => probe.languageToken(c) as number), probe.sot);
  const max = Math.max(...logits);
  const exp = logits.map((l) => Math.exp(l - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  const probabilities = Object.fromEntries(codes.map((c, i) => [c, exp[i] / sum]));
  const best = logits.indexOf(max);
  return { language: codes[best], probability: exp[best] / sum, probabilities };
}

/** Detection on the first 30 s of 16 kHz audio (WhisperX's `detect_language`). */
export async function detectLanguage(backend: WhisperBackend, audio: AudioSamples): Promise<LanguageDetection> {
  if (backend.dims.n_vocab < 51865) return { language: "en", probability: 1, probabilities: { en: 1 } };
  const head = audio.subarray(0, Math.min(N_SAMPLES, audio.length));
  const mel = await backend.melSpectrogram(head, N_SAMPLES - head.length);
  try {
    return await detectLanguageOfMel(backend, mel, 0);
  } finally {
    backend.release(mel);
  }
}
