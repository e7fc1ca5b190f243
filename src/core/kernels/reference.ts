import type { Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';
import type { TensorflowModule } from '../backend';
import { batchMajorMask, reversalIndices } from './sequence';
import type { RecurrentResult } from './types';

/** Reverses each sequence of `[batch, time, features]` within its own length (a gather, so differentiable). */
function reverseWithinLengths(tf: TensorflowModule, x: Tensor3D, lengths: readonly number[]): Tensor3D {
  const [batchSize, timeSteps, features] = x.shape;
  const indices = tf.tensor1d(reversalIndices(lengths, timeSteps), 'int32');
  return x
    .reshape([batchSize * timeSteps, features])
    .gather(indices)
    .reshape([batchSize, timeSteps, features]);
}

/** A cell's math in plain tf ops, for `referenceRecurrent`. */
export interface ReferenceCellMath {
  /** The number of state tensors carried from step to step; the first is the hidden state. */
  stateCount: number;
  /** The input projection of every step at once, `[rows, width]`: one big matmul instead of T small ones. */
  project(inputs: Tensor2D): Tensor2D;
  /** The next states from this step's projection `[batch, width]` and the previous states. */
  step(projected: Tensor2D, previous: Tensor2D[]): Tensor2D[];
}

/**
 * A recurrent layer in plain tf ops, differentiable by tfjs autodiff: the fallback where the
 * fused ops are missing, and the oracle in tests. Runs over batch-major `x` `[batch, time, input]`.
 *
 * A padded step leaves the states untouched and outputs zero, so a sequence gives the same result
 * whatever the padding after it.
 */
export function referenceRecurrent(
  tf: TensorflowModule,
  x: Tensor3D,
  lengths: readonly number[],
  reverse: boolean,
  hiddenSize: number,
  cellMath: () => ReferenceCellMath,
): RecurrentResult {
  const [batchSize, timeSteps, inputSize] = x.shape;
  return tf.tidy(() => {
    // Made inside the tidy: the weight slices it prepares are freed with the rest.
    const math = cellMath();
    const inputs = reverse ? reverseWithinLengths(tf, x, lengths) : x;
    const projected = math.project(inputs.reshape([batchSize * timeSteps, inputSize]));
    const projectedSteps = tf.unstack(
      projected.reshape([batchSize, timeSteps, projected.shape[1]]),
      1,
    ) as Tensor2D[];
    const stepMasks = tf.unstack(batchMajorMask(tf, lengths, timeSteps).expandDims(2), 1) as Tensor2D[];

    let states: Tensor2D[] = Array.from({ length: math.stateCount }, () => tf.zeros([batchSize, hiddenSize]));
    const outputs: Tensor2D[] = [];
    for (let step = 0; step < timeSteps; step++) {
      const next = math.step(projectedSteps[step]!, states);
      const mask = stepMasks[step]!;
      const keep = tf.onesLike(mask).sub(mask);
      states = next.map((state, k) => state.mul(mask).add(states[k]!.mul(keep)));
      outputs.push(next[0]!.mul(mask));
    }
    const stacked = tf.stack(outputs, 1) as Tensor3D;
    return {
      outputs: reverse ? reverseWithinLengths(tf, stacked, lengths) : stacked,
      finalState: states[0]!,
    };
  });
}
