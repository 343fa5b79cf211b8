// Microphone capture: the first channel, resampled to 16 kHz when the context runs at another
// rate (linear interpolation), posted in ~100 ms blocks of float32.
class CaptureProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.ratio = sampleRate / 16000;
    this.pos = 0; // position of the next output sample, in input samples since `prev`
    this.prev = 0; // the last input sample of the previous block
    this.block = new Float32Array(1600);
    this.filled = 0;
  }
  emit(x) {
    this.block[this.filled++] = x;
    if (this.filled === this.block.length) {
      this.port.postMessage(this.block, [this.block.buffer]);
      this.block = new Float32Array(1600);
      this.filled = 0;
    }
  }
  process(inputs) {
    const input = inputs[0] && inputs[0][0];
    if (!input) return true; // the block size may vary; no input yet
    if (this.ratio === 1) {
      for (let i = 0; i < input.length; i++) this.emit(input[i]);
      return true;
    }
    // Input index -1 is `prev`; output samples fall at pos, pos + ratio, …
    while (this.pos < input.length - 1) {
      const i = Math.floor(this.pos);
      const f = this.pos - i;
      const a = i < 0 ? this.prev : input[i];
      const b = input[i + 1];
      this.emit(a + (b - a) * f);
      this.pos += this.ratio;
    }
    this.pos -= input.length;
    this.prev = input[input.length - 1];
    return true;
  }
}
registerProcessor("capture", CaptureProcessor);
