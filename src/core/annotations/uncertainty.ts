/**
 * How unsure the model is about a tagged sentence, for ordering the review queue (most unsure
 * first: an annotator's minute is worth most there). Scores are plain functions of a sentence's
 * suggestions, kept in a table so others (entropy, MNLP for active learning) can be added and
 * chosen by name.
 */
import { certaintyOf, uncertainty, uncertaintyOrder } from '../loop/uncertainty';
import type { SentenceSuggestions } from './suggestions';

/**
 * Higher means less sure. Sees the sentence's tokens (tag, marginal confidence, alternatives),
 * entities, and the tagger's log-probability and entropy of the whole sentence when it gave them.
 */
export type UncertaintyScore = (
  sentence: Pick<SentenceSuggestions, 'tokens' | 'entities' | 'logProbability' | 'entropy'>,
) => number;

/**
 * What the loop's measures need of a sentence: the tagger's figures, or without them the chosen
 * tags' probabilities taken as independent (exact for softmax models) and no entropy.
 */
function confidenceOf(sentence: Parameters<UncertaintyScore>[0]) {
  let logProbability = sentence.logProbability;
  if (logProbability === undefined) {
    logProbability = 0;
    for (const token of sentence.tokens) logProbability += Math.log(Math.max(token.confidence, 1e-12));
  }
  return { tokens: sentence.tokens.length, logProbability, entropy: sentence.entropy ?? 0 };
}

/**
 * MNLP (Shen et al. 2017, see core/loop/uncertainty.ts): minus the best path's log-probability per
 * token. It favours short sentences (a name on its own line).
 */
export const mnlp: UncertaintyScore = (sentence) => uncertainty('mnlp', confidenceOf(sentence));

/** Mean token entropy of the label distributions (Settles & Craven 2008). */
export const tokenEntropy: UncertaintyScore = (sentence) => uncertainty('entropy', confidenceOf(sentence));

/**
 * Total token entropy (Settles & Craven 2008): the token entropies summed over the sentence, so a
 * long sentence with many unsure words comes before a one-word one. The model-in-the-loop's
 * default: per reviewed sentence it teaches the model most (bench:loop). Without the tagger's
 * entropy, minus the log-probability of the chosen tags, summed the same way.
 */
export const totalTokenEntropy: UncertaintyScore = (sentence) => {
  const confidence = confidenceOf(sentence);
  return sentence.entropy !== undefined
    ? uncertainty('total-entropy', confidence)
    : -confidence.logProbability || 0;
};

/** How sure the model is per word, 0–1 (the geometric mean probability of its tags), for display. */
export const sentenceCertainty = (sentence: Parameters<UncertaintyScore>[0]): number =>
  certaintyOf(confidenceOf(sentence));

/**
 * Least confidence: one minus the lowest confidence of any token's tag (the CRF marginal or the
 * softmax probability), so the sentence holding the least certain decision comes first, whether
 * that decision is an entity or an `O` that might be a missed one.
 */
export const leastConfidence: UncertaintyScore = (sentence) => {
  let lowest = 1;
  for (const token of sentence.tokens) lowest = Math.min(lowest, token.confidence);
  for (const entity of sentence.entities) lowest = Math.min(lowest, entity.confidence);
  return sentence.tokens.length === 0 && sentence.entities.length === 0 ? 0 : 1 - lowest;
};

export const UNCERTAINTY_SCORES: Record<string, UncertaintyScore> = {
  mnlp,
  tokenEntropy,
  totalTokenEntropy,
  leastConfidence,
};
export const DEFAULT_UNCERTAINTY = 'totalTokenEntropy';

/** The score named `name`, or the default when there is no such score. */
export function uncertaintyScore(name: string = DEFAULT_UNCERTAINTY): UncertaintyScore {
  return UNCERTAINTY_SCORES[name] ?? totalTokenEntropy;
}

/**
 * Items most uncertain first; ties keep their order (document order, say). With `repeats`, an
 * item whose words repeat a more uncertain item's or a reviewed sentence's (`repeatKey` of
 * core/loop/uncertainty.ts) goes after all the others (see `uncertaintyOrder`).
 */
export function byUncertainty<T>(
  items: readonly T[],
  score: (item: T) => number,
  repeats?: { key: (item: T) => string; reviewed?: Iterable<string> },
): T[] {
  return uncertaintyOrder(items.map(score), repeats && items.map(repeats.key), repeats?.reviewed).map(
    (index) => items[index]!,
  );
}
