/** Python's `round()` to an integer: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** WhisperX's `format_timestamp`: `[HH:]MM:SS<marker>mmm`. */
export function formatTimestamp(seconds: number, alwaysIncludeHours = false, decimalMarker = "."): string {
  if (!(seconds >= 0)) throw new Error(`non-negative timestamp expected, got ${seconds}`);
  let ms = roundHalfEven(seconds * 1000);
  const hours = Math.floor(ms / 3_600_000);
  ms -= hours * 3_600_000;
  const minutes = Math.floor(ms / 60_000);
  ms -= minutes * 60_000;
  const secs = Math.floor(ms / 1000);
  ms -= secs * 1000;
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${alwaysIncludeHours || hours > 0 ? `${p(hours)}:` : ""}${p(minutes)}:${p(secs)}${decimalMarker}${p(ms, 3)}`;
}

/** Python's `repr(float)`: integers keep a trailing `.0`. */
export function pythonFloat(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}
