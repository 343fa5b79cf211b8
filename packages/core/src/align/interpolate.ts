/** How `interpolateNans` fills gaps (WhisperX `--interpolate_method`). */
export type InterpolateMethod = "nearest" | "linear" | "ignore";

/**
 * WhisperX's `interpolate_nans`: pandas `interpolate(method)` over positions for interior gaps,
 * then forward- and back-fill; with one or no known value, only the fills. `ignore` leaves gaps.
 */
export function interpolateNans(values: (number | undefined)[], method: InterpolateMethod): (number | undefined)[] {
  if (method === "ignore") return [...values];
  const out = [...values];
  const known = out.map((v, i) => (v === undefined || Number.isNaN(v) ? -1 : i)).filter((i) => i >= 0);
  if (known.length > 1) {
    for (let k = 0; k + 1 < known.length; k++) {
      const a = known[k];
      const b = known[k + 1];
      for (let i = a + 1; i < b; i++) {
        const va = out[a] as number;
        const vb = out[b] as number;
        out[i] = method === "linear" ? va + ((vb - va) * (i - a)) / (b - a) : i - a <= b - i ? va : vb;
      }
    }
  }
  // forward fill, then back fill
  for (let i = 1; i < out.length; i++) if (out[i] === undefined && out[i - 1] !== undefined) out[i] = out[i - 1];
  for (let i = out.length - 2; i >= 0; i--) if (out[i] === undefined && out[i + 1] !== undefined) out[i] = out[i + 1];
  return out;
}
