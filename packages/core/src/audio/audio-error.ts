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
