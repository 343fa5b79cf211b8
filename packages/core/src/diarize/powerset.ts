/** pyannote's powerset decoding: the most likely class of each frame, as local-speaker activity. */

/** The speakers of each powerset class for 3 speakers, at most 2 at once: {}, {0}, {1}, {2}, {0,1}, {0,2}, {1,2}. */
export function powersetClasses(numSpeakers: number, maxSetSize: number): number[][] {
  const classes: number[][] = [[]];
  const grow = (prefix: number[], from: number, size: number) => {
    if (prefix.length === size) {
      classes.push(prefix);
      return;
    }
    for (let s = from; s < numSpeakers; s++) grow([...prefix, s], s + 1, size);
  };
  for (let size = 1; size <= maxSetSize; size++) grow([], 0, size);
  return classes;
}

/** Hard multi-label activity (frames × speakers, 0/1) from log-probabilities (frames × classes): argmax, first on ties. */
export function decodePowerset(logProbs: Float32Array, frames: number, classes: number[][], numSpeakers: number, out = new Uint8Array(frames * numSpeakers), outOffset = 0, inOffset = 0): Uint8Array {
  const k = classes.length;
  for (let f = 0; f < frames; f++) {
    let best = 0;
    let bestValue = logProbs[inOffset + f * k];
    for (let c = 1; c < k; c++) {
      const v = logProbs[inOffset + f * k + c];
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    for (const s of classes[best]) out[outOffset + f * numSpeakers + s] = 1;
  }
  return out;
}
