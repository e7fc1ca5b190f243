import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tensor3D } from '@tensorflow/tfjs-node';
import { bidirectionalLayer, recurrentLayer } from '../../../src/core/kernels';
import {
  CELLS,
  disposeWeights,
  IMPLEMENTATIONS,
  maxAbsDiff,
  randomInput,
  randomLengths,
  randomWeights,
  SIZES,
  tf,
} from './helpers';

for (const kind of CELLS) {
  test(`${kind}: fused and reference layers agree within 1e-5 on padded batches, both directions`, () => {
    for (const [seed, batchSize, timeSteps, inputSize, hiddenSize] of SIZES) {
      const x = randomInput(batchSize, timeSteps, inputSize, seed);
      const lengths = randomLengths(batchSize, timeSteps, seed);
      const weights = randomWeights(inputSize, hiddenSize, seed + 10, kind);
      for (const reverse of [false, true]) {
        const fused = recurrentLayer(x, lengths, weights, { reverse, implementation: 'fused' });
        const reference = recurrentLayer(x, lengths, weights, { reverse, implementation: 'reference' });
        assert.deepEqual(fused.outputs.shape, [batchSize, timeSteps, hiddenSize]);
        assert.deepEqual(fused.finalState.shape, [batchSize, hiddenSize]);
        const label = `seed ${seed}, reverse ${reverse}, lengths ${lengths}`;
        assert.ok(maxAbsDiff(fused.outputs, reference.outputs) <= 1e-5, `outputs differ (${label})`);
        assert.ok(
          maxAbsDiff(fused.finalState, reference.finalState) <= 1e-5,
          `final states differ (${label})`,
        );
        // A test that passes on all-zero outputs would prove nothing.
        assert.ok(tf.tidy(() => fused.outputs.abs().max().dataSync()[0]!) > 0.05);
        tf.dispose([fused.outputs, fused.finalState, reference.outputs, reference.finalState]);
      }
      x.dispose();
      disposeWeights(weights);
    }
  });
}

for (const kind of CELLS) {
  test(`${kind}: a padded sequence gives the same outputs and final state as the sequence alone`, () => {
    const [batchSize, timeSteps, inputSize, hiddenSize] = [5, 10, 4, 6];
    const lengths = [10, 7, 3, 1, 0];
    const realInput = randomInput(batchSize, timeSteps, inputSize, 21);
    // Junk past each length: large values that would show if padding leaked into the results.
    const padded = tf.tidy(() => {
      const mask = tf.tensor2d(
        lengths.flatMap((length) => Array.from({ length: timeSteps }, (_, step) => (step < length ? 1 : 0))),
        [batchSize, timeSteps],
      );
      const junk = tf.randomUniform([batchSize, timeSteps, inputSize], 50, 100, 'float32', 22);
      return tf.where(mask.expandDims(2).tile([1, 1, inputSize]).cast('bool'), realInput, junk) as Tensor3D;
    });
    const forwardWeights = randomWeights(inputSize, hiddenSize, 23, kind);
    const backwardWeights = randomWeights(inputSize, hiddenSize, 24, kind);
    for (const implementation of IMPLEMENTATIONS) {
      const batch = bidirectionalLayer(padded, lengths, forwardWeights, backwardWeights, { implementation });
      const outputs = batch.outputs.arraySync();
      const finalStates = batch.finalState.arraySync();
      lengths.forEach((length, row) => {
        const label = `${implementation}, row ${row} (length ${length})`;
        for (let step = length; step < timeSteps; step++) {
          assert.ok(
            outputs[row]![step]!.every((v) => v === 0),
            `${label}: output at padded step ${step} is not zero`,
          );
        }
        if (length === 0) {
          assert.ok(
            finalStates[row]!.every((v) => v === 0),
            `${label}: empty sequence has a non-zero state`,
          );
          return;
        }
        const single = tf.tidy(() => {
          const alone = realInput.slice([row, 0, 0], [1, length, inputSize]);
          const result = bidirectionalLayer(alone, [length], forwardWeights, backwardWeights, {
            implementation,
          });
          return { outputs: result.outputs.arraySync()[0]!, finalState: result.finalState.arraySync()[0]! };
        });
        let worst = 0;
        for (let step = 0; step < length; step++) {
          single.outputs[step]!.forEach((v, unit) => {
            worst = Math.max(worst, Math.abs(v - outputs[row]![step]![unit]!));
          });
        }
        single.finalState.forEach((v, unit) => {
          worst = Math.max(worst, Math.abs(v - finalStates[row]![unit]!));
        });
        // Only the matmul's summation order may differ with the batch size.
        assert.ok(worst <= 1e-6, `${label}: differs from the sequence alone by ${worst}`);
      });
      tf.dispose([batch.outputs, batch.finalState]);
    }
    tf.dispose([realInput, padded]);
    disposeWeights(forwardWeights, backwardWeights);
  });
}

for (const kind of CELLS) {
  test(`${kind}: the forward final state is the output at the last real step; the backward one is the output at step 0`, () => {
    const lengths = [4, 2, 3];
    const x = randomInput(3, 4, 3, 31);
    const weights = randomWeights(3, 5, 32, kind);
    for (const implementation of IMPLEMENTATIONS) {
      for (const reverse of [false, true]) {
        const result = recurrentLayer(x, lengths, weights, { reverse, implementation });
        const outputs = result.outputs.arraySync();
        const finalStates = result.finalState.arraySync();
        lengths.forEach((length, row) => {
          const step = reverse ? 0 : length - 1;
          assert.deepEqual(
            finalStates[row],
            outputs[row]![step],
            `${implementation}, reverse ${reverse}, row ${row}`,
          );
        });
        tf.dispose([result.outputs, result.finalState]);
      }
    }
    x.dispose();
    disposeWeights(weights);
  });
}

test('lengths may be an int32 tensor, and bad lengths or shapes are reported, not crashed on', () => {
  const x = randomInput(2, 3, 4, 41);
  const weights = randomWeights(4, 2, 42);
  const lengthTensor = tf.tensor1d([3, 1], 'int32');
  const fromTensor = recurrentLayer(x, lengthTensor, weights);
  const fromArray = recurrentLayer(x, [3, 1], weights);
  assert.equal(maxAbsDiff(fromTensor.outputs, fromArray.outputs), 0);
  tf.dispose([
    fromTensor.outputs,
    fromTensor.finalState,
    fromArray.outputs,
    fromArray.finalState,
    lengthTensor,
  ]);

  assert.throws(() => recurrentLayer(x, [3], weights), /got 1 for a batch of 2/);
  assert.throws(
    () => recurrentLayer(x, [3, 4], weights),
    /row 1 has length 4, expected an integer between 0 and 3/,
  );
  assert.throws(() => recurrentLayer(x, [3, 1.5], weights), /row 1 has length 1.5/);
  const wrongKernel = { kernel: tf.zeros([5, 8]) as typeof weights.kernel, bias: weights.bias };
  assert.throws(
    () => recurrentLayer(x, [3, 1], wrongKernel),
    /kernel must be \[input \+ hidden, 4 \* hidden\] = \[6, 8\]/,
  );
  const gru = randomWeights(4, 2, 43, 'gru');
  const wrongGate = { ...gru, gateKernel: tf.zeros([6, 3]) as typeof gru.gateKernel };
  assert.throws(
    () => recurrentLayer(x, [3, 1], wrongGate),
    /GRU gate kernel must be \[input \+ hidden, 2 \* hidden\] = \[6,4\], got \[6,3\]/,
  );
  const wrongCandidate = { ...gru, candidateKernel: tf.zeros([5, 2]) as typeof gru.candidateKernel };
  assert.throws(() => recurrentLayer(x, [3, 1], wrongCandidate), /GRU candidate kernel must be/);
  assert.throws(() => bidirectionalLayer(x, [3, 1], weights, gru as never), /must use the same cell/);
  tf.dispose([x, wrongKernel.kernel, wrongGate.gateKernel, wrongCandidate.candidateKernel]);
  disposeWeights(weights, gru);
});
