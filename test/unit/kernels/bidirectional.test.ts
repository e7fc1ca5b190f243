import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Scalar, Tensor, Tensor3D } from '@tensorflow/tfjs-node';
import {
  bidirectionalFinalStates,
  bidirectionalLayer,
  bidirectionalTimeMajor,
  type CellKind,
  cellFor,
  type KernelImplementation,
} from '../../../src/core/kernels';
import { weightsFrom } from '../../../src/core/kernels/cell';
import { parallelPairSupport } from '../../../src/core/kernels/pair-graph';
import {
  CELLS,
  disposeWeights,
  IMPLEMENTATIONS,
  liveTensors,
  maxAbsDiff,
  randomInput,
  randomLengths,
  randomWeights,
  SIZES,
  tf,
  unpackPair,
  weightList,
} from './helpers';

/** `[batch, time, f]` → `[time, batch, f]`. */
const timeMajor = (x: Tensor3D) => x.transpose([1, 0, 2]) as Tensor3D;

for (const kind of CELLS) {
  test(`${kind}: time-major outputs and final states equal the batch-major reference layers, with empty and full rows`, () => {
    for (const [seed, batchSize, timeSteps, inputSize, hiddenSize] of SIZES) {
      const x = randomInput(batchSize, timeSteps, inputSize, seed);
      const lengths = randomLengths(batchSize, timeSteps, seed);
      lengths[batchSize - 1] = 0;
      const forward = randomWeights(inputSize, hiddenSize, seed + 10, kind);
      const backward = randomWeights(inputSize, hiddenSize, seed + 20, kind);
      const expected = bidirectionalLayer(x, lengths, forward, backward, { implementation: 'reference' });
      const xt = timeMajor(x);
      for (const implementation of IMPLEMENTATIONS) {
        const label = `${implementation}, seed ${seed}, lengths ${lengths}`;
        const outputs = bidirectionalTimeMajor(xt, lengths, forward, backward, { implementation });
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
}

for (const kind of CELLS) {
  test(`${kind}: junk in the padding changes neither outputs nor final states, fused or reference`, () => {
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
    const forward = randomWeights(inputSize, hiddenSize, 53, kind);
    const backward = randomWeights(inputSize, hiddenSize, 54, kind);
    for (const implementation of IMPLEMENTATIONS) {
      const results = [clean, junk].map((x) => ({
        outputs: bidirectionalTimeMajor(x, lengths, forward, backward, { implementation }),
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
}

/** A loss that weighs every output and state differently, so a swapped or misplaced gradient shows. */
function weightedLoss(
  kind: CellKind,
  result: 'outputs' | 'finalStates',
  implementation: KernelImplementation,
  lengths: number[],
  params: Tensor[],
  weighting: Tensor,
): Scalar {
  const [x, forward, backward] = unpackPair(kind, params);
  const value =
    result === 'outputs'
      ? bidirectionalTimeMajor(x, lengths, forward, backward, { implementation })
      : bidirectionalFinalStates(x, lengths, forward, backward, { implementation });
  return value.mul(weighting.reshape(value.shape)).sum() as Scalar;
}

for (const kind of CELLS) {
  test(`${kind}: fused gradients of input and all weights equal the reference autodiff ones`, () => {
    const [batchSize, timeSteps, inputSize, hiddenSize] = [7, 11, 6, 8];
    const lengths = [11, 4, 0, 9, 1, 11, 6];
    const xt = timeMajor(randomInput(batchSize, timeSteps, inputSize, 61));
    const forward = randomWeights(inputSize, hiddenSize, 62, kind);
    const backward = randomWeights(inputSize, hiddenSize, 63, kind);
    const params = [xt, ...weightList(forward), ...weightList(backward)];
    for (const result of ['outputs', 'finalStates'] as const) {
      const size = result === 'outputs' ? timeSteps * batchSize * 2 * hiddenSize : batchSize * 2 * hiddenSize;
      const weighting = tf.randomNormal([size], 0, 1, 'float32', 64);
      const grads = IMPLEMENTATIONS.map((implementation) =>
        tf.grads((...p: Tensor[]) => weightedLoss(kind, result, implementation, lengths, p, weighting))(
          params,
        ),
      );
      grads[0]!.forEach((fused, i) => {
        const reference = grads[1]![i]!;
        const scale = tf.tidy(() => reference.abs().max().dataSync()[0]!);
        assert.ok(scale > 1e-3, `${result}: reference gradient ${i} is ~0, the test would prove nothing`);
        const diff = maxAbsDiff(fused, reference);
        assert.ok(
          diff <= 1e-4 * Math.max(1, scale),
          `${result}: gradient ${i} differs by ${diff} (scale ${scale})`,
        );
      });
      // The padding of the input gets no gradient.
      const inputGrad = grads[0]![0]!.arraySync() as number[][][];
      lengths.forEach((length, row) => {
        for (let step = length; step < timeSteps; step++) {
          assert.ok(
            inputGrad[step]![row]!.every((v) => v === 0),
            `${result}: padded step ${step} of row ${row} has a gradient`,
          );
        }
      });
      tf.dispose([weighting, ...grads.flat()]);
    }
    xt.dispose();
    disposeWeights(forward, backward);
  });
}

for (const kind of CELLS) {
  test(`${kind}: time-major ops leave no tensors behind, tfjs or native, with and without a tape`, () => {
    const lengths = [6, 2, 0, 5];
    const xt = tf.variable(timeMajor(randomInput(4, 6, 3, 71)));
    const cell = cellFor(kind);
    const variables = (seed: number) =>
      weightsFrom(
        cell,
        weightList(randomWeights(3, 4, seed, kind)).map((t) => tf.variable(t)),
      );
    const [forward, backward] = [variables(72), variables(73)];
    const run = (implementation: KernelImplementation) => {
      const { value, grads } = tf.variableGrads(
        () =>
          tf.tidy(() =>
            bidirectionalTimeMajor(xt, lengths, forward, backward, { implementation })
              .square()
              .sum()
              .add(bidirectionalFinalStates(xt, lengths, forward, backward, { implementation }).sum()),
          ) as Scalar,
      );
      assert.equal(Object.keys(grads).length, 1 + 2 * cell.parts.length);
      tf.dispose([value, ...Object.values(grads)]);
      tf.dispose([
        bidirectionalTimeMajor(xt, lengths, forward, backward, { implementation }),
        bidirectionalFinalStates(xt, lengths, forward, backward, { implementation }),
      ]);
    };
    for (const implementation of IMPLEMENTATIONS) {
      run(implementation);
      const before = liveTensors();
      for (let i = 0; i < 4; i++) run(implementation);
      assert.deepEqual(liveTensors(), before, `${implementation} leaks`);
    }
    tf.dispose(xt);
    disposeWeights(forward, backward);
  });
}

test('time-major entry points reject bad shapes and lengths with a message', () => {
  const xt = timeMajor(randomInput(2, 3, 4, 81));
  const weights = randomWeights(4, 2, 82);
  assert.throws(() => bidirectionalTimeMajor(xt, [3], weights, weights), /got 1 for a batch of 2/);
  assert.throws(() => bidirectionalFinalStates(xt, [3, 4], weights, weights), /row 1 has length 4/);
  const wrong = randomWeights(5, 2, 83);
  assert.throws(() => bidirectionalFinalStates(xt, [3, 1], weights, wrong), /LSTM kernel must be/);
  const gru = randomWeights(5, 2, 84, 'gru');
  assert.throws(
    () => bidirectionalTimeMajor(xt, [3, 1], gru, gru),
    /GRU gate kernel must be \[input \+ hidden, 2 \* hidden\] = \[6,4\], got \[7,4\]/,
  );
  tf.dispose(xt);
  disposeWeights(weights, wrong, gru);
});

for (const kind of CELLS) {
  test(`${kind}: the parallel graph runs of both directions give exactly what the eager ops give, values and gradients`, () => {
    assert.deepEqual(parallelPairSupport(tf, kind), { available: true });
    const [batchSize, timeSteps, inputSize, hiddenSize] = [6, 9, 5, 7];
    const lengths = [9, 3, 0, 7, 1, 9];
    const xt = timeMajor(randomInput(batchSize, timeSteps, inputSize, 81));
    const forward = randomWeights(inputSize, hiddenSize, 82, kind);
    const backward = randomWeights(inputSize, hiddenSize, 83, kind);
    const params = [xt, ...weightList(forward), ...weightList(backward)];
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
    for (const result of ['outputs', 'finalStates'] as const) {
      const size = result === 'outputs' ? timeSteps * batchSize * 2 * hiddenSize : batchSize * 2 * hiddenSize;
      const weighting = tf.randomNormal([size], 0, 1, 'float32', 84);
      const [graph, eager] = [true, false].map((graphs) =>
        inMode(graphs, () =>
          tf.grads((...p: Tensor[]) => weightedLoss(kind, result, 'fused', lengths, p, weighting))(params),
        ),
      );
      graph!.forEach((g, i) => {
        assert.equal(maxAbsDiff(g, eager![i]!), 0, `${result}: gradient ${i} differs`);
      });
      const values = [true, false].map((graphs) =>
        inMode(graphs, () =>
          result === 'outputs'
            ? bidirectionalTimeMajor(xt, lengths, forward, backward)
            : bidirectionalFinalStates(xt, lengths, forward, backward),
        ),
      );
      assert.equal(maxAbsDiff(values[0]!, values[1]!), 0, `${result}: values differ`);
      tf.dispose([weighting, ...graph!, ...eager!, ...values]);
    }
    xt.dispose();
    disposeWeights(forward, backward);
  });
}
