/**
 * A batch's scores → each token's label, confidence and label distribution: CRF decoding (Viterbi
 * path, forward-backward marginals) or the softmax argmax. Plain typed arrays, shared by the
 * native network and the portable one, so both decode exactly alike.
 */
import { type CrfConstraints, type CrfScores, decodeCrfBatch } from './crf-decode';

/**
 * The network's output for one sentence, as flat arrays: one object per sentence, none per token
 * (a document's worth of per-token objects and typed arrays cost ~0.5–1 KB a token per call).
 * `labels` and `distributions` may be views into the whole batch's arrays.
 */
export interface SentencePrediction {
  length: number;
  /** Per token, the best label's index. */
  labels: ArrayLike<number>;
  /**
   * Row-major `[length, K]` label distributions (softmax probabilities or CRF marginals): a
   * token's confidence is its row's value at its label.
   */
  distributions: ArrayLike<number>;
  /**
   * Natural log of the predicted tag sequence's probability: the CRF's log P(path | sentence),
   * or for softmax the sum of each token's log-probability of its label.
   */
  logProbability: number;
  /** Sum over the tokens of the entropy (nats) of their label distribution. */
  entropy: number;
}

/** Summed entropy in nats of the `length` rows of `distributions` (`[length, K]`; zeros add nothing). */
function summedEntropy(distributions: ArrayLike<number>, length: number, K: number): number {
  let entropy = 0;
  for (let t = 0; t < length; t++) {
    let token = 0;
    for (let at = t * K; at < (t + 1) * K; at++) {
      const p = distributions[at]!;
      if (p > 0) token -= p * Math.log(p);
    }
    entropy += token;
  }
  return entropy;
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
    ({ path, marginals, logProbability }) => {
      // Float32, as the softmax path's probabilities and the packed results hold them.
      const distributions = Float32Array.from(marginals);
      return {
        length: path.length,
        labels: path,
        distributions,
        logProbability,
        entropy: summedEntropy(distributions, path.length, K),
      };
    },
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
    const distributions = probabilities.subarray(b * maxLength * K, (b * maxLength + length) * K);
    const labels = new Int32Array(length);
    let logProbability = 0;
    for (let t = 0; t < length; t++) {
      let label = 0;
      for (let k = 1; k < K; k++) if (distributions[t * K + k]! > distributions[t * K + label]!) label = k;
      labels[t] = label;
      logProbability += Math.log(distributions[t * K + label]!);
    }
    return {
      length,
      labels,
      distributions,
      logProbability,
      entropy: summedEntropy(distributions, length, K),
    };
  });
}
