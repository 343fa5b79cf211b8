/** Per-(chunk, local speaker) embeddings and the vector helpers the clustering steps share. */

/** Embeddings of every local speaker of every chunk: `data[(c·numSpeakers + s)·dimension + d]`; NaN rows are invalid. */
export interface ChunkEmbeddings {
  numChunks: number;
  numSpeakers: number;
  dimension: number;
  data: Float32Array;
}

/** Row i of a row-major matrix, as float64. */
export function row(data: ArrayLike<number>, i: number, dimension: number): Float64Array {
  const out = new Float64Array(dimension);
  for (let d = 0; d < dimension; d++) out[d] = data[i * dimension + d];
  return out;
}

/** Rows scaled to unit Euclidean norm. */
export function l2Normalize(rows: Float64Array, n: number, dimension: number): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < dimension; d++) s += rows[i * dimension + d] ** 2;
    const norm = Math.sqrt(s);
    for (let d = 0; d < dimension; d++) out[i * dimension + d] = rows[i * dimension + d] / norm;
  }
  return out;
}

/** scipy's cosine distance, 1 − u·v / (‖u‖‖v‖). */
export function cosineDistance(u: ArrayLike<number>, uOffset: number, v: ArrayLike<number>, vOffset: number, dimension: number): number {
  let dot = 0;
  let uu = 0;
  let vv = 0;
  for (let d = 0; d < dimension; d++) {
    const a = u[uOffset + d];
    const b = v[vOffset + d];
    dot += a * b;
    uu += a * a;
    vv += b * b;
  }
  return 1 - dot / Math.sqrt(uu * vv);
}

/** Mean of the selected rows. */
export function meanOfRows(rows: Float64Array, dimension: number, members: readonly number[]): Float64Array {
  const out = new Float64Array(dimension);
  for (const i of members) for (let d = 0; d < dimension; d++) out[d] += rows[i * dimension + d];
  for (let d = 0; d < dimension; d++) out[d] /= members.length;
  return out;
}
