import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Scalar, Tensor, Tensor1D, Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';
import {
  bidirectionalFinalStates,
  bidirectionalLstm,
  bidirectionalLstmTimeMajor,
  type LstmImplementation,
  type LstmWeights,
} from '../../../src/core/kernels';
import { parallelLstmSupport } from '../../../src/core/kernels/graph';
import {
  disposeWeights,
  liveTensors,
  maxAbsDiff,
  randomInput,
  randomLengths,
  randomWeights,
  tf,
} from './helpers';

const implementations: LstmImplementation[] = ['fused', 'reference'];

/** `[batch, time, f]` → `[time, batch, f]`. */
const timeMajor = (x: Tensor3D) => x.transpose([1, 0, 2]) as Tensor3D;

test('time-major outputs and final states equal the batch-major reference BiLSTM, with empty and full rows', () => {
  for (const [seed, batchSize, timeSteps, inputSize, hiddenSize] of [
    [1, 6, 9, 5, 7],
    [2, 9, 12, 16, 10],
    [3, 3, 1, 4, 2],
  ] as const) {
    const x = randomInput(batchSize, timeSteps, inputSize, seed);
    const lengths = randomLengths(batchSize, timeSteps, seed);
    lengths[batchSize - 1] = 0;
    const forward = randomWeights(inputSize, hiddenSize, seed + 10);
    const backward = randomWeights(inputSize, hiddenSize, seed + 20);
    const expected = bidirectionalLstm(x, lengths, forward, backward, { implementation: 'reference' });
    const xt = timeMajor(x);
    for (const implementation of implementations) {
      const label = `${implementation}, seed ${seed}, lengths ${lengths}`;
      const outputs = bidirectionalLstmTimeMajor(xt, lengths, forward, backward, { implementation });
      assert.deepEqual(outputs.shape, [timeSteps, batchSize, 2 * hiddenSize]);
      const batchMajor = timeMajor(outputs);
      assert.ok(maxAbsDiff(batchMajor, expected.outputs) <= 1e-5, `outputs differ (${label})`);
      const finalStates = bidirectionalFinalStates(xt, lengths, forward, backward, { implementation });
      assert.deepEqual(finalStates.shape, [batchSize, 2 * hiddenSize]);
      assert.ok(maxAbsDiff(finalStates, expected.finalState) <= 1e-5, `final states differ (${label})`);
      const emptyRow = finalStates.slice([batchSize - 1, 0], [1, 2 * hiddenSize]);
      assert.equal(
        tf.tidy(() => emptyRow.abs().max().dataSync()[0]),
        0,
        `empty row has a state (${label})`,
      );
      assert.ok(tf.tidy(() => finalStates.abs().max().dataSync()[0]!) > 0.05);
      tf.dispose([outputs, batchMajor, finalStates, emptyRow]);
    }
    tf.dispose([x, xt, expected.outputs, expected.finalState]);
    disposeWeights(forward, backward);
  }
});

test('junk in the padding changes neither outputs nor final states, fused or reference', () => {
  const [batchSize, timeSteps, inputSize, hiddenSize] = [4, 8, 3, 5];
  const lengths = [8, 5, 1, 3];
  const clean = tf.tidy(() => {
    const mask = tf.tensor3d(
      Array.from({ length: timeSteps * batchSize }, (_, i) =>
        Math.floor(i / batchSize) < lengths[i % batchSize]! ? 1 : 0,
      ),
      [timeSteps, batchSize, 1],
    );
    return timeMajor(randomInput(batchSize, timeSteps, inputSize, 51)).mul(mask) as Tensor3D;
  });
  const junk = tf.tidy(() => {
    const padding = tf.tensor3d(
      Array.from({ length: timeSteps * batchSize }, (_, i) =>
        Math.floor(i / batchSize) < lengths[i % batchSize]! ? 0 : 1,
      ),
      [timeSteps, batchSize, 1],
    );
    return clean.add(
      tf.randomUniform([timeSteps, batchSize, inputSize], 50, 100, 'float32', 52).mul(padding),
    ) as Tensor3D;
  });
  const forward = randomWeights(inputSize, hiddenSize, 53);
  const backward = randomWeights(inputSize, hiddenSize, 54);
  for (const implementation of implementations) {
    const results = [clean, junk].map((x) => ({
      outputs: bidirectionalLstmTimeMajor(x, lengths, forward, backward, { implementation }),
      finalStates: bidirectionalFinalStates(x, lengths, forward, backward, { implementation }),
    }));
    assert.equal(maxAbsDiff(results[0]!.outputs, results[1]!.outputs), 0, `${implementation} outputs`);
    assert.equal(
      maxAbsDiff(results[0]!.finalStates, results[1]!.finalStates),
      0,
      `${implementation} final states`,
    );
    tf.dispose(results.flatMap((r) => [r.outputs, r.finalStates]));
  }
  tf.dispose([clean, junk]);
  disposeWeights(forward, backward);
});

/** A loss that weighs every output and state differently, so a swapped or misplaced gradient shows. */
function weightedLoss(
  kind: 'outputs' | 'finalStates',
  implementation: LstmImplementation,
  lengths: number[],
  params: Tensor[],
  weighting: Tensor,
): Scalar {
  const [x, fk, fb, bk, bb] = params;
  const forward: LstmWeights = { kernel: fk as Tensor2D, bias: fb as Tensor1D };
  const backward: LstmWeights = { kernel: bk as Tensor2D, bias: bb as Tensor1D };
  const result =
    kind === 'outputs'
      ? bidirectionalLstmTimeMajor(x as Tensor3D, lengths, forward, backward, { implementation })
      : bidirectionalFinalStates(x as Tensor3D, lengths, forward, backward, { implementation });
  return result.mul(weighting.reshape(result.shape)).sum() as Scalar;
}

test('fused gradients of input and all four weights equal the reference autodiff ones', () => {
  const [batchSize, timeSteps, inputSize, hiddenSize] = [7, 11, 6, 8];
  const lengths = [11, 4, 0, 9, 1, 11, 6];
  const xt = timeMajor(randomInput(batchSize, timeSteps, inputSize, 61));
  const forward = randomWeights(inputSize, hiddenSize, 62);
  const backward = randomWeights(inputSize, hiddenSize, 63);
  const params = [xt, forward.kernel, forward.bias, backward.kernel, backward.bias];
  for (const kind of ['outputs', 'finalStates'] as const) {
    const size = kind === 'outputs' ? timeSteps * batchSize * 2 * hiddenSize : batchSize * 2 * hiddenSize;
    const weighting = tf.randomNormal([size], 0, 1, 'float32', 64);
    const grads = implementations.map((implementation) =>
      tf.grads((...p: Tensor[]) => weightedLoss(kind, implementation, lengths, p, weighting))(params),
    );
    grads[0]!.forEach((fused, i) => {
      const reference = grads[1]![i]!;
      const scale = tf.tidy(() => reference.abs().max().dataSync()[0]!);
      assert.ok(scale > 1e-3, `${kind}: reference gradient ${i} is ~0, the test would prove nothing`);
      const diff = maxAbsDiff(fused, reference);
      assert.ok(
        diff <= 1e-4 * Math.max(1, scale),
        `${kind}: gradient ${i} differs by ${diff} (scale ${scale})`,
      );
    });
    // The padding of the input gets no gradient.
    const inputGrad = grads[0]![0]!.arraySync() as number[][][];
    lengths.forEach((length, row) => {
      for (let step = length; step < timeSteps; step++) {
        assert.ok(
          inputGrad[step]![row]!.every((v) => v === 0),
          `${kind}: padded step ${step} of row ${row} has a gradient`,
        );
      }
    });
    tf.dispose([weighting, ...grads.flat()]);
  }
  xt.dispose();
  disposeWeights(forward, backward);
});

test('time-major ops leave no tensors behind, tfjs or native, with and without a tape', () => {
  const lengths = [6, 2, 0, 5];
  const xt = tf.variable(timeMajor(randomInput(4, 6, 3, 71)));
  const init = [randomWeights(3, 4, 72), randomWeights(3, 4, 73)];
  const forward = { kernel: tf.variable(init[0]!.kernel), bias: tf.variable(init[0]!.bias) };
  const backward = { kernel: tf.variable(init[1]!.kernel), bias: tf.variable(init[1]!.bias) };
  const run = (implementation: LstmImplementation) => {
    const { value, grads } = tf.variableGrads(
      () =>
        tf.tidy(() =>
          bidirectionalLstmTimeMajor(xt, lengths, forward, backward, { implementation })
            .square()
            .sum()
            .add(bidirectionalFinalStates(xt, lengths, forward, backward, { implementation }).sum()),
        ) as Scalar,
    );
    assert.equal(Object.keys(grads).length, 5);
    tf.dispose([value, ...Object.values(grads)]);
    tf.dispose([
      bidirectionalLstmTimeMajor(xt, lengths, forward, backward, { implementation }),
      bidirectionalFinalStates(xt, lengths, forward, backward, { implementation }),
    ]);
  };
  for (const implementation of implementations) {
    run(implementation);
    const before = liveTensors();
    for (let i = 0; i < 4; i++) run(implementation);
    assert.deepEqual(liveTensors(), before, `${implementation} leaks`);
  }
  tf.dispose([xt, forward.kernel, forward.bias, backward.kernel, backward.bias]);
});

test('time-major entry points reject bad shapes and lengths with a message', () => {
  const xt = timeMajor(randomInput(2, 3, 4, 81));
  const weights = randomWeights(4, 2, 82);
  assert.throws(() => bidirectionalLstmTimeMajor(xt, [3], weights, weights), /got 1 for a batch of 2/);
  assert.throws(() => bidirectionalFinalStates(xt, [3, 4], weights, weights), /row 1 has length 4/);
  const wrong = randomWeights(5, 2, 83);
  assert.throws(() => bidirectionalFinalStates(xt, [3, 1], weights, wrong), /LSTM kernel must be/);
  tf.dispose(xt);
  disposeWeights(weights, wrong);
});

test('the parallel graph runs of both directions give exactly what the eager ops give, values and gradients', () => {
  assert.deepEqual(parallelLstmSupport(tf), { available: true });
  const [batchSize, timeSteps, inputSize, hiddenSize] = [6, 9, 5, 7];
  const lengths = [9, 3, 0, 7, 1, 9];
  const xt = timeMajor(randomInput(batchSize, timeSteps, inputSize, 81));
  const forward = randomWeights(inputSize, hiddenSize, 82);
  const backward = randomWeights(inputSize, hiddenSize, 83);
  const params = [xt, forward.kernel, forward.bias, backward.kernel, backward.bias];
  const saved = process.env.SPANLIGHT_GRAPHS;
  const inMode = <T>(graphs: boolean, run: () => T): T => {
    if (graphs) delete process.env.SPANLIGHT_GRAPHS;
    else process.env.SPANLIGHT_GRAPHS = '0';
    try {
      return run();
    } finally {
      if (saved === undefined) delete process.env.SPANLIGHT_GRAPHS;
      else process.env.SPANLIGHT_GRAPHS = saved;
    }
  };
  for (const kind of ['outputs', 'finalStates'] as const) {
    const size = kind === 'outputs' ? timeSteps * batchSize * 2 * hiddenSize : batchSize * 2 * hiddenSize;
    const weighting = tf.randomNormal([size], 0, 1, 'float32', 84);
    const [graph, eager] = [true, false].map((graphs) =>
      inMode(graphs, () =>
        tf.grads((...p: Tensor[]) => weightedLoss(kind, 'fused', lengths, p, weighting))(params),
      ),
    );
    graph!.forEach((g, i) => {
      assert.equal(maxAbsDiff(g, eager![i]!), 0, `${kind}: gradient ${i} differs`);
    });
    const values = [true, false].map((graphs) =>
      inMode(graphs, () =>
        kind === 'outputs'
          ? bidirectionalLstmTimeMajor(xt, lengths, forward, backward)
          : bidirectionalFinalStates(xt, lengths, forward, backward),
      ),
    );
    assert.equal(maxAbsDiff(values[0]!, values[1]!), 0, `${kind}: values differ`);
    tf.dispose([weighting, ...graph!, ...eager!, ...values]);
  }
  xt.dispose();
  disposeWeights(forward, backward);
});
