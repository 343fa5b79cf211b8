/**
 * Audio arriving from an async source, taken in pieces of at least a given size. `eager` reads
 * the source in the background (a live source: what arrived during a pass is taken by the next
 * one); otherwise the source is only read when a piece is asked for, so a file streamed faster
 * than real time is never held whole.
 */
export class ChunkQueue {
  private pending: Float32Array[] = [];
  private size = 0;
  private ended = false;
  private error: unknown;
  private wake?: () => void;
  private readonly iterator: AsyncIterator<Float32Array>;
  /** performance.now() when the first samples arrived. */
  firstArrival?: number;

  constructor(
    source: AsyncIterable<Float32Array>,
    private readonly eager: boolean,
  ) {
    this.iterator = source[Symbol.asyncIterator]();
    if (eager) void this.pump();
  }

  private async pull(): Promise<void> {
    const next = await this.iterator.next();
    if (next.done) this.ended = true;
    else if (next.value.length) {
      this.firstArrival ??= performance.now();
      this.pending.push(next.value);
      this.size += next.value.length;
    }
  }

  private async pump(): Promise<void> {
    try {
      while (!this.ended) {
        await this.pull();
        this.wake?.();
      }
    } catch (e) {
      this.error = e;
      this.ended = true;
    }
    this.wake?.();
  }

  /** The next `min`..`max` samples (fewer only at the end); undefined once the source is spent. */
  async take(min: number, max = Infinity): Promise<Float32Array | undefined> {
    while (this.size < min && !this.ended) {
      if (this.eager) await new Promise<void>((resolve) => (this.wake = resolve));
      else await this.pull();
    }
    if (this.error !== undefined) throw this.error;
    if (this.size === 0) return undefined;
    const n = Math.min(this.size, max);
    const out = new Float32Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.pending[0];
      const part = Math.min(head.length, n - filled);
      out.set(head.subarray(0, part), filled);
      filled += part;
      if (part === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(part);
    }
    this.size -= n;
    return out;
  }
}
