/**
 * A progress bar on stderr that appears only once an operation has run for a second, and only
 * on a terminal (logs and pipes get the final summary line instead).
 */
export class ProgressBar {
  private readonly start = performance.now();
  private shown = false;
  private lastLength = 0;
  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  /** Redraws the bar; `detail` (e.g. the current stage) is shown after the count. */
  update(done: number, total: number, detail = ""): void {
    if (!this.stream.isTTY || performance.now() - this.start < 1000) return;
    const width = 30;
    const filled = Math.round((width * done) / Math.max(1, total));
    const line = `\r${this.label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}${detail ? ` ${detail}` : ""}`;
    // Pad so a shorter line fully overwrites the previous one.
    this.stream.write(line.padEnd(this.lastLength));
    this.lastLength = line.length;
    this.shown = true;
  }

  finish(): void {
    if (this.shown) this.stream.write("\n");
  }
}
