/**
 * CTC forced alignment as WhisperX does it (alignment.py, after the #1220 revert): the PyTorch
 * tutorial's trellis, backtrack and merge_repeats, in float32 arithmetic like the original.
 */

/** Log-probabilities [frames × vocab], row-major. */
export interface Emissions {
  data: Float32Array;
  frames: number;
  vocab: number;
}

const f32 = Math.fround;

/**
 * `get_trellis`: shape (T+1) × (N+1); column 0 is the cumulative blank score, row 0 is −∞ after
 * the start, the last N rows of column 0 are +∞ (the path must have consumed every token).
 */
export function getTrellis(em: Emissions, tokens: readonly number[], blankId: number): Float32Array {
  const T = em.frames;
  const N = tokens.length;
  const W = N + 1;
  const tr = new Float32Array((T + 1) * W);
  tr[0] = 0;
  let acc = 0; // torch's CPU cumsum accumulates float in double
  for (let t = 0; t < T; t++) {
    acc += em.data[t * em.vocab + blankId];
    tr[(t + 1) * W] = acc;
  }
  for (let j = 1; j <= N; j++) tr[j] = -Infinity;
  for (let t = Math.max(0, T + 1 - N); t <= T; t++) tr[t * W] = Infinity;
  for (let t = 0; t < T; t++) {
    const blank = em.data[t * em.vocab + blankId];
    const row = t * W;
    const next = (t + 1) * W;
    for (let j = 1; j <= N; j++) {
      const stay = f32(tr[row + j] + blank);
      const change = f32(tr[row + j - 1] + em.data[t * em.vocab + tokens[j - 1]]);
      tr[next + j] = stay > change ? stay : change;
    }
  }
  return tr;
}

/** A point of the alignment path: token index, frame index and frame probability. */
export interface PathPoint {
  tokenIndex: number;
  timeIndex: number;
  score: number;
}

/** `backtrack`: from the best end frame of the last token back to the start; null on failure. */
export function backtrack(tr: Float32Array, em: Emissions, tokens: readonly number[], blankId: number): PathPoint[] | null {
  const N = tokens.length;
  const W = N + 1;
  const T = em.frames;
  let j = N;
  let tStart = 0;
  for (let t = 1; t <= T; t++) if (tr[t * W + j] > tr[tStart * W + j]) tStart = t;
  const path: PathPoint[] = [];
  let done = false;
  for (let t = tStart; t > 0; t--) {
    const stayed = f32(tr[(t - 1) * W + j] + em.data[(t - 1) * em.vocab + blankId]);
    const changed = f32(tr[(t - 1) * W + j - 1] + em.data[(t - 1) * em.vocab + tokens[j - 1]]);
    const prob = Math.exp(em.data[(t - 1) * em.vocab + (changed > stayed ? tokens[j - 1] : blankId)]);
    path.push({ tokenIndex: j - 1, timeIndex: t - 1, score: f32(prob) });
    if (changed > stayed) {
      j -= 1;
      if (j === 0) {
        done = true;
        break;
      }
    }
  }
  return done ? path.reverse() : null;
}

/** A character span: frames [start, end) and its mean frame probability. */
export interface CharSpan {
  label: string;
  start: number;
  end: number;
  score: number;
}

/** `merge_repeats`: consecutive points of the same token become one span. */
export function mergeRepeats(path: readonly PathPoint[], transcript: string | readonly string[]): CharSpan[] {
  const out: CharSpan[] = [];
  let i1 = 0;
  while (i1 < path.length) {
    let i2 = i1;
    while (i2 < path.length && path[i1].tokenIndex === path[i2].tokenIndex) i2++;
    let sum = 0;
    for (let k = i1; k < i2; k++) sum += path[k].score;
    out.push({ label: transcript[path[i1].tokenIndex], start: path[i1].timeIndex, end: path[i2 - 1].timeIndex + 1, score: sum / (i2 - i1) });
    i1 = i2;
  }
  return out;
}
