import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadTensorflow } from '../../../src/core/backend';
import { allowedTransitions } from '../../../src/core/corpus/schemes';
import { createRandom } from '../../../src/core/encode/random';
import { crfMarginals, crfViterbi } from '../../../src/core/model/crf';
import { decodeCrfBatch } from '../../../src/core/model/crf-decode';

const tf = loadTensorflow();
const labels = ['O', 'B-LOC', 'I-LOC', 'B-PER', 'I-PER'];

/** The CPU decoder must give the same paths and marginals as the tensor implementation. */
test('CPU Viterbi and marginals agree with the tensor CRF on padded random batches, with and without constraints', () => {
  const random = createRandom(42);
  const K = labels.length;
  const mask = allowedTransitions(labels, 'IOB2');
  const constraints = { allowed: mask.transitions, allowedStart: mask.start, allowedEnd: mask.end };
  for (let trial = 0; trial < 20; trial++) {
    const B = 1 + Math.floor(random() * 5);
    const T = 1 + Math.floor(random() * 9);
    const lengths = Array.from({ length: B }, () => Math.floor(random() * (T + 1)));
    lengths[0] = T;
    const uniform = (n: number, scale: number) =>
      Float32Array.from({ length: n }, () => (random() * 2 - 1) * scale);
    const emissions = uniform(B * T * K, 3);
    const scores = { numTags: K, transitions: uniform(K * K, 2), start: uniform(K, 1), end: uniform(K, 1) };
    const params = {
      transitions: tf.tensor2d(scores.transitions, [K, K]),
      start: tf.tensor1d(scores.start),
      end: tf.tensor1d(scores.end),
    };
    const emissionTensor = tf.tensor3d(emissions, [B, T, K]);
    for (const constrained of [false, true]) {
      const expected = constrained
        ? crfViterbi(
            emissionTensor,
            lengths,
            params,
            constraints.allowed,
            constraints.allowedStart,
            constraints.allowedEnd,
          )
        : crfViterbi(emissionTensor, lengths, params);
      const got = decodeCrfBatch(emissions, lengths, T, scores, constrained ? constraints : undefined);
      assert.deepEqual(
        got.map((r) => r.path),
        expected.paths,
      );
    }
    const marginalTensor = crfMarginals(emissionTensor, lengths, params);
    const expectedMarginals = marginalTensor.dataSync();
    marginalTensor.dispose();
    const got = decodeCrfBatch(emissions, lengths, T, scores);
    got.forEach((result, b) => {
      for (let t = 0; t < lengths[b]!; t++) {
        let rowSum = 0;
        for (let k = 0; k < K; k++) {
          const value = result.marginals[t * K + k]!;
          rowSum += value;
          assert.ok(Math.abs(value - expectedMarginals[(b * T + t) * K + k]!) < 1e-4);
        }
        assert.ok(Math.abs(rowSum - 1) < 1e-6);
      }
    });
    tf.dispose([emissionTensor, params.transitions, params.start, params.end]);
  }
});
