/** An async source of audio blocks fed by pushes (a socket's frames), ended once. */
export class PushSource implements AsyncIterable<Float32Array> {
  private blocks: Float32Array[] = [];
  private ended = false;
  private wake?: () => void;
  /** Samples pushed and not yet taken. */
  pendingSamples = 0;

  push(block: Float32Array): void {
    if (this.ended) return;
    this.blocks.push(block);
    this.pendingSamples += block.length;
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Float32Array> {
    for (;;) {
      const block = this.blocks.shift();
      if (block) {
        this.pendingSamples -= block.length;
        yield block;
      } else if (this.ended) return;
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}
