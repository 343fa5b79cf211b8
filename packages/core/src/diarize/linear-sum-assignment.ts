/**
 * Maximum-weight assignment of rows to columns (scipy's `linear_sum_assignment(cost, maximize=True)`)
 * for the small matrices diarization builds: a chunk's 3 local speakers against the clusters. Every
 * injective assignment of the shorter side is tried, so the answer is optimal; among equal sums the
 * first in lexicographic order wins.
 */
export function maximumAssignment(weights: Float64Array, rows: number, cols: number): Int32Array {
  const transpose = rows > cols;
  const r = transpose ? cols : rows;
  const c = transpose ? rows : cols;
  const at = (i: number, j: number) => (transpose ? weights[j * cols + i] : weights[i * cols + j]);
  let best = -Infinity;
  let bestChoice: number[] = [];
  const choice: number[] = [];
  const used = new Uint8Array(c);
  const search = (i: number, sum: number): void => {
    if (i === r) {
      if (sum > best) {
        best = sum;
        bestChoice = choice.slice();
      }
      return;
    }
    for (let j = 0; j < c; j++) {
      if (used[j]) continue;
      used[j] = 1;
      choice.push(j);
      search(i + 1, sum + at(i, j));
      choice.pop();
      used[j] = 0;
    }
  };
  search(0, 0);
  // result[row] = column, −1 when the row is unassigned.
  const result = new Int32Array(rows).fill(-1);
  bestChoice.forEach((j, i) => {
    if (transpose) result[j] = i;
    else result[i] = j;
  });
  return result;
}
