import { fileURLToPath } from "node:url";

/** The repository root (this file lives in packages/cli/dist). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The bundled demo model: synth-whisper-256 converted by `pnpm convert` (fp16). */
export const BUNDLED_MODEL = `${REPO_ROOT}fixtures/models/synth-whisper-256-mlx`;

/** Silero VAD v6 converted to MLX by `pnpm convert silero-vad` (for `--vad_backend mlx`). */
export const BUNDLED_SILERO_MLX = `${REPO_ROOT}fixtures/models/silero-vad-mlx`;

/** synth-wav2vec2 (torchaudio base-960h labels) converted by `pnpm convert wav2vec2` (fp16): the demo aligner. */
export const BUNDLED_ALIGN_MODEL = `${REPO_ROOT}fixtures/models/synth-wav2vec2-mlx`;
