import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DT_FLOAT,
  deleteGraphSession,
  FLOAT,
  graphDropoutMask,
  loadGraphSession,
  placeholder,
  runGraph,
} from '../../../src/core/kernels/graph';
import { tf } from './helpers';

test('a hand-written graph loads as a session and computes what its nodes say', () => {
  const session = loadGraphSession(tf, [
    placeholder('a', DT_FLOAT),
    placeholder('b', DT_FLOAT),
    { name: 'sum', op: 'AddV2', inputs: ['a', 'b'], attrs: FLOAT },
    { name: 'product', op: 'Mul', inputs: ['sum', 'b'], attrs: FLOAT },
  ]);
  assert.ok(!('reason' in session), `the graph did not load: ${'reason' in session ? session.reason : ''}`);
  const before = tf.memory().numTensors;
  const result = tf.tidy(() => {
    const [product] = runGraph(session, { a: tf.tensor1d([1, 2, 3]), b: tf.tensor1d([10, 20, 30]) }, [
      'product:0',
    ]);
    return Array.from(product!.dataSync());
  });
  assert.deepEqual(result, [110, 440, 990]);
  assert.equal(tf.memory().numTensors, before);
  deleteGraphSession(session);
});

test('a graph TensorFlow rejects gives a reason, not a crash', () => {
  const session = loadGraphSession(tf, [{ name: 'x', op: 'NoSuchOpAnywhere', attrs: FLOAT }]);
  assert.ok('reason' in session);
  assert.match(session.reason, /NoSuchOpAnywhere/);
});

test('dropout masks: 1/keep or 0, about keep of them kept, the same for the same seed only', () => {
  const draw = (seed: [number, number]) =>
    tf.tidy(() => Array.from(graphDropoutMask(tf, [40, 50, 30], 0.7, seed)!.dataSync()));
  const before = tf.memory().numTensors;
  const mask = draw([1, 2]);
  assert.equal(mask.length, 40 * 50 * 30);
  const scale = Math.fround(1 / 0.7);
  assert.ok(mask.every((v) => v === 0 || v === scale));
  const kept = mask.filter((v) => v !== 0).length / mask.length;
  assert.ok(Math.abs(kept - 0.7) < 0.01, `kept ${kept}`);
  assert.deepEqual(draw([1, 2]), mask);
  const other = draw([1, 3]);
  assert.ok(other.some((v, i) => v !== mask[i]));
  assert.equal(tf.memory().numTensors, before);
});
