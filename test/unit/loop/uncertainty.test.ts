import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadTensorflow } from '../../../src/core/backend';
import { createRandom } from '../../../src/core/encode/random';
import {
  certaintyOf,
  meanTokenEntropy,
  mostUncertain,
  normalizedLogProbability,
  repeatKey,
  type SentenceConfidence,
  uncertainty,
  uncertaintyOrder,
} from '../../../src/core/loop/uncertainty';
import { crfLogLikelihood } from '../../../src/core/model/crf';
import { type CrfScores, logPartition, pathScore } from '../../../src/core/model/crf-decode';
import { crfPredictions, softmaxPredictions } from '../../../src/core/model/predictions';

const close = (actual: number, expected: number, message?: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-6, `${message ?? ''} ${actual} ≠ ${expected}`);

/** A sentence's confidence figures as the tagger reports them, from one CRF decode. */
function crfSentence(
  emissions: number[],
  K: number,
  scores: CrfScores,
  constraints?: Parameters<typeof crfPredictions>[4],
) {
  const length = emissions.length / K;
  const [sentence] = crfPredictions(Float32Array.from(emissions), [length], length, scores, constraints);
  const { labels, distributions } = sentence!;
  return {
    ...sentence!,
    tokens: Array.from(labels, (label, t) => ({ label, confidence: distributions[t * K + label]! })),
    confidence: { tokens: length, logProbability: sentence!.logProbability, entropy: sentence!.entropy },
  };
}

const zeros = (n: number) => new Float32Array(n);
const binaryEntropy = (p: number) => -(p * Math.log(p) + (1 - p) * Math.log(1 - p));

test('one token, two tags: the CRF is a softmax (emissions ln 3 and 0 → 3/4 and 1/4)', () => {
  const scores: CrfScores = { numTags: 2, transitions: zeros(4), start: zeros(2), end: zeros(2) };
  const s = crfSentence([Math.log(3), 0], 2, scores);
  assert.deepEqual(
    s.tokens.map((t) => t.label),
    [0],
  );
  close(s.logProbability, Math.log(3 / 4));
  close(s.entropy, binaryEntropy(3 / 4)); // 0.5623 nats
  close(normalizedLogProbability(s.confidence), Math.log(3 / 4));
  close(uncertainty('mnlp', s.confidence), -Math.log(3 / 4));
  close(uncertainty('entropy', s.confidence), 0.562335);
  close(uncertainty('total-entropy', s.confidence), 0.562335);
  close(certaintyOf(s.confidence), 0.75);
});

test('two tokens with a transition worth ln 2 from tag 0 to tag 0: paths weigh 2, 1, 1, 1', () => {
  // Z = 5; the best path 0→0 has probability 2/5; each token is tag 0 with probability 3/5.
  const transitions = Float32Array.from([Math.log(2), 0, 0, 0]);
  const scores: CrfScores = { numTags: 2, transitions, start: zeros(2), end: zeros(2) };
  const s = crfSentence([0, 0, 0, 0], 2, scores);
  assert.deepEqual(
    s.tokens.map((t) => t.label),
    [0, 0],
  );
  close(logPartition(zeros(4), 2, 2, scores), Math.log(5));
  close(pathScore(zeros(4), 2, scores, [0, 0]), Math.log(2));
  close(s.logProbability, Math.log(2 / 5));
  close(s.tokens[0]!.confidence, 3 / 5);
  close(s.tokens[1]!.confidence, 3 / 5);
  close(s.entropy, 2 * binaryEntropy(3 / 5));
  // MNLP = ln(2/5) / 2 = −0.458; mean entropy = H(3/5) = 0.673.
  close(normalizedLogProbability(s.confidence), Math.log(2 / 5) / 2);
  close(meanTokenEntropy(s.confidence), binaryEntropy(3 / 5));
  close(uncertainty('total-entropy', s.confidence), 2 * binaryEntropy(3 / 5));
  close(certaintyOf(s.confidence), Math.sqrt(2 / 5));
});

test('constraints: the best allowed path is scored under the trained (unconstrained) CRF', () => {
  // Same CRF, but 0 → 0 is forbidden at decode time: the path is 0→1 (first of the ties), P = 1/5.
  const transitions = Float32Array.from([Math.log(2), 0, 0, 0]);
  const scores: CrfScores = { numTags: 2, transitions, start: zeros(2), end: zeros(2) };
  const constraints = {
    allowed: [
      [false, true],
      [true, true],
    ],
    allowedStart: [true, true],
    allowedEnd: [true, true],
  };
  const s = crfSentence([0, 0, 0, 0], 2, scores, constraints);
  assert.notDeepEqual(
    s.tokens.map((t) => t.label),
    [0, 0],
  );
  close(s.logProbability, Math.log(1 / 5));
});

test('start, end and emission scores: log-probability by enumerating all 27 paths of 3 tokens × 3 tags', () => {
  const random = createRandom(7);
  const K = 3;
  const T = 3;
  const u = (n: number) => Float32Array.from({ length: n }, () => random() * 4 - 2);
  const scores: CrfScores = { numTags: K, transitions: u(K * K), start: u(K), end: u(K) };
  const emissions = Array.from(u(T * K));
  let z = 0;
  let best = { score: Number.NEGATIVE_INFINITY, path: [] as number[] };
  const marginal = Array.from({ length: T }, () => new Array<number>(K).fill(0));
  for (let a = 0; a < K; a++)
    for (let b = 0; b < K; b++)
      for (let c = 0; c < K; c++) {
        const path = [a, b, c];
        const score = pathScore(emissions, K, scores, path);
        z += Math.exp(score);
        path.forEach((k, t) => {
          marginal[t]![k]! += Math.exp(score);
        });
        if (score > best.score) best = { score, path };
      }
  const s = crfSentence(emissions, K, scores);
  assert.deepEqual(
    s.tokens.map((t) => t.label),
    best.path,
  );
  close(logPartition(emissions, T, K, scores), Math.log(z));
  close(s.logProbability, best.score - Math.log(z));
  let entropy = 0;
  for (const row of marginal) for (const w of row) entropy -= (w / z) * Math.log(w / z);
  assert.ok(Math.abs(s.entropy - entropy) < 1e-5);
});

test('the CPU log-probability is the tensor CRF log-likelihood of the decoded path (the training objective)', () => {
  const tf = loadTensorflow();
  const random = createRandom(11);
  const K = 5;
  for (const T of [1, 4, 9]) {
    const u = (n: number, scale: number) =>
      Float32Array.from({ length: n }, () => (random() * 2 - 1) * scale);
    const scores: CrfScores = { numTags: K, transitions: u(K * K, 2), start: u(K, 1), end: u(K, 1) };
    const emissions = u(T * K, 3);
    const s = crfSentence(Array.from(emissions), K, scores);
    const before = tf.memory().numTensors;
    const likelihood = tf.tidy(() =>
      crfLogLikelihood(
        tf.tensor3d(emissions, [1, T, K]),
        tf.tensor2d(
          s.tokens.map((t) => t.label),
          [1, T],
          'int32',
        ),
        [T],
        {
          transitions: tf.tensor2d(scores.transitions, [K, K]),
          start: tf.tensor1d(scores.start),
          end: tf.tensor1d(scores.end),
        },
      ),
    );
    assert.ok(Math.abs(likelihood.dataSync()[0]! - s.logProbability) < 1e-4);
    likelihood.dispose();
    assert.equal(tf.memory().numTensors, before);
  }
});

test('softmax: log-probability sums the per-token maxima, entropy sums the per-token entropies', () => {
  // Token 1: (0.5, 0.5); token 2: (0.9, 0.1) → ln 0.5 + ln 0.9, H = ln 2 + H(0.9).
  const probabilities = Float32Array.from([0.5, 0.5, 0.9, 0.1]);
  const [s] = softmaxPredictions(probabilities, [2], 2, 2);
  close(s!.logProbability, Math.log(0.5) + Math.log(0.9));
  close(s!.entropy, Math.log(2) + binaryEntropy(0.9));
  const confidence = { tokens: 2, logProbability: s!.logProbability, entropy: s!.entropy };
  close(uncertainty('mnlp', confidence), -(Math.log(0.5) + Math.log(0.9)) / 2);
});

test('MNLP does not favour long sentences; the plain log-probability would', () => {
  // Every token 90% sure: a 30-token sentence is far less probable than a 3-token one, but no less sure per token.
  const perToken = Math.log(0.9);
  const short: SentenceConfidence = { tokens: 3, logProbability: 3 * perToken, entropy: 0 };
  const long: SentenceConfidence = { tokens: 30, logProbability: 30 * perToken, entropy: 0 };
  const unsure: SentenceConfidence = { tokens: 3, logProbability: 3 * Math.log(0.6), entropy: 0 };
  close(uncertainty('mnlp', short), uncertainty('mnlp', long));
  assert.ok(long.logProbability < unsure.logProbability);
  assert.deepEqual(
    mostUncertain(
      [short, long, unsure].map((s) => uncertainty('mnlp', s)),
      1,
    ),
    [2],
  );
  assert.equal(uncertainty('mnlp', { tokens: 0, logProbability: 0, entropy: 0 }), 0);
  assert.ok(Object.is(uncertainty('mnlp', { tokens: 2, logProbability: 0, entropy: 0 }), 0));
});

test('total token entropy asks for the long unsure sentence; token entropy for the short one', () => {
  const short: SentenceConfidence = { tokens: 2, logProbability: 0, entropy: 2 * 0.5 };
  const long: SentenceConfidence = { tokens: 20, logProbability: 0, entropy: 20 * 0.3 };
  assert.deepEqual(
    mostUncertain(
      [short, long].map((s) => uncertainty('entropy', s)),
      1,
    ),
    [0],
  );
  assert.deepEqual(
    mostUncertain(
      [short, long].map((s) => uncertainty('total-entropy', s)),
      1,
    ),
    [1],
  );
});

test('mostUncertain: highest first, ties in index order, never more than asked', () => {
  assert.deepEqual(mostUncertain([0.2, 0.9, 0.2, 0.5], 3), [1, 3, 0]);
  assert.deepEqual(mostUncertain([0.2, 0.9], 5), [1, 0]);
  assert.deepEqual(mostUncertain([0.2, 0.9], 0), []);
});

test('a round of review asks for a repeated sentence once: repeats of a more uncertain or a reviewed sentence go last', () => {
  const sentences = [
    ['Regards', ','],
    ['Traci'],
    ['regards', ','],
    ['Call', '555-1234'],
    ['call', '555-9876'],
    ['Kay'],
  ];
  const keys = sentences.map(repeatKey);
  assert.equal(keys[0], keys[2], 'case does not make a sentence new');
  assert.equal(keys[3], keys[4], 'nor do other digits');
  assert.notEqual(keys[1], keys[5]);
  const scores = [0.9, 0.8, 0.95, 0.5, 0.6, 0.1];
  assert.deepEqual(uncertaintyOrder(scores), [2, 0, 1, 4, 3, 5], 'without keys: score order');
  assert.deepEqual(
    uncertaintyOrder(scores, keys),
    [2, 1, 4, 5, 0, 3],
    'repeats after every first occurrence',
  );
  assert.deepEqual(
    uncertaintyOrder(scores, keys, [repeatKey(['TRACI'])]),
    [2, 4, 5, 0, 1, 3],
    'a repeat of a reviewed sentence goes last too',
  );
  assert.deepEqual(mostUncertain(scores, 3, keys), [2, 1, 4]);
});
