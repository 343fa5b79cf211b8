/** The CLI's messages on stderr, one line each, filtered by level (WhisperX's `--log-level`). */

/** Message levels, as Python's logging names them. */
export type LogLevel = "debug" | "info" | "warning" | "error" | "critical";

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warning: 30, error: 40, critical: 50 };

/** A stderr logger that prints `<prefix>: <message>` at `threshold` and above. */
export class Log {
  constructor(
    private readonly prefix: string,
    private readonly threshold: LogLevel,
    private readonly stream: NodeJS.WritableStream = process.stderr,
  ) {}

  private write(level: LogLevel, message: string): void {
    if (ORDER[level] >= ORDER[this.threshold]) this.stream.write(`${this.prefix}: ${message}\n`);
  }

  debug = (message: string) => this.write("debug", message);
  info = (message: string) => this.write("info", message);
  warning = (message: string) => this.write("warning", message);
  error = (message: string) => this.write("error", message);
}
