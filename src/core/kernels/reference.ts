import type { Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';
import type { TensorflowModule } from '../backend';
import { batchMajorMask, lstmShape, reversalIndices } from './sequence';
import type { LstmResult, LstmWeights } from './types';

/** Reverses each sequence of `[batch, time, features]` within its own length (a gather, so differentiable). */
function reverseWithinLengths(tf: TensorflowModule, x: Tensor3D, lengths: readonly number[]): Tensor3D {
  const [batchSize, timeSteps, features] = x.shape;
  const indices = tf.tensor1d(reversalIndices(lengths, timeSteps), 'int32');
  return x
    .reshape([batchSize * timeSteps, features])
    .gather(indices)
    .reshape([batchSize, timeSteps, features]);
}

/**
 * The LSTM in plain tf ops, with the same weight layout and math as the fused kernel (IFCO gates,
 * no forget bias, no peepholes, no clipping). Differentiable by tfjs autodiff. Used as the
 * fallback where the fused op is missing, and as the oracle in tests.
 *
 * A padded step leaves the state untouched and outputs zero, so a sequence gives the same result
 * whatever the padding after it.
 */
export function referenceLstm(
  tf: TensorflowModule,
  x: Tensor3D,
  lengths: readonly number[],
  weights: LstmWeights,
  reverse: boolean,
): LstmResult {
  const { batchSize, timeSteps, inputSize, hiddenSize } = lstmShape(x, weights);
  return tf.tidy(() => {
    const inputs = reverse ? reverseWithinLengths(tf, x, lengths) : x;
    const inputKernel = weights.kernel.slice([0, 0], [inputSize, 4 * hiddenSize]);
    const recurrentKernel = weights.kernel.slice([inputSize, 0], [hiddenSize, 4 * hiddenSize]);
    // The input projection of every step at once: one big matmul instead of T small ones.
    const projected = inputs
      .reshape([batchSize * timeSteps, inputSize])
      .matMul(inputKernel)
      .add(weights.bias)
      .reshape([batchSize, timeSteps, 4 * hiddenSize]);
    const projectedSteps = tf.unstack(projected, 1) as Tensor2D[];
    const stepMasks = tf.unstack(batchMajorMask(tf, lengths, timeSteps).expandDims(2), 1) as Tensor2D[];

    let hidden: Tensor2D = tf.zeros([batchSize, hiddenSize]);
    let cell: Tensor2D = tf.zeros([batchSize, hiddenSize]);
    const outputs: Tensor2D[] = [];
    for (let step = 0; step < timeSteps; step++) {
      const gates = projectedSteps[step]!.add(hidden.matMul(recurrentKernel));
      const [inputGate, forgetGate, candidate, outputGate] = tf.split(gates, 4, 1) as Tensor2D[];
      const nextCell = tf
        .sigmoid(forgetGate!)
        .mul(cell)
        .add(tf.sigmoid(inputGate!).mul(tf.tanh(candidate!)));
      const nextHidden = tf.sigmoid(outputGate!).mul(tf.tanh(nextCell));
      const mask = stepMasks[step]!;
      const keep = tf.onesLike(mask).sub(mask);
      cell = nextCell.mul(mask).add(cell.mul(keep));
      hidden = nextHidden.mul(mask).add(hidden.mul(keep));
      outputs.push(nextHidden.mul(mask));
    }
    const stacked = tf.stack(outputs, 1) as Tensor3D;
    return {
      outputs: reverse ? reverseWithinLengths(tf, stacked, lengths) : stacked,
      finalState: hidden,
    };
  });
}
