/**
 * How unsure the model is about a tagged sentence, for ordering the review queue (most unsure
 * first: an annotator's minute is worth most there). Scores are plain functions of a sentence's
 * suggestions, kept in a table so others (entropy, MNLP for active learning) can be added and
 * chosen by name.
 */
import { certaintyOf, uncertainty } from '../loop/uncertainty';
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
 * token. The model-in-the-loop's default: it asks for what teaches the model most.
 */
export const mnlp: UncertaintyScore = (sentence) => uncertainty('mnlp', confidenceOf(sentence));

/** Mean token entropy of the label distributions (Settles & Craven 2008). */
export const tokenEntropy: UncertaintyScore = (sentence) => uncertainty('entropy', confidenceOf(sentence));

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

export const UNCERTAINTY_SCORES: Record<string, UncertaintyScore> = { mnlp, tokenEntropy, leastConfidence };
export const DEFAULT_UNCERTAINTY = 'mnlp';

/** The score named `name`, or the default when there is no such score. */
export function uncertaintyScore(name: string = DEFAULT_UNCERTAINTY): UncertaintyScore {
  return UNCERTAINTY_SCORES[name] ?? mnlp;
}

/** Items most uncertain first; ties keep their order (document order, say). */
export function byUncertainty<T>(items: readonly T[], score: (item: T) => number): T[] {
  return items
    .map((item, index) => ({ item, index, score: score(item) }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map((x) => x.item);
}
