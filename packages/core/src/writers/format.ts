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

/**
 * Python's `repr(float)`: the shortest round-trip digits, a trailing `.0` on integral values,
 * and exponent notation below 1e-4 or from 1e16 on (`1e-05`, `1.5e+16`).
 */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, exp] = x.toExponential().split("e");
  const e = Number(exp);
  if (e < -4 || e >= 16) return `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  const s = String(x);
  return s.includes(".") ? s : `${s}.0`;
}

/** Keys whose numbers are Python ints in WhisperX/openai-whisper results (everything else is a float). */
const INT_KEYS = new Set(["id", "seek", "tokens"]);

/**
 * `json.dumps(value, ensure_ascii=False)` as Python writes WhisperX's results: `", "` and
 * `": "` separators, floats in `repr` form, NaN/Infinity literals. Numbers under `INT_KEYS`
 * are written as integers.
 */
export function pythonJson(value: unknown, intContext = false): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
    return intContext && Number.isInteger(value) ? String(value) : pythonFloat(value);
  }
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Array.isArray(value)) return `[${value.map((v) => pythonJson(v, intContext)).join(", ")}]`;
  if (ArrayBuffer.isView(value)) return pythonJson(Array.from(value as unknown as ArrayLike<number>), intContext);
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${pythonJson(v, INT_KEYS.has(k))}`).join(", ")}}`;
}
