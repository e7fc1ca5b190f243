import type { Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';
import type { TensorflowModule } from '../backend';
import type { LstmWeights, SequenceLengths } from './types';

/** The shapes of one LSTM call, checked against each other. */
export interface LstmShape {
  batchSize: number;
  timeSteps: number;
  inputSize: number;
  hiddenSize: number;
}

/** Checks `x` against `weights` and returns the sizes; throws a message naming the mismatch. */
export function lstmShape(x: Tensor3D, weights: LstmWeights): LstmShape {
  if (x.rank !== 3) throw new Error(`LSTM input must be [batch, time, features], got shape [${x.shape}]`);
  const [batchSize, timeSteps, inputSize] = x.shape;
  const { kernel, bias } = weights;
  if (bias.rank !== 1 || bias.shape[0] % 4 !== 0 || bias.shape[0] === 0) {
    throw new Error(`LSTM bias must be [4 * hidden], got shape [${bias.shape}]`);
  }
  const hiddenSize = bias.shape[0] / 4;
  if (kernel.rank !== 2 || kernel.shape[0] !== inputSize + hiddenSize || kernel.shape[1] !== 4 * hiddenSize) {
    throw new Error(
      `LSTM kernel must be [input + hidden, 4 * hidden] = [${inputSize + hiddenSize}, ${4 * hiddenSize}], got [${kernel.shape}]`,
    );
  }
  if (batchSize === 0 || timeSteps === 0) {
    throw new Error(`LSTM input must hold at least one sequence and one time step, got shape [${x.shape}]`);
  }
  for (const [name, tensor] of [
    ['input', x],
    ['kernel', kernel],
    ['bias', bias],
  ] as const) {
    if (tensor.dtype !== 'float32') throw new Error(`LSTM ${name} must be float32, got ${tensor.dtype}`);
  }
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
