/**
 * torchaudio's wav2vec2 ASR bundles that WhisperX names (its default aligners for en, fr, de, es,
 * it, and the README's WAV2VEC2_ASR_LARGE_LV60K_960H): each checkpoint file on
 * download.pytorch.org/torchaudio/models, what its state dict cannot tell (attention heads,
 * pre-LN encoder, waveform normalisation), the labels (`get_labels()`, blank first) and the CTC
 * head rows torchaudio drops at load. Printed from torchaudio's pipelines by
 * fixtures/tools/torchaudio_bundles.py; `normalizeWaveform` is torchaudio ≥ 2.0's
 * `_normalize_waveform` (0.13 predates it).
 */

/** What the converter needs to know about one bundle. */
export interface TorchaudioBundle {
  /** Checkpoint file name (also its name in torch's hub cache). */
  file: string;
  heads: number;
  /** `encoder_layer_norm_first`: a pre-LN encoder (HF's `do_stable_layer_norm`). */
  layerNormFirst: boolean;
  /** The model layer-normalises the whole waveform before the feature extractor. */
  normalizeWaveform: boolean;
  /** Output labels, blank first. */
  labels: string[];
  /** Rows of the stored CTC head (`aux`) that torchaudio removes. */
  removeAuxAxis: number[];
}

/** The label set of torchaudio's LibriSpeech-960h ASR bundles (index = CTC output row after the dropped aux rows). */
export const TORCHAUDIO_960H_LABELS: string[] = ["-", "|", "E", "T", "A", "O", "N", "I", "H", "S", "R", "D", "L", "U", "M", "W", "C", "F", "G", "Y", "P", "B", "V", "K", "'", "X", "J", "Q", "Z"];

/** The bundles by torchaudio name. */
export const TORCHAUDIO_BUNDLES: Readonly<Record<string, TorchaudioBundle>> = {
  WAV2VEC2_ASR_BASE_960H: {
    file: "wav2vec2_fairseq_base_ls960_asr_ls960.pth",
    heads: 12,
    layerNormFirst: false,
    normalizeWaveform: false,
    labels: TORCHAUDIO_960H_LABELS,
    removeAuxAxis: [1, 2, 3],
  },
  WAV2VEC2_ASR_LARGE_960H: {
    file: "wav2vec2_fairseq_large_ls960_asr_ls960.pth",
    heads: 16,
    layerNormFirst: false,
    normalizeWaveform: false,
    labels: TORCHAUDIO_960H_LABELS,
    removeAuxAxis: [1, 2, 3],
  },
  WAV2VEC2_ASR_LARGE_LV60K_960H: {
    file: "wav2vec2_fairseq_large_lv60k_asr_ls960.pth",
    heads: 16,
    layerNormFirst: true,
    normalizeWaveform: true,
    labels: TORCHAUDIO_960H_LABELS,
    removeAuxAxis: [1, 2, 3],
  },
  VOXPOPULI_ASR_BASE_10K_DE: {
    file: "wav2vec2_voxpopuli_base_10k_asr_de.pt",
    heads: 12,
    layerNormFirst: false,
    normalizeWaveform: false,
    labels: ["-", "|", "e", "n", "i", "r", "s", "t", "a", "d", "h", "u", "l", "g", "c", "m", "o", "b", "w", "f", "k", "z", "p", "v", "ü", "ä", "ö", "j", "ß", "y", "x", "q"],
    removeAuxAxis: [1, 2, 3, 35],
  },
  VOXPOPULI_ASR_BASE_10K_EN: {
    file: "wav2vec2_voxpopuli_base_10k_asr_en.pt",
    heads: 12,
    layerNormFirst: false,
    normalizeWaveform: false,
    labels: ["-", "|", "e", "t", "o", "i", "a", "n", "s", "r", "h", "l", "d", "c", "u", "m", "p", "f", "g", "w", "y", "b", "v", "k", "x", "j", "q", "z"],
    removeAuxAxis: [1, 2, 3, 31],
  },
  VOXPOPULI_ASR_BASE_10K_ES: {
    file: "wav2vec2_voxpopuli_base_10k_asr_es.pt",
    heads: 12,
    layerNormFirst: false,
    normalizeWaveform: false,
    labels: ["-", "|", "e", "a", "o", "s", "n", "r", "i", "l", "d", "c", "t", "u", "p", "m", "b", "q", "y", "g", "v", "h", "ó", "f", "í", "á", "j", "z", "ñ", "é", "x", "ú", "k", "w", "ü"],
    removeAuxAxis: [1, 2, 3, 35],
  },
  VOXPOPULI_ASR_BASE_10K_FR: {
    file: "wav2vec2_voxpopuli_base_10k_asr_fr.pt",
    heads: 12,
    layerNormFirst: false,
    normalizeWaveform: false,
    labels: ["-", "|", "e", "s", "n", "i", "t", "r", "a", "o", "u", "l", "d", "c", "p", "m", "é", "v", "q", "f", "g", "b", "h", "x", "à", "j", "è", "y", "ê", "z", "ô", "k", "ç", "œ", "û", "ù", "î", "â", "w", "ï", "ë", "ü", "æ"],
    removeAuxAxis: [1, 2, 3],
  },
  VOXPOPULI_ASR_BASE_10K_IT: {
    file: "wav2vec2_voxpopuli_base_10k_asr_it.pt",
    heads: 12,
    layerNormFirst: false,
    normalizeWaveform: false,
    labels: ["-", "|", "e", "i", "a", "o", "n", "t", "r", "l", "s", "c", "d", "u", "p", "m", "g", "v", "h", "z", "f", "b", "q", "à", "è", "ù", "é", "ò", "ì", "k", "y", "x", "w", "j", "ó", "í", "ï"],
    removeAuxAxis: [1, 2, 3],
  },
};

/** The bundle whose checkpoint file is `file` (a path or a name), if any. */
export function torchaudioBundleOfFile(file: string): [string, TorchaudioBundle] | undefined {
  const name = file.split(/[\\/]/).pop();
  return Object.entries(TORCHAUDIO_BUNDLES).find(([, b]) => b.file === name);
}
