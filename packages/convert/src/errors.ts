/**
 * An error about an input or output file that is safe to show to a user as one line.
 * The CLI prints `message` and exits with `exitCode`; the stack is only shown with --verbose.
 */
export class ConvertError extends Error {
  readonly exitCode: number;
  constructor(
    readonly file: string,
    problem: string,
    exitCode = 2,
  ) {
    super(`${file}: ${problem}`);
    this.name = "ConvertError";
    this.exitCode = exitCode;
  }
}
