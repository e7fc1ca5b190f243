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

/**
 * @param emissions row-major `[batch, maxLength, K]` emission scores (padding ignored)
 */
export function crfPredictions(
  emissions: Float32Array,
  lengths: ArrayLike<number>,
  maxLength: number,
  scores: CrfScores,
  constraints?: CrfConstraints,
): TokenPrediction[][] {
  const K = scores.numTags;
  return decodeCrfBatch(emissions, lengths, maxLength, scores, constraints).map(({ path, marginals }) =>
    path.map((label, t) => {
      const distribution = Float32Array.from(marginals.subarray(t * K, (t + 1) * K));
      return { label, confidence: distribution[label]!, distribution };
    }),
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
): TokenPrediction[][] {
  return Array.from(lengths, (length, b) =>
    Array.from({ length }, (_, t) => {
      const at = (b * maxLength + t) * K;
      const distribution = probabilities.slice(at, at + K);
      let label = 0;
      for (let k = 1; k < K; k++) if (distribution[k]! > distribution[label]!) label = k;
      return { label, confidence: distribution[label]!, distribution };
    }),
  );
}
