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
    results.push({
      path: viterbi(sentence, length, K, constrained),
      marginals: marginals(sentence, length, K, scores),
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

function logSumExp(values: Float64Array, count: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < count; i++) if (values[i]! > max) max = values[i]!;
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (let i = 0; i < count; i++) sum += Math.exp(values[i]! - max);
  return max + Math.log(sum);
}

/** Forward-backward in log space; unconstrained, like the training objective. */
function marginals(emissions: Float32Array, length: number, K: number, scores: CrfScores): Float64Array {
  const out = new Float64Array(length * K);
  if (length === 0) return out;
  const alpha = new Float64Array(length * K);
  const beta = new Float64Array(length * K);
  const terms = new Float64Array(K);
  for (let k = 0; k < K; k++) alpha[k] = scores.start[k]! + emissions[k]!;
  for (let t = 1; t < length; t++) {
    for (let j = 0; j < K; j++) {
      for (let i = 0; i < K; i++) terms[i] = alpha[(t - 1) * K + i]! + scores.transitions[i * K + j]!;
      alpha[t * K + j] = logSumExp(terms, K) + emissions[t * K + j]!;
    }
  }
  for (let k = 0; k < K; k++) beta[(length - 1) * K + k] = scores.end[k]!;
  for (let t = length - 2; t >= 0; t--) {
    for (let i = 0; i < K; i++) {
      for (let j = 0; j < K; j++) {
        terms[j] = scores.transitions[i * K + j]! + emissions[(t + 1) * K + j]! + beta[(t + 1) * K + j]!;
      }
      beta[t * K + i] = logSumExp(terms, K);
    }
  }
  for (let k = 0; k < K; k++) terms[k] = alpha[(length - 1) * K + k]! + scores.end[k]!;
  const logZ = logSumExp(terms, K);
  for (let i = 0; i < length * K; i++) out[i] = Math.exp(alpha[i]! + beta[i]! - logZ);
  return out;
}
