import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Scalar, Tensor } from '@tensorflow/tfjs-node';
import {
  bidirectionalLayer,
  type CellKind,
  cellFor,
  type KernelImplementation,
  recurrentLayer,
} from '../../../src/core/kernels';
import { weightsFrom } from '../../../src/core/kernels/cell';
import {
  CELLS,
  disposeWeights,
  IMPLEMENTATIONS,
  liveTensors,
  maxAbsDiff,
  randomInput,
  randomLengths,
  randomWeights,
  tf,
  unpackPair,
  weightList,
} from './helpers';

/** A scalar that depends on every output and on both final states. */
function sumOfSquares(
  kind: CellKind,
  implementation: KernelImplementation,
  lengths: number[],
  params: Tensor[],
): Scalar {
  const [x, forward, backward] = unpackPair(kind, params);
  const result = bidirectionalLayer(x, lengths, forward, backward, { implementation });
  return result.outputs.square().sum().add(result.finalState.square().sum()) as Scalar;
}

const partNames = (kind: CellKind) =>
  cellFor(kind)
    .parts.flatMap((part) => [`forward ${part}`])
    .concat(cellFor(kind).parts.map((part) => `backward ${part}`));

for (const kind of CELLS) {
  test(`${kind}: gradients of x and all weights match central finite differences, both implementations`, () => {
    const [batchSize, timeSteps, inputSize, hiddenSize] = [3, 4, 3, 2];
    const lengths = [4, 2, 3];
    const forward = randomWeights(inputSize, hiddenSize, 101, kind);
    const backward = randomWeights(inputSize, hiddenSize, 121, kind);
    const params = [
      randomInput(batchSize, timeSteps, inputSize, 103),
      ...weightList(forward),
      ...weightList(backward),
    ];
    const names = ['x', ...partNames(kind)];
    // float32: a larger step keeps rounding noise (~1e-7 · loss / eps) far below the tolerance.
    const eps = 1e-2;
    for (const implementation of IMPLEMENTATIONS) {
      const lossOf = (values: Tensor[]) =>
        tf.tidy(() => sumOfSquares(kind, implementation, lengths, values).dataSync()[0]!);
      const analytic = tf.tidy(() =>
        tf
          .grads((...values: Tensor[]) => sumOfSquares(kind, implementation, lengths, values))(params)
          .map((g) => g.dataSync()),
      );
      params.forEach((param, which) => {
        const base = param.dataSync();
        const numeric = new Float32Array(base.length);
        for (let k = 0; k < base.length; k++) {
          const shifted = (delta: number) =>
            tf.tidy(() => {
              const values = Float32Array.from(base);
              values[k]! += delta;
              const replaced = params.map((p, i) => (i === which ? tf.tensor(values, p.shape) : p));
              return lossOf(replaced);
            });
          numeric[k] = (shifted(eps) - shifted(-eps)) / (2 * eps);
        }
        const got = analytic[which]!;
        let errorNorm = 0;
        let norm = 0;
        numeric.forEach((n, k) => {
          errorNorm += (got[k]! - n) ** 2;
          norm += n ** 2;
          assert.ok(
            Math.abs(got[k]! - n) <= 2e-3 + 1e-2 * Math.abs(n),
            `${implementation}, ${names[which]}[${k}]: autodiff ${got[k]} vs finite difference ${n}`,
          );
        });
        assert.ok(norm > 1e-2, `${names[which]}: the gradient is too small for the check to mean anything`);
        assert.ok(
          Math.sqrt(errorNorm / norm) <= 1e-2,
          `${implementation}, ${names[which]}: relative error ${Math.sqrt(errorNorm / norm)}`,
        );
      });
      // Padded inputs cannot influence the loss, so their gradient is exactly zero.
      const xGrad = analytic[0]!;
      lengths.forEach((length, row) => {
        for (let step = length; step < timeSteps; step++) {
          for (let unit = 0; unit < inputSize; unit++) {
            const value = xGrad[(row * timeSteps + step) * inputSize + unit]!;
            assert.equal(value, 0, `${implementation}: gradient at padded x[${row}][${step}][${unit}]`);
          }
        }
      });
    }
    params[0]!.dispose();
    disposeWeights(forward, backward);
  });

  test(`${kind}: fused and reference gradients agree at a realistic size with padding`, () => {
    const [batchSize, timeSteps, inputSize, hiddenSize] = [8, 15, 20, 16];
    const lengths = randomLengths(batchSize, timeSteps, 111);
    const forward = randomWeights(inputSize, hiddenSize, 112, kind);
    const backward = randomWeights(inputSize, hiddenSize, 132, kind);
    const params = [
      randomInput(batchSize, timeSteps, inputSize, 114),
      ...weightList(forward),
      ...weightList(backward),
    ];
    const [fused, reference] = IMPLEMENTATIONS.map((implementation) =>
      tf.grads((...values: Tensor[]) => sumOfSquares(kind, implementation, lengths, values))(params),
    );
    fused!.forEach((g, i) => {
      const scale = tf.tidy(() => reference![i]!.abs().max().dataSync()[0]!);
      assert.ok(scale > 0.1);
      assert.ok(
        maxAbsDiff(g, reference![i]!) <= 1e-4 * scale,
        `gradient ${i} differs by ${maxAbsDiff(g, reference![i]!)}`,
      );
    });
    tf.dispose([...fused!, ...reference!, params[0]!]);
    disposeWeights(forward, backward);
  });

  test(`${kind}: optimizer.minimize trains through the fused layer`, () => {
    const [batchSize, timeSteps, inputSize, hiddenSize] = [4, 6, 5, 4];
    const lengths = [6, 4, 5, 2];
    const x = randomInput(batchSize, timeSteps, inputSize, 121);
    const init = randomWeights(inputSize, hiddenSize, 122, kind);
    const cell = cellFor(kind);
    const variables = weightList(init).map((t) => tf.variable(t));
    const weights = weightsFrom(cell, variables);
    // A reachable target: what another layer of the same cell computes from the same input.
    const teacher = randomWeights(inputSize, hiddenSize, 143, kind);
    const target = tf.tidy(
      () => recurrentLayer(x, lengths, teacher, { implementation: 'reference' }).outputs,
    );
    const optimizer = tf.train.adam(0.05);
    const loss = () =>
      tf.tidy(() =>
        recurrentLayer(x, lengths, weights, { implementation: 'fused' }).outputs.sub(target).square().mean(),
      ) as Scalar;
    const initial = tf.tidy(() => loss().dataSync()[0]!);
    for (let step = 0; step < 40; step++) optimizer.minimize(loss)?.dispose();
    const trained = tf.tidy(() => loss().dataSync()[0]!);
    assert.ok(trained < 0.3 * initial, `loss went from ${initial} to ${trained}`);
    optimizer.dispose();
    tf.dispose([x, target, ...variables]);
    disposeWeights(init, teacher);
  });

  test(`${kind}: forward and backward passes leave no tensors behind, tfjs or native`, () => {
    const x = tf.variable(randomInput(4, 7, 5, 131));
    const lengths = [7, 3, 0, 5];
    const cell = cellFor(kind);
    const weights = randomWeights(5, 6, 132, kind);
    const forwardVariables = weightsFrom(
      cell,
      weightList(weights).map((t) => tf.variable(t.clone())),
    );
    const backwardVariables = weightsFrom(
      cell,
      weightList(weights).map((t) => tf.variable(t.clone())),
    );
    const run = (implementation: KernelImplementation) => {
      const { value, grads } = tf.variableGrads(() =>
        tf.tidy(() => {
          const result = bidirectionalLayer(x, lengths, forwardVariables, backwardVariables, {
            implementation,
          });
          return result.outputs.square().sum().add(result.finalState.sum()) as Scalar;
        }),
      );
      assert.equal(Object.keys(grads).length, 1 + 2 * cell.parts.length);
      tf.dispose([value, ...Object.values(grads)]);
      // Forward only, outside any gradient tape: customGrad must not keep its saved tensors.
      const inference = bidirectionalLayer(x, lengths, forwardVariables, backwardVariables, {
        implementation,
      });
      tf.dispose([inference.outputs, inference.finalState]);
    };
    for (const implementation of IMPLEMENTATIONS) {
      run(implementation); // warm-up: the fused-support probe and any lazily created state
      const before = liveTensors();
      for (let i = 0; i < 5; i++) run(implementation);
      assert.deepEqual(liveTensors(), before, `${implementation} leaks`);
    }
    tf.dispose([x]);
    disposeWeights(weights, forwardVariables, backwardVariables);
  });
}
