/**
 * `F.layer_norm(waveform, waveform.shape)`: what torchaudio's LARGE_LV60K and XLSR bundles do to
 * the input before their feature extractor (`_normalize_waveform`): zero mean, unit variance
 * (biased, eps 1e-5) over the whole waveform, no affine.
 */
export function layerNormWaveform(audio: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < audio.length; i++) sum += audio[i];
  const mean = sum / audio.length;
  let sq = 0;
  for (let i = 0; i < audio.length; i++) sq += (audio[i] - mean) ** 2;
  const scale = 1 / Math.sqrt(sq / audio.length + 1e-5);
  const out = new Float32Array(audio.length);
  for (let i = 0; i < audio.length; i++) out[i] = (audio[i] - mean) * scale;
  return out;
}
