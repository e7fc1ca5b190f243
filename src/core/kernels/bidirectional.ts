import type { GradSaveFunc, Tensor, Tensor1D, Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';
import type { TensorflowModule } from '../backend';
import {
  type DirectionWeights,
  graphPairBackward,
  graphPairForward,
  type PairForward,
  type PairGradients,
} from './graph';
import { type BlockLstmActivations, blockLstmBackward, blockLstmForward, reverseSequence } from './native';
import type { LstmWeights } from './types';

/** What a bidirectional op returns: every step's outputs, or only each row's final states. */
type BidirectionalResult = 'outputs' | 'finalStates';

const ACTIVATIONS = [
  'inputGate',
  'cell',
  'forgetGate',
  'outputGate',
  'candidate',
  'cellTanh',
  'hidden',
] as const;

function activationList(a: BlockLstmActivations): Tensor3D[] {
  return ACTIVATIONS.map((name) => a[name]);
}

function activationsOf(list: Tensor3D[]): BlockLstmActivations {
  return Object.fromEntries(
    ACTIVATIONS.map((name, i) => [name, list[i]!]),
  ) as unknown as BlockLstmActivations;
}

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
 * Both directions of a BiLSTM as ONE `tf.customGrad` op on time-major input `[time, batch, input]`:
 * two `BlockLSTMV2` calls forward, two `BlockLSTMGradV2` calls backward, and nothing per direction
 * that the caller would have to pack or slice apart. Compared with two one-direction ops this
 * saves the transposes, the concat/slice packing and most mask tensors (the per-call overhead of
 * such small ops is what dominates at tagger sizes).
 *
 * - `outputs`: `[time, batch, 2 * hidden]`, forward then backward, zero at padded steps.
 * - `finalStates`: `[batch, 2 * hidden]`, the forward state after each row's last real step and
 *   the backward state after its first step (zero for an empty row).
 *
 * Padding cannot leak, for the reasons given in `fusedLstm`: rows are run to the longest length,
 * the backward direction reverses each row within its own length (`ReverseSequence`) so its
 * padding stays at the end, only real steps are read, and the junk steps after a row's end get
 * zero gradient, which the recurrence carries back as zero.
 */
export function fusedBidirectional(
  tf: TensorflowModule,
  x: Tensor3D,
  lengths: readonly number[],
  forwardWeights: LstmWeights,
  backwardWeights: LstmWeights,
  result: BidirectionalResult,
): Tensor {
  const [timeSteps, batchSize] = x.shape;
  const hiddenSize = forwardWeights.bias.shape[0] / 4;
  const seqLenMax = Math.max(0, ...lengths);
  const hasEmptyRow = lengths.some((length) => length === 0);
  const lengthsTensor = () => tf.tensor1d(lengths as number[], 'int32');

  const op = tf.customGrad((...args: Array<Tensor | GradSaveFunc>) => {
    const [input, forwardKernel, forwardBias, backwardKernel, backwardBias, save] = args as [
      Tensor3D,
      Tensor2D,
      Tensor1D,
      Tensor2D,
      Tensor1D,
      GradSaveFunc,
    ];
    const rowLengths = lengthsTensor();
    const forwardDirection = { kernel: forwardKernel, bias: forwardBias };
    const backwardDirection = { kernel: backwardKernel, bias: backwardBias };
    const { reversedInput, forward, backward } =
      graphPairForward(tf, input, rowLengths, seqLenMax, forwardDirection, backwardDirection) ??
      eagerPairForward(tf, input, rowLengths, seqLenMax, forwardDirection, backwardDirection);
    // Per-row constants travel to the gradient as saved tensors: kept while the tape needs
    // them, freed by the engine after backprop, never kept at all outside a gradient tape.
    let value: Tensor;
    let selector: Tensor;
    if (result === 'outputs') {
      selector = validMask(tf, lengths, timeSteps);
      const backwardOutputs = reverseSequence(tf, backward.hidden, rowLengths, 0, 1);
      value = tf.concat([forward.hidden, backwardOutputs], 2).mul(selector);
    } else {
      selector = tf.tensor2d(lastStepRows(lengths), [batchSize, 1], 'int32');
      const both = tf
        .concat([forward.hidden, backward.hidden], 2)
        .reshape([timeSteps * batchSize, 2 * hiddenSize]);
      value = tf.gatherND(both, selector);
      if (hasEmptyRow) value = value.mul(nonEmptyMask(tf, lengths));
    }
    save([
      input,
      reversedInput,
      rowLengths,
      selector,
      forwardKernel,
      forwardBias,
      backwardKernel,
      backwardBias,
      ...activationList(forward),
      ...activationList(backward),
    ]);
    return {
      value,
      gradFunc: (dy: Tensor, saved: Tensor[]) =>
        tf.tidy(() => {
          const [savedInput, savedReversed, savedLengths, savedSelector, fk, fb, bk, bb] = saved as [
            Tensor3D,
            Tensor3D,
            Tensor1D,
            Tensor,
            Tensor2D,
            Tensor1D,
            Tensor2D,
            Tensor1D,
          ];
          const activations = saved.slice(8) as Tensor3D[];
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
          const pair = {
            x: savedInput,
            reversedInput: savedReversed,
            lengths: savedLengths,
            seqLenMax,
            forwardWeights: { kernel: fk, bias: fb },
            backwardWeights: { kernel: bk, bias: bb },
            forward: activationsOf(activations.slice(0, 7)),
            backward: activationsOf(activations.slice(7)),
          };
          const inInputOrder = result === 'outputs';
          const grads =
            graphPairBackward(tf, pair, forwardHiddenGrad, backwardHiddenGrad, inInputOrder) ??
            eagerPairBackward(tf, pair, forwardHiddenGrad, backwardHiddenGrad, inInputOrder);
          return [grads.x, grads.forwardKernel, grads.forwardBias, grads.backwardKernel, grads.backwardBias];
        }),
    };
  });
  return op(x, forwardWeights.kernel, forwardWeights.bias, backwardWeights.kernel, backwardWeights.bias);
}

/** The eager fallback of `graphPairForward`: the same ops, one after the other. */
function eagerPairForward(
  tf: TensorflowModule,
  x: Tensor3D,
  lengths: Tensor1D,
  seqLenMax: number,
  forwardWeights: DirectionWeights,
  backwardWeights: DirectionWeights,
): PairForward {
  const reversedInput = reverseSequence(tf, x, lengths, 0, 1);
  return {
    reversedInput,
    forward: blockLstmForward(tf, x, seqLenMax, forwardWeights.kernel, forwardWeights.bias),
    backward: blockLstmForward(tf, reversedInput, seqLenMax, backwardWeights.kernel, backwardWeights.bias),
  };
}

/** The eager fallback of `graphPairBackward`. */
function eagerPairBackward(
  tf: TensorflowModule,
  saved: Parameters<typeof graphPairBackward>[1],
  forwardHiddenGrad: Tensor3D,
  backwardHiddenGrad: Tensor3D,
  backwardGradInInputOrder: boolean,
): PairGradients {
  const forward = blockLstmBackward(
    tf,
    saved.x,
    saved.seqLenMax,
    saved.forwardWeights.kernel,
    saved.forwardWeights.bias,
    saved.forward,
    forwardHiddenGrad,
  );
  const backward = blockLstmBackward(
    tf,
    saved.reversedInput,
    saved.seqLenMax,
    saved.backwardWeights.kernel,
    saved.backwardWeights.bias,
    saved.backward,
    backwardGradInInputOrder
      ? reverseSequence(tf, backwardHiddenGrad, saved.lengths, 0, 1)
      : backwardHiddenGrad,
  );
  return {
    x: forward.x.add(reverseSequence(tf, backward.x, saved.lengths, 0, 1)),
    forwardKernel: forward.kernel,
    forwardBias: forward.bias,
    backwardKernel: backward.kernel,
    backwardBias: backward.bias,
  };
}

/** `[batch, 1]`: 0 for empty rows, 1 otherwise. */
function nonEmptyMask(tf: TensorflowModule, lengths: readonly number[]): Tensor2D {
  return tf.tensor2d(
    Float32Array.from(lengths, (length) => (length > 0 ? 1 : 0)),
    [lengths.length, 1],
  );
}
