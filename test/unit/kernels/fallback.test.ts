import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Scalar, Tensor } from '@tensorflow/tfjs-node';
import {
  bidirectionalLayer,
  cellFor,
  fusedSupport,
  probeGruKernels,
  probeLstmKernels,
  recurrentLayer,
} from '../../../src/core/kernels';
import { weightsFrom } from '../../../src/core/kernels/cell';
import { CELLS, disposeWeights, randomInput, randomWeights, tf, weightList } from './helpers';

test('the fused kernels are found on the tensorflow backend, and a missing op is reported as such', () => {
  assert.deepEqual(fusedSupport('lstm', tf), { available: true });
  assert.deepEqual(fusedSupport('gru', tf), { available: true });
  const reasonOf = (support: ReturnType<typeof probeLstmKernels>) =>
    support.available ? '' : support.reason;
  const missing = probeLstmKernels(tf, { forward: 'BlockLSTMNoSuchVersion', backward: 'BlockLSTMGradV2' });
  assert.equal(missing.available, false);
  assert.match(reasonOf(missing), /BlockLSTMNoSuchVersion/);
  const missingGrad = probeLstmKernels(tf, {
    forward: 'BlockLSTMV2',
    backward: 'BlockLSTMGradNoSuchVersion',
  });
  assert.match(reasonOf(missingGrad), /BlockLSTMGradNoSuchVersion/);
  assert.match(
    reasonOf(probeGruKernels(tf, { cell: 'GRUBlockCellV9', gradient: 'GRUBlockCellGrad' })),
    /GRUBlockCellV9/,
  );
  assert.match(
    reasonOf(probeGruKernels(tf, { cell: 'GRUBlockCell', gradient: 'GRUBlockCellGradV9' })),
    /GRUBlockCellGradV9/,
  );
});

for (const kind of CELLS) {
  const name = kind.toUpperCase();
  test(`${kind}: without the tensorflow backend, recurrentLayer falls back to the reference ${name} with one warning`, async () => {
    const lengths = [6, 2, 4];
    const x = randomInput(3, 6, 4, 201);
    const forward = randomWeights(4, 5, 202, kind);
    const backward = randomWeights(4, 5, 223, kind);
    const fusedResult = tf.tidy(() => bidirectionalLayer(x, lengths, forward, backward).outputs.arraySync());
    const warnings: string[] = [];
    const logger = (message: string) => warnings.push(message);

    assert.ok(await tf.setBackend('cpu'));
    try {
      const fallback = bidirectionalLayer(x, lengths, forward, backward, { logger });
      const again = recurrentLayer(x, lengths, forward, { logger, reverse: true });
      assert.equal(warnings.length, 1, `warnings: ${JSON.stringify(warnings)}`);
      assert.match(
        warnings[0]!,
        new RegExp(
          `fused ${name} kernels unavailable \\(the active tfjs backend is 'cpu'.*reference ${name}`,
        ),
      );

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
      const cell = cellFor(kind);
      const grads = tf.grads(
        (input, ...weights: Tensor[]) =>
          recurrentLayer(input as typeof x, lengths, weightsFrom(cell, weights), { logger })
            .outputs.square()
            .sum() as Scalar,
      )([x, ...weightList(forward)]);
      for (const g of grads) assert.ok(tf.tidy(() => g.abs().sum().dataSync()[0]!) > 0);
      assert.equal(warnings.length, 1);
      tf.dispose([fallback.outputs, fallback.finalState, again.outputs, again.finalState, ...grads]);
    } finally {
      assert.ok(await tf.setBackend('tensorflow'));
    }
    x.dispose();
    disposeWeights(forward, backward);
  });
}

test('asking for the reference implementation never warns', () => {
  const warnings: string[] = [];
  const x = randomInput(2, 3, 2, 211);
  for (const kind of CELLS) {
    const weights = randomWeights(2, 2, 212, kind);
    const result = recurrentLayer(x, [3, 2], weights, {
      implementation: 'reference',
      logger: (m) => warnings.push(m),
    });
    tf.dispose([result.outputs, result.finalState]);
    disposeWeights(weights);
  }
  assert.deepEqual(warnings, []);
  x.dispose();
});
