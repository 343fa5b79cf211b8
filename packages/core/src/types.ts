/** One word with its timing, as WhisperX writes it. Fields may be missing when unalignable. */
export interface Word {
  word: string;
  start?: number;
  end?: number;
  score?: number;
  speaker?: string;
}

/** One transcribed segment (WhisperX / openai-whisper shape). */
export interface Segment {
  id?: number;
  seek?: number;
  start: number;
  end: number;
  text: string;
  tokens?: number[];
  temperature?: number;
  avg_logprob?: number;
  compression_ratio?: number;
  no_speech_prob?: number;
  words?: Word[];
  speaker?: string;
}

/** The result of transcribing one file. */
export interface TranscriptionResult {
  segments: Segment[];
  language: string;
  text?: string;
  word_segments?: Word[];
}

/** Whisper model dimensions (OpenAI's `ModelDimensions`). */
export interface WhisperDims {
  n_mels: number;
  n_audio_ctx: number;
  n_audio_state: number;
  n_audio_head: number;
  n_audio_layer: number;
  n_vocab: number;
  n_text_ctx: number;
  n_text_state: number;
  n_text_head: number;
  n_text_layer: number;
}
