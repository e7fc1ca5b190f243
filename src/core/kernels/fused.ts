import type { GradSaveFunc, Tensor, Tensor1D, Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';
import type { TensorflowModule } from '../backend';
import {
  activationList,
  activationsFrom,
  blockLstmBackward,
  blockLstmForward,
  reverseSequence,
} from './native';
import { lstmShape, timeMajorMasks } from './sequence';
import type { LstmResult, LstmWeights } from './types';

/**
 * The LSTM on TensorFlow's fused `BlockLSTMV2` / `BlockLSTMGradV2`, as ONE `tf.customGrad` op so
 * tfjs autodiff (variableGrads, optimizer.minimize) sees a single node with gradients for x, the
 * kernel and the bias.
 *
 * `BlockLSTM` runs every row up to the longest length, so rows that end earlier compute junk
 * steps. They cannot leak: outputs are masked, the final state is read at each row's own last
 * step, and in the backward pass the junk steps receive zero gradient, which the recurrence
 * carries back as zero. A reversed layer reverses each row within its own length with
 * `ReverseSequence`, so its padding stays at the end and the same argument holds.
 *
 * customGrad ops return one tensor, so the op returns `[batch, time + 1, hidden]`: the outputs,
 * then the final state as one extra step. The caller slices them apart.
 */
export function fusedLstm(
  tf: TensorflowModule,
  x: Tensor3D,
  lengths: readonly number[],
  weights: LstmWeights,
  reverse: boolean,
): LstmResult {
  const { batchSize, timeSteps, hiddenSize } = lstmShape(x, weights);
  const seqLenMax = Math.max(0, ...lengths);

  // Batch-major ↔ time-major, and for a reversed layer, each row reversed within its length.
  const toProcessingOrder = (batchMajor: Tensor3D): Tensor3D => {
    const timeMajor = batchMajor.transpose([1, 0, 2]) as Tensor3D;
    return reverse
      ? reverseSequence(tf, timeMajor, tf.tensor1d(lengths as number[], 'int32'), 0, 1)
      : timeMajor;
  };
  const toBatchMajor = (processed: Tensor3D): Tensor3D => {
    const timeMajor = reverse
      ? reverseSequence(tf, processed, tf.tensor1d(lengths as number[], 'int32'), 0, 1)
      : processed;
    return timeMajor.transpose([1, 0, 2]) as Tensor3D;
  };

  const op = tf.customGrad((...args: Array<Tensor | GradSaveFunc>) => {
    const [input, kernel, bias, save] = args as [Tensor3D, Tensor2D, Tensor1D, GradSaveFunc];
    const processedInput = toProcessingOrder(input);
    const activations = blockLstmForward(tf, processedInput, seqLenMax, kernel, bias);
    const masks = timeMajorMasks(tf, lengths, timeSteps);
    const finalState = activations.hidden.mul(masks.last).sum(0) as Tensor2D;
    const outputs = toBatchMajor(activations.hidden.mul(masks.valid) as Tensor3D);
    save([processedInput, kernel, bias, ...activationList(activations)]);
    return {
      value: tf.concat([outputs, finalState.expandDims(1)], 1),
      gradFunc: (dy: Tensor, saved: Tensor[]) =>
        tf.tidy(() => {
          const [savedInput, savedKernel, savedBias, ...savedActivations] = saved as Tensor3D[];
          const gradMasks = timeMajorMasks(tf, lengths, timeSteps);
          const outputsGrad = dy.slice([0, 0, 0], [batchSize, timeSteps, hiddenSize]) as Tensor3D;
          const finalStateGrad = dy
            .slice([0, timeSteps, 0], [batchSize, 1, hiddenSize])
            .reshape([1, batchSize, hiddenSize]);
          const hiddenGrad = toProcessingOrder(outputsGrad)
            .mul(gradMasks.valid)
            .add(gradMasks.last.mul(finalStateGrad)) as Tensor3D;
          const grads = blockLstmBackward(
            tf,
            savedInput!,
            seqLenMax,
            savedKernel as unknown as Tensor2D,
            savedBias as unknown as Tensor1D,
            activationsFrom(savedActivations),
            hiddenGrad,
          );
          return [toBatchMajor(grads.x), grads.kernel, grads.bias];
        }),
    };
  });

  return tf.tidy(() => {
    const packed = op(x, weights.kernel, weights.bias) as Tensor3D;
    return {
      outputs: packed.slice([0, 0, 0], [batchSize, timeSteps, hiddenSize]),
      finalState: packed
        .slice([0, timeSteps, 0], [batchSize, 1, hiddenSize])
        .reshape([batchSize, hiddenSize]) as Tensor2D,
    };
  });
}
