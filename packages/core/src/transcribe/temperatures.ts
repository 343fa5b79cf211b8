/** openai-whisper's and WhisperX's fallback temperatures: 0, 0.2, …, 1.0. */
export const DEFAULT_TEMPERATURES: readonly number[] = [0, 0.2, 0.4, 0.6, 0.8, 1.0];

/** The temperatures `--temperature t --temperature_increment_on_fallback inc` describe (openai-whisper's CLI). */
export function temperatureSchedule(start: number, increment: number | null): number[] {
  if (increment === null || increment <= 0) return [start];
  const out: number[] = [];
  for (let v = start; v <= 1.0 + 1e-6; v += increment) out.push(Math.round(v * 1e6) / 1e6);
  return out;
}
