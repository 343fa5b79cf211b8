/**
 * One loaded model shared by every client: passes run one at a time, in the order they were
 * asked for (an engine session is not re-entrant, and two passes at once would only share the
 * same cores).
 */
import type { StreamModel } from "@whisperx-mlx/core";

export class ModelQueue {
  private tail: Promise<unknown> = Promise.resolve();
  /** Passes waiting or running. */
  depth = 0;

  constructor(private readonly model: StreamModel) {}

  /** The model as a stream sees it, with every pass queued. */
  get queued(): StreamModel {
    return { decodeWindows: (audio, options) => this.run(() => this.model.decodeWindows(audio, options)) };
  }

  private run<T>(task: () => Promise<T>): Promise<T> {
    this.depth++;
    const result = this.tail.then(task);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result.finally(() => this.depth--);
  }
}
