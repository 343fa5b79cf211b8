/**
 * Kaldi filterbank features exactly as WeSpeaker's pyannote wrapper asks torchaudio for them
 * (`torchaudio.compliance.kaldi.fbank(num_mel_bins=80, frame_length=25, frame_shift=10, dither=0,
 * window_type="hamming", use_energy=False)`, with Kaldi's defaults: DC offset removed, pre-emphasis
 * 0.97, 512-point FFT, power spectrum, mel bins from 20 Hz to Nyquist, log floored at float32 eps),
 * then mean-normalised over time. Input samples are in int16 scale (×32768).
 */

const SAMPLE_RATE = 16000;
const FRAME_LENGTH = 400; // 25 ms
const FRAME_SHIFT = 160; // 10 ms
const FFT_SIZE = 512;
const PREEMPHASIS = 0.97;
const LOW_FREQ = 20;
const FLOAT32_EPS = 1.1920928955078125e-7;

/** The number of fbank frames for `n` samples (Kaldi's snip_edges). */
export function fbankFrameCount(n: number): number {
  return n < FRAME_LENGTH ? 0 : 1 + Math.floor((n - FRAME_LENGTH) / FRAME_SHIFT);
}

const melScale = (f: number) => 1127 * Math.log(1 + f / 700);

/** A mel filter's non-zero weights, from FFT bin `first`. */
interface MelFilter {
  first: number;
  weights: Float64Array;
}

/** Triangular mel filters over the FFT bins 0…255 (the Nyquist bin gets no weight, as in torchaudio). */
function melBanks(numBins: number): MelFilter[] {
  const half = FFT_SIZE / 2;
  const binWidth = SAMPLE_RATE / FFT_SIZE;
  const melLow = melScale(LOW_FREQ);
  const melHigh = melScale(SAMPLE_RATE / 2);
  const delta = (melHigh - melLow) / (numBins + 1);
  const banks: MelFilter[] = [];
  for (let b = 0; b < numBins; b++) {
    const left = melLow + b * delta;
    const center = left + delta;
    const right = center + delta;
    const w = new Float64Array(half + 1);
    for (let k = 0; k < half; k++) {
      const mel = melScale(binWidth * k);
      const up = (mel - left) / (center - left);
      const down = (right - mel) / (right - center);
      w[k] = Math.max(0, Math.min(up, down));
    }
    let first = 0;
    while (first < w.length && w[first] === 0) first++;
    let last = w.length - 1;
    while (last >= first && w[last] === 0) last--;
    banks.push({ first, weights: w.slice(first, last + 1) });
  }
  return banks;
}

const hamming = Float64Array.from({ length: FRAME_LENGTH }, (_, n) => 0.54 - 0.46 * Math.cos((2 * Math.PI * n) / (FRAME_LENGTH - 1)));

/** cos/sin of −2πk/FFT_SIZE: the butterflies read these instead of calling the trig functions. */
const TWIDDLE_RE = Float64Array.from({ length: FFT_SIZE / 2 }, (_, k) => Math.cos((-2 * Math.PI * k) / FFT_SIZE));
const TWIDDLE_IM = Float64Array.from({ length: FFT_SIZE / 2 }, (_, k) => Math.sin((-2 * Math.PI * k) / FFT_SIZE));

/** In-place radix-2 complex FFT of FFT_SIZE points. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const stride = n / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = TWIDDLE_RE[k * stride];
        const wi = TWIDDLE_IM[k * stride];
        const a = i + k;
        const b = a + len / 2;
        const xr = re[b] * wr - im[b] * wi;
        const xi = re[b] * wi + im[b] * wr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
      }
    }
  }
}

/** Computes mean-normalised log-mel features. */
export class KaldiFbank {
  private readonly banks: MelFilter[];

  constructor(readonly numMelBins = 80) {
    this.banks = melBanks(numMelBins);
  }

  /** Features of `samples` (int16 scale), frames × bins, row-major, mean over frames subtracted. */
  compute(samples: ArrayLike<number>, offset = 0, length = samples.length - offset): Float32Array {
    const frames = fbankFrameCount(length);
    const bins = this.numMelBins;
    const out = new Float64Array(frames * bins);
    const re = new Float64Array(FFT_SIZE);
    const im = new Float64Array(FFT_SIZE);
    const frame = new Float64Array(FRAME_LENGTH);
    for (let t = 0; t < frames; t++) {
      const start = offset + t * FRAME_SHIFT;
      let mean = 0;
      for (let i = 0; i < FRAME_LENGTH; i++) mean += frame[i] = samples[start + i];
      mean /= FRAME_LENGTH;
      for (let i = 0; i < FRAME_LENGTH; i++) frame[i] -= mean;
      re.fill(0);
      im.fill(0);
      for (let i = FRAME_LENGTH - 1; i >= 0; i--) {
        const previous = i > 0 ? frame[i - 1] : frame[0];
        re[i] = (frame[i] - PREEMPHASIS * previous) * hamming[i];
      }
      fft(re, im);
      const power = new Float64Array(FFT_SIZE / 2 + 1);
      for (let k = 0; k <= FFT_SIZE / 2; k++) power[k] = re[k] * re[k] + im[k] * im[k];
      for (let b = 0; b < bins; b++) {
        const { first, weights } = this.banks[b];
        let e = 0;
        for (let k = 0; k < weights.length; k++) e += weights[k] * power[first + k];
        out[t * bins + b] = Math.log(Math.max(e, FLOAT32_EPS));
      }
    }
    const result = new Float32Array(frames * bins);
    for (let b = 0; b < bins; b++) {
      let mean = 0;
      for (let t = 0; t < frames; t++) mean += out[t * bins + b];
      mean /= frames || 1;
      for (let t = 0; t < frames; t++) result[t * bins + b] = out[t * bins + b] - mean;
    }
    return result;
  }
}
