import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Scalar } from '@tensorflow/tfjs-node';
import { bidirectionalLstm, fusedLstmSupport, lstmLayer, probeFusedLstm } from '../../../src/core/kernels';
import { disposeWeights, randomInput, randomWeights, tf } from './helpers';

test('the fused kernels are found on the tensorflow backend, and a missing op is reported as such', () => {
  assert.deepEqual(fusedLstmSupport(tf), { available: true });
  const missing = probeFusedLstm(tf, { forward: 'BlockLSTMNoSuchVersion', backward: 'BlockLSTMGradV2' });
  assert.equal(missing.available, false);
  assert.match(missing.available ? '' : missing.reason, /BlockLSTMNoSuchVersion/);
  const missingGrad = probeFusedLstm(tf, { forward: 'BlockLSTMV2', backward: 'BlockLSTMGradNoSuchVersion' });
  assert.match(missingGrad.available ? '' : missingGrad.reason, /BlockLSTMGradNoSuchVersion/);
});

test('without the tensorflow backend, lstmLayer falls back to the reference LSTM with one warning', async () => {
  const lengths = [6, 2, 4];
  const x = randomInput(3, 6, 4, 201);
  const forward = randomWeights(4, 5, 202);
  const backward = randomWeights(4, 5, 203);
  const fusedResult = tf.tidy(() => bidirectionalLstm(x, lengths, forward, backward).outputs.arraySync());
  const warnings: string[] = [];
  const logger = (message: string) => warnings.push(message);

  assert.ok(await tf.setBackend('cpu'));
  try {
    const fallback = bidirectionalLstm(x, lengths, forward, backward, { logger });
    const again = lstmLayer(x, lengths, forward, { logger, reverse: true });
    assert.equal(warnings.length, 1, `warnings: ${JSON.stringify(warnings)}`);
    assert.match(warnings[0]!, /fused LSTM kernels unavailable \(the active tfjs backend is 'cpu'/);

    // Same numbers as the fused kernels gave on the tensorflow backend.
    const fallbackResult = fallback.outputs.arraySync();
    let worst = 0;
    fallbackResult.forEach((row, b) => {
      row.forEach((step, t) => {
        step.forEach((v, u) => {
          worst = Math.max(worst, Math.abs(v - fusedResult[b]![t]![u]!));
        });
      });
    });
    assert.ok(worst <= 1e-5, `fallback differs from the fused result by ${worst}`);

    // And it still trains: gradients reach x and the weights.
    const grads = tf.grads(
      (input, kernel, bias) =>
        lstmLayer(
          input as typeof x,
          lengths,
          { kernel: kernel as typeof forward.kernel, bias: bias as typeof forward.bias },
          { logger },
        )
          .outputs.square()
          .sum() as Scalar,
    )([x, forward.kernel, forward.bias]);
    for (const g of grads) assert.ok(tf.tidy(() => g.abs().sum().dataSync()[0]!) > 0);
    assert.equal(warnings.length, 1);
    tf.dispose([fallback.outputs, fallback.finalState, again.outputs, again.finalState, ...grads]);
  } finally {
    assert.ok(await tf.setBackend('tensorflow'));
  }
  x.dispose();
  disposeWeights(forward, backward);
});

test('asking for the reference implementation never warns', () => {
  const warnings: string[] = [];
  const x = randomInput(2, 3, 2, 211);
  const weights = randomWeights(2, 2, 212);
  const result = lstmLayer(x, [3, 2], weights, {
    implementation: 'reference',
    logger: (m) => warnings.push(m),
  });
  assert.deepEqual(warnings, []);
  tf.dispose([x, result.outputs, result.finalState]);
  disposeWeights(weights);
});
