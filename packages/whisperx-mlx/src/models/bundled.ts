/**
 * The models that travel with the package: the synthetic demo Whisper and its aligner (real
 * checkpoints in OpenAI's and torchaudio's formats, trained only on espeak-ng speech), and Silero
 * VAD converted for MLX. They live in `models/` of the installed package, or `fixtures/models/` of
 * the repository; WHISPERX_MLX_MODELS_DIR points elsewhere.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The bundled demo Whisper model's name (synthetic speech only). */
export const DEMO_MODEL = "synth-whisper-256";
/** The bundled demo aligner's name (synthetic speech only, English). */
export const DEMO_ALIGN_MODEL = "synth-wav2vec2";
/** The bundled Silero VAD for the MLX runtime. */
export const BUNDLED_SILERO_MLX = "silero-vad";

const DIRS: Record<string, string> = {
  [DEMO_MODEL]: "synth-whisper-256-mlx",
  [DEMO_ALIGN_MODEL]: "synth-wav2vec2-mlx",
  [BUNDLED_SILERO_MLX]: "silero-vad-mlx",
};

/** The directory holding the bundled models. */
export function bundledModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WHISPERX_MLX_MODELS_DIR) return env.WHISPERX_MLX_MODELS_DIR;
  const installed = fileURLToPath(new URL("../../models/", import.meta.url));
  const repository = fileURLToPath(new URL("../../../../fixtures/models/", import.meta.url));
  return existsSync(join(installed, DIRS[DEMO_MODEL])) ? installed : repository;
}

/** The directory of a bundled model by name, or undefined for other names. */
export function bundledModel(name: string): string | undefined {
  const sub = DIRS[name];
  return sub === undefined ? undefined : join(bundledModelsDir(), sub);
}
