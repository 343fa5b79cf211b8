/**
 * Sentence spans for WhisperX's sub-segments. WhisperX uses NLTK punkt; we use the ICU sentence
 * segmenter built into Node (`Intl.Segmenter`, granularity "sentence"), with each span's
 * trailing whitespace trimmed as punkt's `span_tokenize` does.
 */
export function sentenceSpans(text: string, language = "en"): [number, number][] {
  let segmenter: Intl.Segmenter;
  try {
    segmenter = new Intl.Segmenter(language, { granularity: "sentence" });
  } catch {
    segmenter = new Intl.Segmenter("en", { granularity: "sentence" });
  }
  const spans: [number, number][] = [];
  for (const s of segmenter.segment(text)) {
    const start = s.index + (s.segment.length - s.segment.trimStart().length);
    const end = s.index + s.segment.trimEnd().length;
    if (end > start) spans.push([start, end]);
  }
  return spans;
}
