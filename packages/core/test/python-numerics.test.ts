/** Python/numpy/pandas arithmetic, checked against values printed by Python 3.11, numpy 1.24, pandas 1.5. */
import { describe, expect, it } from "vitest";
import { numpyRound3, pandasMean, pythonRound3 } from "../src/index.js";

describe("Python, numpy and pandas numerics", () => {
  it("pythonRound3 is round(x, 3): exact halves go to even", () => {
    const cases: [number, number][] = [[0.0625, 0.062], [0.1875, 0.188], [0.3125, 0.312], [1.0625, 1.062], [-0.0625, -0.062], [2.675, 2.675], [0.0005, 0.001], [1.23456, 1.235]];
    for (const [x, r] of cases) expect(pythonRound3(x), String(x)).toBe(r);
  });

  it("numpyRound3 is round(np.float64(x), 3): x·1000 rounded half to even", () => {
    expect(numpyRound3(0.8145)).toBe(0.814); // Python's round() gives 0.815
    expect(pythonRound3(0.8145)).toBe(0.815);
    expect(numpyRound3(2.0005)).toBe(2.001);
  });

  it("pandasMean is Series.mean(): numpy's pairwise sum, NaN as 0 in the sum and out of the count", () => {
    const cases: [number[], number, number][] = [
      [[0.574, 0.525, 0.875, 0.729, 0.288, 0.98, 0.118, 0.418, 0.757], 0.5848888888888889, 0.5848888888888888],
      [[0.958, 0.151, Number.NaN, 0.232, 0.233, 0.485, 0.589, 0.263, 0.004, 0.419, 0.369], 0.37029999999999996, 0.3703],
      [[0.305, 0.759, 0.29, 0.5, 0.178, 0.347, 0.018, 0.25, 0.015, 0.733, 0.551, 0.189, 0.475], 0.35461538461538467, 0.35461538461538455],
    ];
    for (const [xs, pandas, sequential] of cases) {
      expect(pandasMean(xs)).toBe(pandas);
      const known = xs.filter((x) => !Number.isNaN(x));
      expect(known.reduce((a, b) => a + b, 0) / known.length).toBe(sequential); // what a plain loop gives
    }
    expect(pandasMean([Number.NaN, undefined])).toBeNaN();
  });
});
