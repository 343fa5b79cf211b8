import { describe, expect, it } from "vitest";
import { EnglishNumberNormalizer, EnglishSpellingNormalizer, EnglishTextNormalizer } from "../src/index.js";

// The examples of openai-whisper's tests/test_normalizer.py, which both normalisers must pass.
const NUMBER_CASES: [string, string][] = [
  ["two", "2"],
  ["thirty one", "31"],
  ["five twenty four", "524"],
  ["nineteen ninety nine", "1999"],
  ["twenty nineteen", "2019"],
  ["two point five million", "2500000"],
  ["four point two billions", "4200000000s"],
  ["200 thousand", "200000"],
  ["200 thousand dollars", "$200000"],
  ["$20 million", "$20000000"],
  ["€52.4 million", "€52400000"],
  ["£77 thousands", "£77000s"],
  ["two double o eight", "2008"],
  ["three thousand twenty nine", "3029"],
  ["forty three thousand two hundred sixty", "43260"],
  ["forty three thousand two hundred and sixty", "43260"],
  ["nineteen fifties", "1950s"],
  ["thirty first", "31st"],
  ["thirty three thousand and three hundred and thirty third", "33333rd"],
  ["three billion", "3000000000"],
  ["millions", "1000000s"],
  ["july third twenty twenty", "july 3rd 2020"],
  ["august twenty sixth twenty twenty one", "august 26th 2021"],
  ["3 14", "3 14"],
  ["3.14", "3.14"],
  ["3 point 2", "3.2"],
  ["3 point 14", "3.14"],
  ["fourteen point 4", "14.4"],
  ["two point two five dollars", "$2.25"],
  ["two hundred million dollars", "$200000000"],
  ["$20.1 million", "$20100000"],
  ["ninety percent", "90%"],
  ["seventy six per cent", "76%"],
  ["double oh seven", "007"],
  ["double zero seven", "007"],
  ["nine one one", "911"],
  ["nine double one", "911"],
  ["one triple oh one", "10001"],
  ["two thousandth", "2000th"],
  ["thirty two thousandth", "32000th"],
  ["minus 500", "-500"],
  ["positive twenty thousand", "+20000"],
  ["two dollars and seventy cents", "$2.70"],
  ["3 cents", "¢3"],
  ["$0.36", "¢36"],
  ["three euros and sixty five cents", "€3.65"],
  ["three and a half million", "3500000"],
  ["forty eight and a half dollars", "$48.5"],
  ["b747", "b 747"],
  ["10 th", "10th"],
  ["10th", "10th"],
];

describe("EnglishNumberNormalizer", () => {
  const numbers = new EnglishNumberNormalizer();
  it.each(NUMBER_CASES)("%s → %s", (input, want) => expect(numbers.normalize(input)).toBe(want));
});

describe("EnglishTextNormalizer", () => {
  const text = new EnglishTextNormalizer();
  it.each(NUMBER_CASES)("numbers: %s → %s", (input, want) => expect(text.normalize(input)).toBe(want));
  it("expands contractions, titles and splits letters from digits", () => {
    expect(text.normalize("Let's")).toBe("let us");
    expect(text.normalize("he's like")).toBe("he is like");
    expect(text.normalize("she's been like")).toBe("she has been like");
    expect(text.normalize("10km")).toBe("10 km");
    expect(text.normalize("10mm")).toBe("10 mm");
    expect(text.normalize("RC232")).toBe("rc 232");
    expect(text.normalize("Mr. Park visited Assoc. Prof. Kim Jr.")).toBe("mister park visited associate professor kim junior");
  });
  it("drops bracketed words, fillers and diacritics", () => {
    expect(text.normalize("[MUSIC] Hmm, the café (quietly) opened")).toBe("the cafe opened");
  });
});

describe("EnglishSpellingNormalizer", () => {
  const spelling = new EnglishSpellingNormalizer();
  it("maps British spellings to American ones", () => {
    expect(spelling.normalize("mobilisation")).toBe("mobilization");
    expect(spelling.normalize("cancelation")).toBe("cancellation");
    expect(spelling.normalize("the colour of the harbour")).toBe("the color of the harbor");
  });
});
