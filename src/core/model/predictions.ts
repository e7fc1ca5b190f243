/**
 * A batch's scores → each token's label, confidence and label distribution: CRF decoding (Viterbi
 * path, forward-backward marginals) or the softmax argmax. Plain typed arrays, shared by the
 * native network and the portable one, so both decode exactly alike.
 */
import { type CrfConstraints, type CrfScores, decodeCrfBatch } from './crf-decode';

/** Per-token output of the network for one sentence. */
export interface TokenPrediction {
  /** Label index. */
  label: number;
  /** Probability of that label (softmax probability, or CRF marginal). */
  confidence: number;
  /** Label distribution (softmax or CRF marginals) over all labels. */
  distribution: Float32Array;
}

/** One sentence's predictions, with what uncertainty sampling needs of the whole sentence. */
export interface SentencePrediction {
  tokens: TokenPrediction[];
  /**
   * Natural log of the predicted tag sequence's probability: the CRF's log P(path | sentence),
   * or for softmax the sum of each token's log-probability of its label.
   */
  logProbability: number;
  /** Sum over the tokens of the entropy (nats) of their label distribution. */
  entropy: number;
}

/** Entropy in nats of a probability distribution (zero probabilities add nothing). */
export function entropyOf(distribution: ArrayLike<number>): number {
  let entropy = 0;
  for (let k = 0; k < distribution.length; k++) {
    const p = distribution[k]!;
    if (p > 0) entropy -= p * Math.log(p);
  }
  return entropy;
}

function sentencePrediction(tokens: TokenPrediction[], logProbability: number): SentencePrediction {
  let entropy = 0;
  for (const token of tokens) entropy += entropyOf(token.distribution);
  return { tokens, logProbability, entropy };
}

/**
 * @param emissions row-major `[batch, maxLength, K]` emission scores (padding ignored)
 */
export function crfPredictions(
  emissions: Float32Array,
  lengths: ArrayLike<number>,
  maxLength: number,
  scores: CrfScores,
  constraints?: CrfConstraints,
): SentencePrediction[] {
  const K = scores.numTags;
  return decodeCrfBatch(emissions, lengths, maxLength, scores, constraints).map(
    ({ path, marginals, logProbability }) =>
      sentencePrediction(
        path.map((label, t) => {
          const distribution = Float32Array.from(marginals.subarray(t * K, (t + 1) * K));
          return { label, confidence: distribution[label]!, distribution };
        }),
        logProbability,
      ),
  );
}

/**
 * @param probabilities row-major `[batch, maxLength, K]` softmax probabilities (padding ignored)
 */
export function softmaxPredictions(
  probabilities: Float32Array,
  lengths: ArrayLike<number>,
  maxLength: number,
  K: number,
): SentencePrediction[] {
  return Array.from(lengths, (length, b) => {
    let logProbability = 0;
    const tokens = Array.from({ length }, (_, t) => {
      const at = (b * maxLength + t) * K;
      const distribution = probabilities.slice(at, at + K);
      let label = 0;
      for (let k = 1; k < K; k++) if (distribution[k]! > distribution[label]!) label = k;
      logProbability += Math.log(distribution[label]!);
      return { label, confidence: distribution[label]!, distribution };
    });
    return sentencePrediction(tokens, logProbability);
  });
}
