import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Scalar, Tensor, Tensor1D, Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';
import { bidirectionalLstm, type LstmImplementation, lstmLayer } from '../../../src/core/kernels';
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

/** A scalar that depends on every output and on both final states. */
function sumOfSquares(implementation: LstmImplementation, lengths: number[], params: Tensor[]): Scalar {
  const [x, forwardKernel, forwardBias, backwardKernel, backwardBias] = params;
  const result = bidirectionalLstm(
    x as Tensor3D,
    lengths,
    { kernel: forwardKernel as Tensor2D, bias: forwardBias as Tensor1D },
    { kernel: backwardKernel as Tensor2D, bias: backwardBias as Tensor1D },
    { implementation },
  );
  return result.outputs.square().sum().add(result.finalState.square().sum()) as Scalar;
}

test('gradients of x and all weights match central finite differences, both implementations', () => {
  const [batchSize, timeSteps, inputSize, hiddenSize] = [3, 4, 3, 2];
  const lengths = [4, 2, 3];
  const forward = randomWeights(inputSize, hiddenSize, 101);
  const backward = randomWeights(inputSize, hiddenSize, 102);
  const params = [
    randomInput(batchSize, timeSteps, inputSize, 103),
    forward.kernel,
    forward.bias,
    backward.kernel,
    backward.bias,
  ];
  const names = ['x', 'forward kernel', 'forward bias', 'backward kernel', 'backward bias'];
  // float32: a larger step keeps rounding noise (~1e-7 · loss / eps) far below the tolerance.
  const eps = 1e-2;
  for (const implementation of implementations) {
    const lossOf = (values: Tensor[]) =>
      tf.tidy(() => sumOfSquares(implementation, lengths, values).dataSync()[0]!);
    const analytic = tf.tidy(() =>
      tf
        .grads((...values: Tensor[]) => sumOfSquares(implementation, lengths, values))(params)
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

test('fused and reference gradients agree at a realistic size with padding', () => {
  const [batchSize, timeSteps, inputSize, hiddenSize] = [8, 15, 20, 16];
  const lengths = randomLengths(batchSize, timeSteps, 111);
  const forward = randomWeights(inputSize, hiddenSize, 112);
  const backward = randomWeights(inputSize, hiddenSize, 113);
  const params = [
    randomInput(batchSize, timeSteps, inputSize, 114),
    forward.kernel,
    forward.bias,
    backward.kernel,
    backward.bias,
  ];
  const [fused, reference] = implementations.map((implementation) =>
    tf.grads((...values: Tensor[]) => sumOfSquares(implementation, lengths, values))(params),
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

test('optimizer.minimize trains through the fused layer', () => {
  const [batchSize, timeSteps, inputSize, hiddenSize] = [4, 6, 5, 4];
  const lengths = [6, 4, 5, 2];
  const x = randomInput(batchSize, timeSteps, inputSize, 121);
  const init = randomWeights(inputSize, hiddenSize, 122);
  const kernel = tf.variable(init.kernel);
  const bias = tf.variable(init.bias);
  // A reachable target: what another LSTM computes from the same input.
  const teacher = randomWeights(inputSize, hiddenSize, 123);
  const target = tf.tidy(() => lstmLayer(x, lengths, teacher, { implementation: 'reference' }).outputs);
  const optimizer = tf.train.adam(0.05);
  const loss = () =>
    tf.tidy(() =>
      lstmLayer(x, lengths, { kernel, bias }, { implementation: 'fused' })
        .outputs.sub(target)
        .square()
        .mean(),
    ) as Scalar;
  const initial = tf.tidy(() => loss().dataSync()[0]!);
  for (let step = 0; step < 40; step++) optimizer.minimize(loss)?.dispose();
  const trained = tf.tidy(() => loss().dataSync()[0]!);
  assert.ok(trained < 0.3 * initial, `loss went from ${initial} to ${trained}`);
  optimizer.dispose();
  tf.dispose([x, kernel, bias, target]);
  disposeWeights(init, teacher);
});

test('forward and backward passes leave no tensors behind, tfjs or native', () => {
  const x = tf.variable(randomInput(4, 7, 5, 131));
  const lengths = [7, 3, 0, 5];
  const weights = randomWeights(5, 6, 132);
  const forwardVariables = { kernel: tf.variable(weights.kernel), bias: tf.variable(weights.bias) };
  const backwardVariables = {
    kernel: tf.variable(weights.kernel.clone()),
    bias: tf.variable(weights.bias.clone()),
  };
  const run = (implementation: LstmImplementation) => {
    const { value, grads } = tf.variableGrads(() =>
      tf.tidy(() => {
        const result = bidirectionalLstm(x, lengths, forwardVariables, backwardVariables, { implementation });
        return result.outputs.square().sum().add(result.finalState.sum()) as Scalar;
      }),
    );
    assert.equal(Object.keys(grads).length, 5);
    tf.dispose([value, ...Object.values(grads)]);
    // Forward only, outside any gradient tape: customGrad must not keep its saved tensors.
    const inference = bidirectionalLstm(x, lengths, forwardVariables, backwardVariables, { implementation });
    tf.dispose([inference.outputs, inference.finalState]);
  };
  for (const implementation of implementations) {
    run(implementation); // warm-up: the fused-support probe and any lazily created state
    const before = liveTensors();
    for (let i = 0; i < 5; i++) run(implementation);
    assert.deepEqual(liveTensors(), before, `${implementation} leaks`);
  }
  tf.dispose([
    x,
    forwardVariables.kernel,
    forwardVariables.bias,
    backwardVariables.kernel,
    backwardVariables.bias,
  ]);
  disposeWeights(weights);
});
