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
  /** When the language was detected: each language's probability on the first 30 s. */
  language_probs?: Record<string, number>;
  text?: string;
  word_segments?: Word[];
  /** With diarization and `--speaker_embeddings`: one embedding per speaker label. */
  speaker_embeddings?: Record<string, number[]>;
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

/** `config.json` of a wav2vec2 CTC model converted to MLX (HF config fields plus the label set). */
export interface Wav2Vec2Config {
  model_type: "wav2vec2";
  conv_dim: number[];
  conv_kernel: number[];
  conv_stride: number[];
  conv_bias: boolean;
  feat_extract_norm: "group" | "layer";
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  num_conv_pos_embeddings: number;
  num_conv_pos_embedding_groups: number;
  do_stable_layer_norm: boolean;
  layer_norm_eps: number;
  vocab_size: number;
  /** Labels in id order. */
  vocab: string[];
  blank_id: number;
  word_delimiter: string;
  /** Layer-normalise the whole waveform before the feature extractor (torchaudio's LARGE_LV60K, XLSR bundles). */
  normalize_waveform?: boolean;
  quantization?: { group_size: number; bits: number };
}
