/**
 * How unsure the model is about a tagged sentence, for ordering the review queue (most unsure
 * first: an annotator's minute is worth most there). Scores are plain functions of a sentence's
 * suggestions, kept in a table so others (entropy, MNLP for active learning) can be added and
 * chosen by name.
 */
import type { SentenceSuggestions } from './suggestions';

/** Higher means less sure. Sees the sentence's tokens (tag, marginal confidence, alternatives) and entities. */
export type UncertaintyScore = (sentence: Pick<SentenceSuggestions, 'tokens' | 'entities'>) => number;

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

export const UNCERTAINTY_SCORES: Record<string, UncertaintyScore> = { leastConfidence };
export const DEFAULT_UNCERTAINTY = 'leastConfidence';

/** The score named `name`, or the default when there is no such score. */
export function uncertaintyScore(name: string = DEFAULT_UNCERTAINTY): UncertaintyScore {
  return UNCERTAINTY_SCORES[name] ?? leastConfidence;
}

/** Items most uncertain first; ties keep their order (document order, say). */
export function byUncertainty<T>(items: readonly T[], score: (item: T) => number): T[] {
  return items
    .map((item, index) => ({ item, index, score: score(item) }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map((x) => x.item);
}
