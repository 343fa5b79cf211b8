/**
 * A progress bar on stderr that appears only once an operation has run for a second, and only
 * on a terminal (logs and pipes get the final summary line instead).
 */
export class ProgressBar {
  private readonly start = performance.now();
  private shown = false;
  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, total: number): void {
    if (!this.stream.isTTY || performance.now() - this.start < 1000) return;
    const width = 30;
    const filled = Math.round((width * done) / Math.max(1, total));
    this.stream.write(`\r${this.label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}`);
    this.shown = true;
  }

  finish(): void {
    if (this.shown) this.stream.write("\n");
  }
}
