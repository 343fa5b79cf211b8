/**
 * openai-whisper's `MaximumLikelihoodRanker`: among a group's finished candidates, the highest
 * sum of log-probabilities divided by the length (no length penalty given), or by Google NMT's
 * ((5 + length) / 6) ** alpha.
 */

/** The index of the best candidate (the first of equals, as `np.argmax`). */
export function rankCandidates(candidates: readonly { tokens: readonly number[]; sumLogprob: number }[], lengthPenalty: number | null | undefined): number {
  let best = 0;
  let bestScore = -Infinity;
  candidates.forEach((c, i) => {
    const n = c.tokens.length;
    const penalty = lengthPenalty === null || lengthPenalty === undefined ? n : ((5 + n) / 6) ** lengthPenalty;
    const score = c.sumLogprob / penalty;
    if (i === 0 || score > bestScore) {
      best = i;
      bestScore = score;
    }
  });
  return best;
}
