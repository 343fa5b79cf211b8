import { openSync } from "node:fs";

/** An audio input that could not be read or decoded. */
export class AudioLoadError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = "AudioLoadError";
  }
}

/** Opens an audio file for reading; a failure is an `AudioLoadError` naming the file and the errno code. */
export function openAudioFile(file: string): number {
  try {
    return openSync(file, "r");
  } catch (e) {
    throw new AudioLoadError(file, `cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}
