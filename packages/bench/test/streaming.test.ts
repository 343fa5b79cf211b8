import { describe, expect, it } from "vitest";
import { matchWords } from "../src/workloads/streaming.js";

describe("matchWords", () => {
  it("pairs equal words along a minimum-edit alignment", () => {
    expect(matchWords(["a", "b", "c", "d"], ["a", "x", "c", "d"])).toEqual([[0, 0], [2, 2], [3, 3]]);
    expect(matchWords(["a", "c"], ["a", "b", "c"])).toEqual([[0, 0], [1, 2]]);
    expect(matchWords([], ["a"])).toEqual([]);
    expect(matchWords(["the", "the", "cat"], ["the", "cat"])).toHaveLength(2);
  });
});
