import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeBackend, loadTensorflow } from '../../../src/core/backend';

test('the native tensorflow backend is active and computes a correct matmul', async () => {
  const info = await describeBackend();
  assert.equal(info.backend, 'tensorflow');
  assert.match(info.tensorflowVersion, /^\d+\.\d+\.\d+/);
  assert.ok(info.matmulCorrect);
  const tf = loadTensorflow();
  const before = tf.memory().numTensors;
  const product = tf.tidy(() =>
    tf.matMul(
      tf.tensor2d([
        [2, 0],
        [1, 3],
      ]),
      tf.tensor2d([[1], [4]]),
    ),
  );
  assert.deepEqual(Array.from(product.dataSync()), [2, 13]);
  product.dispose();
  assert.equal(tf.memory().numTensors, before);
});
