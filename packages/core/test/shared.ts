import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** `../shared` beside the repository (override with SHARED_DIR). */
export const SHARED = process.env.SHARED_DIR ?? fileURLToPath(new URL("../../../../shared/", import.meta.url));
if (!existsSync(`${SHARED}/fixtures`)) throw new Error(`shared fixtures not found at ${SHARED} (set SHARED_DIR)`);
export const SYNTH = `${SHARED}/fixtures/synth-whisper-256`;
export const DIARIZATION = `${SHARED}/fixtures/synth-diarization`;
