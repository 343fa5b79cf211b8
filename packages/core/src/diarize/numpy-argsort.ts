/**
 * `np.argsort` of a short float array as numpy ≥ 2 computes it on AVX-512 CPUs: x86-simd-sort's
 * key/index bitonic networks over 8-lane registers (padded with +∞), merged register by register.
 * pyannote chooses each frame's active speakers with `np.argsort(-activations)`, and activations
 * are sums of 0/1 values, so ties are common; this network never swaps equal keys, which gives an
 * order among them that is neither the input order nor its reverse. Reproducing it reproduces
 * pyannote's references (computed with numpy 2.5 on such a CPU) frame for frame; numpy 1.x (insertion
 * sort for short arrays, stable) breaks the same ties lowest-index-first.
 */

interface Register {
  keys: number[];
  index: number[];
}

const LANES = 8;
/** Lane partners of the in-register stages, and which lanes keep the maximum. */
const ADJACENT = [1, 0, 3, 2, 5, 4, 7, 6];
const REVERSE_4 = [3, 2, 1, 0, 7, 6, 5, 4];
const REVERSE_8 = [7, 6, 5, 4, 3, 2, 1, 0];
const DISTANCE_2 = [2, 3, 0, 1, 6, 7, 4, 5];
const DISTANCE_4 = [4, 5, 6, 7, 0, 1, 2, 3];
const SORT_STAGES: [number[], number][] = [[ADJACENT, 0xaa], [REVERSE_4, 0xcc], [ADJACENT, 0xaa], [REVERSE_8, 0xf0], [DISTANCE_2, 0xcc], [ADJACENT, 0xaa]];
const MERGE_STAGES: [number[], number][] = [[DISTANCE_4, 0xf0], [DISTANCE_2, 0xcc], [ADJACENT, 0xaa]];

/** One compare-exchange stage within a register: a lane keeps its own index unless its key changed. */
function stage(r: Register, partner: number[], maxLanes: number): Register {
  const keys = r.keys.slice();
  const index = r.index.slice();
  for (let l = 0; l < LANES; l++) {
    const a = r.keys[l];
    const b = r.keys[partner[l]];
    const v = (maxLanes >> l) & 1 ? Math.max(a, b) : Math.min(a, b);
    keys[l] = v;
    index[l] = v === a ? r.index[l] : r.index[partner[l]];
  }
  return { keys, index };
}

/** Lane-wise compare-exchange between two registers (minimum to `a`); equal keys stay put. */
function compareExchange(a: Register, b: Register): void {
  for (let l = 0; l < LANES; l++) {
    const k1 = a.keys[l];
    const k2 = b.keys[l];
    const firstIsMin = Math.min(k1, k2) === k1;
    const [i1, i2] = firstIsMin ? [a.index[l], b.index[l]] : [b.index[l], a.index[l]];
    a.keys[l] = Math.min(k1, k2);
    b.keys[l] = Math.max(k1, k2);
    a.index[l] = i1;
    b.index[l] = i2;
  }
}

const reversed = (r: Register): Register => ({ keys: r.keys.slice().reverse(), index: r.index.slice().reverse() });

/** Merges `n` sorted registers at `offset` (x86-simd-sort's `bitonic_merge_n_vec`). */
function mergeRegisters(regs: Register[], offset: number, n: number): void {
  for (let i = 0; i < n / 2; i++) {
    const upper = reversed(regs[offset + n - i - 1]);
    compareExchange(regs[offset + i], upper);
    regs[offset + n - i - 1] = reversed(upper);
  }
  for (let num = n / 2; num >= 2; num /= 2) {
    for (let j = 0; j < n; j += num) for (let i = 0; i < num / 2; i++) compareExchange(regs[offset + i + j], regs[offset + i + j + num / 2]);
  }
  for (let i = 0; i < n; i++) regs[offset + i] = MERGE_STAGES.reduce((r, [p, m]) => stage(r, p, m), regs[offset + i]);
}

/** Indices that sort `keys` ascending, with numpy 2's (AVX-512) order among equal keys; up to 256 keys, beyond that stable. */
export function numpyArgsort(keys: ArrayLike<number>): number[] {
  const n = keys.length;
  if (n <= 1) return n ? [0] : [];
  if (n > 256) return Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a] - keys[b] || a - b);
  let vectors = 32;
  while (vectors > 1 && n * 2 <= vectors * LANES) vectors /= 2;
  const regs: Register[] = [];
  for (let v = 0; v < vectors; v++) {
    const r: Register = { keys: [], index: [] };
    for (let l = 0; l < LANES; l++) {
      const j = v * LANES + l;
      r.keys.push(j < n ? keys[j] : Infinity);
      r.index.push(j < n ? j : Number.MAX_SAFE_INTEGER);
    }
    regs.push(SORT_STAGES.reduce((x, [p, m]) => stage(x, p, m), r));
  }
  for (let per = 2; per <= vectors; per *= 2) for (let g = 0; g < vectors / per; g++) mergeRegisters(regs, g * per, per);
  return regs.flatMap((r) => r.index).slice(0, n);
}
