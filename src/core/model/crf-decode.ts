/**
 * CRF inference on the CPU, in plain typed arrays: Viterbi decoding and forward-backward
 * marginals for one batch of emission scores. With K ≤ ~40 labels this is a few hundred
 * thousand multiply-adds per batch, far cheaper than the hundreds of small TensorFlow ops the
 * same loops cost (src/core/model/crf.ts keeps the tensor versions for training, where
 * autodiff needs them; tests check that both agree).
 */

/** CRF scores read back from the model: transitions[i * K + j] scores tag j following tag i. */
export interface CrfScores {
  numTags: number;
  transitions: Float32Array;
  start: Float32Array;
  end: Float32Array;
}

/** Forbidden moves for the tag scheme, as booleans (true = allowed); indexed like the scores. */
export interface CrfConstraints {
  allowed: boolean[][];
  allowedStart: boolean[];
  allowedEnd: boolean[];
}

export interface CrfSentenceResult {
  path: number[];
  /** Posterior marginals [length × K], row-major. */
  marginals: Float64Array;
  /**
   * Natural log of the decoded path's probability, log P(path | sentence) = score(path) − log Z,
   * under the CRF as trained (unconstrained, like the marginals); 0 for an empty sentence.
   */
  logProbability: number;
}

/**
 * Decodes every sentence of a batch.
 * @param emissions row-major [batch, maxLength, K] scores (padding ignored)
 */
export function decodeCrfBatch(
  emissions: Float32Array,
  lengths: ArrayLike<number>,
  maxLength: number,
  scores: CrfScores,
  constraints?: CrfConstraints,
): CrfSentenceResult[] {
  const K = scores.numTags;
  const constrained = constrainedScores(scores, constraints);
  const results: CrfSentenceResult[] = [];
  for (let b = 0; b < lengths.length; b++) {
    const length = lengths[b]!;
    const offset = b * maxLength * K;
    const sentence = emissions.subarray(offset, offset + length * K);
    const path = viterbi(sentence, length, K, constrained);
    results.push({
      path,
      marginals: marginals(sentence, length, K, scores),
      logProbability:
        length === 0 ? 0 : pathScore(sentence, K, scores, path) - logPartition(sentence, length, K, scores),
    });
  }
  return results;
}

function constrainedScores(scores: CrfScores, constraints?: CrfConstraints): CrfScores {
  if (!constraints) return scores;
  const K = scores.numTags;
  const transitions = Float32Array.from(scores.transitions);
  const start = Float32Array.from(scores.start);
  const end = Float32Array.from(scores.end);
  for (let i = 0; i < K; i++) {
    if (!constraints.allowedStart[i]) start[i] = Number.NEGATIVE_INFINITY;
    if (!constraints.allowedEnd[i]) end[i] = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < K; j++)
      if (!constraints.allowed[i]![j]) transitions[i * K + j] = Number.NEGATIVE_INFINITY;
  }
  return { numTags: K, transitions, start, end };
}

function viterbi(emissions: Float32Array, length: number, K: number, scores: CrfScores): number[] {
  if (length === 0) return [];
  let delta = new Float64Array(K);
  let next = new Float64Array(K);
  const backpointers = new Int32Array(length * K);
  for (let k = 0; k < K; k++) delta[k] = scores.start[k]! + emissions[k]!;
  for (let t = 1; t < length; t++) {
    for (let j = 0; j < K; j++) {
      let best = Number.NEGATIVE_INFINITY;
      let arg = 0;
      for (let i = 0; i < K; i++) {
        const score = delta[i]! + scores.transitions[i * K + j]!;
        if (score > best) {
          best = score;
          arg = i;
        }
      }
      next[j] = best + emissions[t * K + j]!;
      backpointers[t * K + j] = arg;
    }
    [delta, next] = [next, delta];
  }
  let last = 0;
  let bestFinal = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < K; k++) {
    const score = delta[k]! + scores.end[k]!;
    if (score > bestFinal) {
      bestFinal = score;
      last = k;
    }
  }
  const path = new Array<number>(length);
  path[length - 1] = last;
  for (let t = length - 1; t > 0; t--) path[t - 1] = backpointers[t * K + path[t]!]!;
  return path;
}

/**
 * Forward-backward, unconstrained like the training objective, in probability space with every
 * step rescaled (the scaled algorithm): exp is taken once per score instead of once per
 * transition per step, K² multiply-adds per step remain. Rows are normalised at the end, so
 * the per-step scale factors cancel.
 */
function marginals(emissions: Float32Array, length: number, K: number, scores: CrfScores): Float64Array {
  const out = new Float64Array(length * K);
  if (length === 0) return out;
  const transitions = Float64Array.from(scores.transitions, Math.exp);
  // exp(emission − the step's max): the shift is a per-step factor, cancelled like the scales.
  const weights = new Float64Array(length * K);
  for (let t = 0; t < length; t++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < K; k++) max = Math.max(max, emissions[t * K + k]!);
    for (let k = 0; k < K; k++) weights[t * K + k] = Math.exp(emissions[t * K + k]! - max);
  }
  const alpha = new Float64Array(length * K);
  const beta = new Float64Array(length * K);
  for (let k = 0; k < K; k++) alpha[k] = Math.exp(scores.start[k]!) * weights[k]!;
  normalise(alpha, 0, K);
  for (let t = 1; t < length; t++) {
    for (let j = 0; j < K; j++) {
      let sum = 0;
      for (let i = 0; i < K; i++) sum += alpha[(t - 1) * K + i]! * transitions[i * K + j]!;
      alpha[t * K + j] = sum * weights[t * K + j]!;
    }
    normalise(alpha, t * K, K);
  }
  for (let k = 0; k < K; k++) beta[(length - 1) * K + k] = Math.exp(scores.end[k]!);
  normalise(beta, (length - 1) * K, K);
  for (let t = length - 2; t >= 0; t--) {
    for (let i = 0; i < K; i++) {
      let sum = 0;
      for (let j = 0; j < K; j++) {
        sum += transitions[i * K + j]! * weights[(t + 1) * K + j]! * beta[(t + 1) * K + j]!;
      }
      beta[t * K + i] = sum;
    }
    normalise(beta, t * K, K);
  }
  for (let i = 0; i < length * K; i++) out[i] = alpha[i]! * beta[i]!;
  for (let t = 0; t < length; t++) normalise(out, t * K, K);
  return out;
}

/**
 * The unnormalised log-score of a tag path: start + emissions + transitions + end. With
 * `logPartition` it gives the path's log-probability.
 * @param emissions one sentence's scores, [path.length × K] row-major
 */
export function pathScore(
  emissions: ArrayLike<number>,
  K: number,
  scores: CrfScores,
  path: readonly number[],
): number {
  if (path.length === 0) return 0;
  let score = scores.start[path[0]!]! + scores.end[path.at(-1)!]!;
  for (let t = 0; t < path.length; t++) {
    score += emissions[t * K + path[t]!]!;
    if (t > 0) score += scores.transitions[path[t - 1]! * K + path[t]!]!;
  }
  return score;
}

/**
 * log Z, the log of the summed exp-scores of every tag path (the forward algorithm in log space,
 * so no scale factors to track; K² log-sum-exps per token are cheap next to the network).
 */
export function logPartition(
  emissions: ArrayLike<number>,
  length: number,
  K: number,
  scores: CrfScores,
): number {
  if (length === 0) return 0;
  let alpha = new Float64Array(K);
  let next = new Float64Array(K);
  for (let k = 0; k < K; k++) alpha[k] = scores.start[k]! + emissions[k]!;
  for (let t = 1; t < length; t++) {
    for (let j = 0; j < K; j++) {
      let max = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < K; i++) max = Math.max(max, alpha[i]! + scores.transitions[i * K + j]!);
      let sum = 0;
      for (let i = 0; i < K; i++) sum += Math.exp(alpha[i]! + scores.transitions[i * K + j]! - max);
      next[j] = max + Math.log(sum) + emissions[t * K + j]!;
    }
    [alpha, next] = [next, alpha];
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < K; k++) max = Math.max(max, alpha[k]! + scores.end[k]!);
  let sum = 0;
  for (let k = 0; k < K; k++) sum += Math.exp(alpha[k]! + scores.end[k]! - max);
  return max + Math.log(sum);
}

/** Divides `values[from, from + count)` by its sum (left alone when the sum is 0). */
function normalise(values: Float64Array, from: number, count: number): void {
  let sum = 0;
  for (let i = from; i < from + count; i++) sum += values[i]!;
  if (sum > 0) for (let i = from; i < from + count; i++) values[i]! /= sum;
}
