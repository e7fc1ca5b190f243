import type { GradSaveFunc, Tensor, Tensor1D, Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';
import type { TensorflowModule } from '../backend';
import { type Cell, weightsFrom, weightTensors } from './cell';
import { reverseSequence } from './native';
import {
  graphPairBackward,
  graphPairForward,
  type PairForward,
  type PairGradients,
  type PairSaved,
} from './pair-graph';
import type { CellWeights } from './types';

/** What a bidirectional op returns: every step's outputs, or only each row's final states. */
type BidirectionalResult = 'outputs' | 'finalStates';

/** `[time, batch, 1]` float mask, 1 where step < length. */
function validMask(tf: TensorflowModule, lengths: readonly number[], timeSteps: number): Tensor3D {
  const batchSize = lengths.length;
  const mask = new Float32Array(timeSteps * batchSize);
  lengths.forEach((length, row) => {
    for (let step = 0; step < length; step++) mask[step * batchSize + row] = 1;
  });
  return tf.tensor3d(mask, [timeSteps, batchSize, 1]);
}

/**
 * Row of `[time * batch, features]` (time-major) holding each sequence's last real step; an
 * empty sequence points at its step 0 and is zeroed by `nonEmptyMask`.
 */
function lastStepRows(lengths: readonly number[]): Int32Array {
  const batchSize = lengths.length;
  return Int32Array.from(lengths, (length, row) => Math.max(0, length - 1) * batchSize + row);
}

/**
 * Both directions of a bidirectional layer as ONE `tf.customGrad` op on time-major input
 * `[time, batch, input]`: the cell's fused forward pass for each direction, its fused gradient
 * for each direction backward, and nothing per direction that the caller would have to pack or
 * slice apart. Compared with two one-direction ops this saves the transposes, the concat/slice
 * packing and most mask tensors (the per-call overhead of such small ops is what dominates at
 * tagger sizes).
 *
 * - `outputs`: `[time, batch, 2 * hidden]`, forward then backward, zero at padded steps.
 * - `finalStates`: `[batch, 2 * hidden]`, the forward state after each row's last real step and
 *   the backward state after its first step (zero for an empty row).
 *
 * Padding cannot leak, for the reasons given in `fusedRecurrent`: rows are run to the longest
 * length, the backward direction reverses each row within its own length (`ReverseSequence`) so
 * its padding stays at the end, only real steps are read, and the junk steps after a row's end
 * get zero gradient, which the recurrence carries back as zero.
 */
export function fusedBidirectional<W extends CellWeights>(
  tf: TensorflowModule,
  cell: Cell<W>,
  x: Tensor3D,
  lengths: readonly number[],
  forwardWeights: W,
  backwardWeights: W,
  result: BidirectionalResult,
): Tensor {
  const [timeSteps, batchSize] = x.shape;
  const hiddenSize = cell.hiddenSize(forwardWeights);
  const seqLenMax = Math.max(0, ...lengths);
  const hasEmptyRow = lengths.some((length) => length === 0);
  const lengthsTensor = () => tf.tensor1d(lengths as number[], 'int32');
  const weightCount = cell.parts.length;
  const activationCount = cell.activationCount;

  const op = tf.customGrad((...args: Array<Tensor | GradSaveFunc>) => {
    const input = args[0] as Tensor3D;
    const forwardArgs = args.slice(1, 1 + weightCount) as Tensor[];
    const backwardArgs = args.slice(1 + weightCount, 1 + 2 * weightCount) as Tensor[];
    const save = args[1 + 2 * weightCount] as GradSaveFunc;
    const rowLengths = lengthsTensor();
    const { reversedInput, forward, backward } =
      graphPairForward(tf, cell, input, rowLengths, seqLenMax, forwardArgs, backwardArgs) ??
      eagerPairForward(tf, cell, input, rowLengths, seqLenMax, forwardArgs, backwardArgs);
    const forwardHidden = forward[cell.hiddenActivation]!;
    const backwardHidden = backward[cell.hiddenActivation]!;
    // Per-row constants travel to the gradient as saved tensors: kept while the tape needs
    // them, freed by the engine after backprop, never kept at all outside a gradient tape.
    let value: Tensor;
    let selector: Tensor;
    if (result === 'outputs') {
      selector = validMask(tf, lengths, timeSteps);
      const backwardOutputs = reverseSequence(tf, backwardHidden, rowLengths, 0, 1);
      value = tf.concat([forwardHidden, backwardOutputs], 2).mul(selector);
    } else {
      selector = tf.tensor2d(lastStepRows(lengths), [batchSize, 1], 'int32');
      const both = tf
        .concat([forwardHidden, backwardHidden], 2)
        .reshape([timeSteps * batchSize, 2 * hiddenSize]);
      value = tf.gatherND(both, selector);
      if (hasEmptyRow) value = value.mul(nonEmptyMask(tf, lengths));
    }
    save([
      input,
      reversedInput,
      rowLengths,
      selector,
      ...forwardArgs,
      ...backwardArgs,
      ...forward,
      ...backward,
    ]);
    return {
      value,
      gradFunc: (dy: Tensor, saved: Tensor[]) =>
        tf.tidy(() => {
          const [savedInput, savedReversed, savedLengths, savedSelector] = saved as [
            Tensor3D,
            Tensor3D,
            Tensor1D,
            Tensor,
          ];
          const weights = saved.slice(4, 4 + 2 * weightCount);
          const activations = saved.slice(4 + 2 * weightCount) as Tensor3D[];
          let hiddenGrad: Tensor3D;
          if (result === 'outputs') {
            hiddenGrad = dy.mul(savedSelector) as Tensor3D;
          } else {
            const grad = hasEmptyRow ? dy.mul(nonEmptyMask(tf, lengths)) : dy;
            hiddenGrad = tf
              .scatterND(savedSelector, grad, [timeSteps * batchSize, 2 * hiddenSize])
              .reshape([timeSteps, batchSize, 2 * hiddenSize]);
          }
          const [forwardHiddenGrad, backwardHiddenGrad] = tf.split(hiddenGrad, 2, 2) as [Tensor3D, Tensor3D];
          const pair: PairSaved = {
            x: savedInput,
            reversedInput: savedReversed,
            lengths: savedLengths,
            seqLenMax,
            forwardWeights: weights.slice(0, weightCount),
            backwardWeights: weights.slice(weightCount),
            forward: activations.slice(0, activationCount),
            backward: activations.slice(activationCount),
          };
          const inInputOrder = result === 'outputs';
          const grads =
            graphPairBackward(tf, cell, pair, forwardHiddenGrad, backwardHiddenGrad, inInputOrder) ??
            eagerPairBackward(tf, cell, pair, forwardHiddenGrad, backwardHiddenGrad, inInputOrder);
          return [grads.x, ...grads.forward, ...grads.backward];
        }),
    };
  });
  return op(x, ...weightTensors(cell, forwardWeights), ...weightTensors(cell, backwardWeights));
}

/** The eager fallback of `graphPairForward`: the same ops, one after the other. */
function eagerPairForward<W extends CellWeights>(
  tf: TensorflowModule,
  cell: Cell<W>,
  x: Tensor3D,
  lengths: Tensor1D,
  seqLenMax: number,
  forwardWeights: readonly Tensor[],
  backwardWeights: readonly Tensor[],
): PairForward {
  const reversedInput = reverseSequence(tf, x, lengths, 0, 1);
  return {
    reversedInput,
    forward: cell.forward(tf, x, seqLenMax, weightsFrom(cell, forwardWeights)),
    backward: cell.forward(tf, reversedInput, seqLenMax, weightsFrom(cell, backwardWeights)),
  };
}

/** The eager fallback of `graphPairBackward`. */
function eagerPairBackward<W extends CellWeights>(
  tf: TensorflowModule,
  cell: Cell<W>,
  saved: PairSaved,
  forwardHiddenGrad: Tensor3D,
  backwardHiddenGrad: Tensor3D,
  backwardGradInInputOrder: boolean,
): PairGradients {
  const forward = cell.backward(
    tf,
    saved.x,
    saved.seqLenMax,
    weightsFrom(cell, saved.forwardWeights),
    saved.forward,
    forwardHiddenGrad,
  );
  const backward = cell.backward(
    tf,
    saved.reversedInput,
    saved.seqLenMax,
    weightsFrom(cell, saved.backwardWeights),
    saved.backward,
    backwardGradInInputOrder
      ? reverseSequence(tf, backwardHiddenGrad, saved.lengths, 0, 1)
      : backwardHiddenGrad,
  );
  return {
    x: forward.x.add(reverseSequence(tf, backward.x, saved.lengths, 0, 1)),
    forward: forward.weights,
    backward: backward.weights,
  };
}

/** `[batch, 1]`: 0 for empty rows, 1 otherwise. */
function nonEmptyMask(tf: TensorflowModule, lengths: readonly number[]): Tensor2D {
  return tf.tensor2d(
    Float32Array.from(lengths, (length) => (length > 0 ? 1 : 0)),
    [lengths.length, 1],
  );
}
