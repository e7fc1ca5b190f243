import type { GradSaveFunc, Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';
import type { TensorflowModule } from '../backend';
import { type Cell, weightsFrom, weightTensors } from './cell';
import { reverseSequence } from './native';
import { sequenceShape, timeMajorMasks } from './sequence';
import type { CellWeights, RecurrentResult } from './types';

/**
 * One direction of a recurrent layer on the cell's fused kernels, as ONE `tf.customGrad` op so
 * tfjs autodiff (variableGrads, optimizer.minimize) sees a single node with gradients for x and
 * every weight.
 *
 * The fused kernels run every row up to the longest length, so rows that end earlier compute
 * junk steps. They cannot leak: outputs are masked, the final state is read at each row's own
 * last step, and in the backward pass the junk steps receive zero gradient, which the recurrence
 * carries back as zero. A reversed layer reverses each row within its own length with
 * `ReverseSequence`, so its padding stays at the end and the same argument holds.
 *
 * customGrad ops return one tensor, so the op returns `[batch, time + 1, hidden]`: the outputs,
 * then the final state as one extra step. The caller slices them apart.
 */
export function fusedRecurrent<W extends CellWeights>(
  tf: TensorflowModule,
  cell: Cell<W>,
  x: Tensor3D,
  lengths: readonly number[],
  weights: W,
  reverse: boolean,
): RecurrentResult {
  const { batchSize, timeSteps, hiddenSize } = sequenceShape(cell, x, weights);
  const seqLenMax = Math.max(0, ...lengths);
  const weightCount = cell.parts.length;

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
    const input = args[0] as Tensor3D;
    const weightArgs = args.slice(1, 1 + weightCount) as Tensor[];
    const save = args[1 + weightCount] as GradSaveFunc;
    const processedInput = toProcessingOrder(input);
    const activations = cell.forward(tf, processedInput, seqLenMax, weightsFrom(cell, weightArgs));
    const hidden = activations[cell.hiddenActivation]!;
    const masks = timeMajorMasks(tf, lengths, timeSteps);
    const finalState = hidden.mul(masks.last).sum(0) as Tensor2D;
    const outputs = toBatchMajor(hidden.mul(masks.valid) as Tensor3D);
    save([processedInput, ...weightArgs, ...activations]);
    return {
      value: tf.concat([outputs, finalState.expandDims(1)], 1),
      gradFunc: (dy: Tensor, saved: Tensor[]) =>
        tf.tidy(() => {
          const savedInput = saved[0] as Tensor3D;
          const savedWeights = weightsFrom(cell, saved.slice(1, 1 + weightCount));
          const savedActivations = saved.slice(1 + weightCount) as Tensor3D[];
          const gradMasks = timeMajorMasks(tf, lengths, timeSteps);
          const outputsGrad = dy.slice([0, 0, 0], [batchSize, timeSteps, hiddenSize]) as Tensor3D;
          const finalStateGrad = dy
            .slice([0, timeSteps, 0], [batchSize, 1, hiddenSize])
            .reshape([1, batchSize, hiddenSize]);
          const hiddenGrad = toProcessingOrder(outputsGrad)
            .mul(gradMasks.valid)
            .add(gradMasks.last.mul(finalStateGrad)) as Tensor3D;
          const grads = cell.backward(tf, savedInput, seqLenMax, savedWeights, savedActivations, hiddenGrad);
          return [toBatchMajor(grads.x), ...grads.weights];
        }),
    };
  });

  return tf.tidy(() => {
    const packed = op(x, ...weightTensors(cell, weights)) as Tensor3D;
    return {
      outputs: packed.slice([0, 0, 0], [batchSize, timeSteps, hiddenSize]),
      finalState: packed
        .slice([0, timeSteps, 0], [batchSize, 1, hiddenSize])
        .reshape([batchSize, hiddenSize]) as Tensor2D,
    };
  });
}
