import type { Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';
import type { TensorflowModule } from '../backend';
import { type Cell, weightTensors } from './cell';
import type { CellWeights, SequenceLengths } from './types';

/** The shapes of one recurrent layer call, checked against each other. */
export interface SequenceShape {
  batchSize: number;
  timeSteps: number;
  inputSize: number;
  hiddenSize: number;
}

/**
 * Checks batch-major `x` `[batch, time, input]` against a cell's weights and returns the sizes;
 * throws a message naming the mismatch. `axes` names x's first two axes for the messages.
 */
export function sequenceShape<W extends CellWeights>(
  cell: Cell<W>,
  x: Tensor3D,
  weights: W,
  axes = 'batch, time',
): SequenceShape {
  const name = cell.kind.toUpperCase();
  if (x.rank !== 3) throw new Error(`${name} input must be [${axes}, features], got shape [${x.shape}]`);
  const [batchSize, timeSteps, inputSize] = x.shape;
  const hiddenSize = cell.hiddenSize(weights, inputSize);
  if (batchSize === 0 || timeSteps === 0) {
    throw new Error(
      `${name} input must hold at least one sequence and one time step, got shape [${x.shape}]`,
    );
  }
  if (x.dtype !== 'float32') throw new Error(`${name} input must be float32, got ${x.dtype}`);
  weightTensors(cell, weights).forEach((tensor, i) => {
    if (tensor.dtype !== 'float32') {
      throw new Error(`${name} ${cell.parts[i]} must be float32, got ${tensor.dtype}`);
    }
  });
  return { batchSize, timeSteps, inputSize, hiddenSize };
}

/** Reads and checks the lengths: one integer in `[0, timeSteps]` per batch row. */
export function readLengths(lengths: SequenceLengths, batchSize: number, timeSteps: number): number[] {
  const values = Array.isArray(lengths)
    ? [...(lengths as readonly number[])]
    : Array.from((lengths as Exclude<SequenceLengths, readonly number[]>).dataSync());
  if (values.length !== batchSize) {
    throw new Error(`sequence lengths: got ${values.length} for a batch of ${batchSize} sequences`);
  }
  values.forEach((length, row) => {
    if (!Number.isInteger(length) || length < 0 || length > timeSteps) {
      throw new Error(
        `sequence lengths: row ${row} has length ${length}, expected an integer between 0 and ${timeSteps}`,
      );
    }
  });
  return values;
}

/**
 * `[time, batch, 1]` masks in time-major order: `valid` is 1 where step < length, `last` is 1 only
 * at step length − 1 (so an empty sequence has no last step and its final state is zero).
 */
export function timeMajorMasks(
  tf: TensorflowModule,
  lengths: readonly number[],
  timeSteps: number,
): { valid: Tensor3D; last: Tensor3D } {
  const batchSize = lengths.length;
  const valid = new Float32Array(timeSteps * batchSize);
  const last = new Float32Array(timeSteps * batchSize);
  lengths.forEach((length, row) => {
    for (let step = 0; step < length; step++) valid[step * batchSize + row] = 1;
    if (length > 0) last[(length - 1) * batchSize + row] = 1;
  });
  return {
    valid: tf.tensor3d(valid, [timeSteps, batchSize, 1]),
    last: tf.tensor3d(last, [timeSteps, batchSize, 1]),
  };
}

/** `[batch, time]` mask, 1 where step < length. */
export function batchMajorMask(
  tf: TensorflowModule,
  lengths: readonly number[],
  timeSteps: number,
): Tensor2D {
  const mask = new Float32Array(lengths.length * timeSteps);
  lengths.forEach((length, row) => {
    mask.fill(1, row * timeSteps, row * timeSteps + length);
  });
  return tf.tensor2d(mask, [lengths.length, timeSteps]);
}

/**
 * Row indices into `x` reshaped to `[batch * time, features]` that reverse each sequence within
 * its own length and leave its padding where it is. Applying them twice is the identity.
 */
export function reversalIndices(lengths: readonly number[], timeSteps: number): Int32Array {
  const indices = new Int32Array(lengths.length * timeSteps);
  lengths.forEach((length, row) => {
    for (let step = 0; step < timeSteps; step++) {
      const source = step < length ? length - 1 - step : step;
      indices[row * timeSteps + step] = row * timeSteps + source;
    }
  });
  return indices;
}
