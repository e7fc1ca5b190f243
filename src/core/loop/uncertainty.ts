/**
 * Uncertainty sampling: how unsure the model is about a whole sentence, so the annotator is
 * asked first for the sentences that teach it most. Two measures, for CRF and softmax models
 * alike (the tagger reports a sentence's log-probability and entropy, see `tagScored`):
 *
 * - `mnlp`: maximum normalized log-probability (Shen et al. 2017, "Deep Active Learning for Named
 *   Entity Recognition"): log P(best tags | sentence) / tokens. The CRF's path probability, or the
 *   product of the softmax's per-token maxima. Dividing by the length keeps long sentences from
 *   always coming first, as the plain probability would make them.
 * - `entropy`: token entropy (Settles & Craven 2008, "An Analysis of Active Learning Strategies
 *   for Sequence Labeling Tasks"): the mean over tokens of the entropy of their label
 *   distribution (the CRF's forward-backward marginals, or the softmax).
 * - `total-entropy`: total token entropy (the same paper): that entropy summed over the tokens,
 *   not averaged. It favours long sentences with many unsure words, which is what to ask for
 *   when the annotator's effort is counted in sentences rather than in words.
 *
 * Both are turned into "higher is less sure" so callers sort one way.
 */

export type UncertaintyMeasure = 'mnlp' | 'entropy' | 'total-entropy';

export const UNCERTAINTY_MEASURES: readonly UncertaintyMeasure[] = ['mnlp', 'entropy', 'total-entropy'];

/** What a measure needs of a tagged sentence. */
export interface SentenceConfidence {
  /** Tokens in the sentence. */
  tokens: number;
  /** Natural log of the probability of the predicted tags. */
  logProbability: number;
  /** Summed token entropies, in nats. */
  entropy: number;
}

/** Shen et al.'s MNLP: the best path's log-probability per token (≤ 0; 0 for an empty sentence). */
export function normalizedLogProbability(sentence: SentenceConfidence): number {
  return sentence.tokens === 0 ? 0 : sentence.logProbability / sentence.tokens;
}

/** The mean token entropy in nats (0 for an empty sentence). */
export function meanTokenEntropy(sentence: SentenceConfidence): number {
  return sentence.tokens === 0 ? 0 : sentence.entropy / sentence.tokens;
}

/** How unsure the model is about a sentence: higher is less sure, 0 is certain. */
export function uncertainty(measure: UncertaintyMeasure, sentence: SentenceConfidence): number {
  switch (measure) {
    case 'mnlp':
      // `|| 0` turns the −0 of a certain sentence into 0.
      return -normalizedLogProbability(sentence) || 0;
    case 'entropy':
      return meanTokenEntropy(sentence);
    case 'total-entropy':
      return sentence.entropy;
  }
}

/**
 * How sure the model is per word, as a probability people can read ("62% sure"): the geometric
 * mean probability of the best tags (e^MNLP). The same for every measure, so the review queue
 * shows one kind of figure whatever orders it.
 */
export function certaintyOf(sentence: SentenceConfidence): number {
  return Math.exp(normalizedLogProbability(sentence));
}

/**
 * Indices of the `count` highest scores, highest first; equal scores keep index order (document
 * order, when the items are in document order).
 */
export function mostUncertain(scores: readonly number[], count: number): number[] {
  return scores
    .map((score, index) => ({ score, index }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, Math.max(0, count))
    .map((x) => x.index);
}
