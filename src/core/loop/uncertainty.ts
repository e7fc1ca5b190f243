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
 * What makes two sentences the same to an annotator: their words, case-folded, with digits as 0
 * ("Regards ," and "regards ,", "Call 555-1234" and "Call 555-9876"). Web text repeats
 * greetings, sign-offs and names on their own line, and a model unsure of one is unsure of all.
 */
export function repeatKey(words: readonly string[]): string {
  return words
    .map((w) => w.toLowerCase().replace(/\d/g, '0'))
    .join(' ')
    .trim();
}

/**
 * Indices by descending score (equal scores keep index order: document order, when the items are
 * in document order), except that a sentence repeating a more uncertain one (same `repeatKey`)
 * or one already reviewed (`reviewed`) goes after every first occurrence: reviewing it again would
 * teach the model nothing new, so a round of review covers as many different sentences as it can.
 * Without keys, plain score order.
 */
export function uncertaintyOrder(
  scores: readonly number[],
  keys?: readonly string[],
  reviewed: Iterable<string> = [],
): number[] {
  const ranked = scores
    .map((score, index) => ({ score, index }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map((x) => x.index);
  if (!keys) return ranked;
  const seen = new Set<string>(reviewed);
  const first: number[] = [];
  const repeats: number[] = [];
  for (const index of ranked) {
    const key = keys[index]!;
    if (seen.has(key)) repeats.push(index);
    else {
      seen.add(key);
      first.push(index);
    }
  }
  return [...first, ...repeats];
}

/** The `count` first of `uncertaintyOrder`: what a round of review asks for. */
export function mostUncertain(
  scores: readonly number[],
  count: number,
  keys?: readonly string[],
  reviewed?: Iterable<string>,
): number[] {
  return uncertaintyOrder(scores, keys, reviewed).slice(0, Math.max(0, count));
}
