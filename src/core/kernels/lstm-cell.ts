import type { Tensor, Tensor1D, Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';
import type { TensorflowModule } from '../backend';
import type { Cell, FusedSupport } from './cell';
import { DT_INT32, FLOAT, type GraphNode, gatherNode, int32Constant, int64Constant } from './graph';
import {
  executeNativeOp,
  floatTypeAttr,
  type OpAttr,
  probeKernels,
  requireNativeBackend,
  withSeqLenMax,
} from './native';
import { referenceRecurrent } from './reference';
import type { LstmWeights } from './types';

/** The TensorFlow op names of the fused LSTM; a parameter so a test can name ops that do not exist. */
export interface BlockLstmOpNames {
  forward: string;
  backward: string;
}

export const BLOCK_LSTM_OPS: BlockLstmOpNames = { forward: 'BlockLSTMV2', backward: 'BlockLSTMGradV2' };

/**
 * The seven per-step tensors `BlockLSTMV2` returns, each `[time, batch, hidden]`, in its output
 * order (which `BlockLSTMGradV2` takes back): input gate, cell, forget gate, output gate, cell
 * candidate, tanh of the cell, hidden state.
 */
const HIDDEN_ACTIVATION = 6;

/** Zero initial state and (unused) peephole weights, which the op requires as inputs anyway. */
function unusedInputs(tf: TensorflowModule, x: Tensor3D, bias: Tensor1D) {
  const [, batchSize] = x.shape;
  const hiddenSize = bias.shape[0] / 4;
  return { initialState: tf.zeros([batchSize, hiddenSize]), peephole: tf.zeros([hiddenSize]) };
}

/**
 * `BlockLSTMV2` forward over time-major `x` `[time, batch, input]`, from a zero state. Steps at and
 * after `seqLenMax` are not computed (their cell and hidden outputs are zero).
 */
function blockLstmForward(
  tf: TensorflowModule,
  x: Tensor3D,
  seqLenMax: number,
  { kernel, bias }: LstmWeights,
  opNames: BlockLstmOpNames = BLOCK_LSTM_OPS,
): Tensor3D[] {
  const backend = requireNativeBackend(tf);
  const { binding } = backend;
  return tf.tidy(() => {
    const { initialState, peephole } = unusedInputs(tf, x, bias);
    const attrs: OpAttr[] = [
      // Any value ≤ 0 turns clipping off.
      { name: 'cell_clip', type: binding.TF_ATTR_FLOAT, value: 0 },
      { name: 'use_peephole', type: binding.TF_ATTR_BOOL, value: false },
      floatTypeAttr(backend),
    ];
    const inputs = [x, initialState, initialState, kernel, peephole, peephole, peephole, bias];
    return withSeqLenMax(backend, seqLenMax, (id) =>
      executeNativeOp(backend, opNames.forward, attrs, inputs, 7, [id]),
    ) as Tensor3D[];
  });
}

/**
 * `BlockLSTMGradV2`: gradients of x, kernel and bias given the gradient of every hidden output
 * `hiddenGrad` `[time, batch, hidden]` (no gradient flows into the cell outputs).
 */
function blockLstmBackward(
  tf: TensorflowModule,
  x: Tensor3D,
  seqLenMax: number,
  { kernel, bias }: LstmWeights,
  activations: Tensor3D[],
  hiddenGrad: Tensor3D,
  opNames: BlockLstmOpNames = BLOCK_LSTM_OPS,
): { x: Tensor3D; weights: Tensor[] } {
  const backend = requireNativeBackend(tf);
  const { binding } = backend;
  return tf.tidy(() => {
    const { initialState, peephole } = unusedInputs(tf, x, bias);
    const attrs: OpAttr[] = [
      { name: 'use_peephole', type: binding.TF_ATTR_BOOL, value: false },
      floatTypeAttr(backend),
    ];
    const inputs = [
      ...[x, initialState, initialState, kernel, peephole, peephole, peephole, bias],
      ...activations,
      tf.zerosLike(hiddenGrad),
      hiddenGrad,
    ];
    const grads = withSeqLenMax(backend, seqLenMax, (id) =>
      executeNativeOp(backend, opNames.backward, attrs, inputs, 8, [id]),
    );
    // Outputs: x, cs_prev, h_prev, w, wci, wcf, wco, b; the rest are discarded by the tidy.
    return { x: grads[0] as Tensor3D, weights: [grads[3]!, grads[7]!] };
  });
}

/** Whether the fused LSTM runs on the active backend: its forward op and its gradient, once. */
export function probeLstmKernels(
  tf: TensorflowModule,
  opNames: BlockLstmOpNames = BLOCK_LSTM_OPS,
): FusedSupport {
  return probeKernels(tf, () => {
    const x = tf.ones([2, 2, 2]) as Tensor3D;
    const weights = { kernel: tf.ones([4, 8]) as Tensor2D, bias: tf.zeros([8]) as Tensor1D };
    const activations = blockLstmForward(tf, x, 2, weights, opNames);
    const hiddenGrad = tf.onesLike(activations[HIDDEN_ACTIVATION]!);
    blockLstmBackward(tf, x, 2, weights, activations, hiddenGrad, opNames);
  });
}

/**
 * `BlockLSTMV2` over time-major node `x` (steps up to the placeholder `seq_len_max`, no
 * peepholes: `zero_peephole`), from the given initial cell and hidden states.
 */
function blockLstmNode(
  name: string,
  x: string,
  [kernel, bias]: readonly string[],
  seqLenMax: string,
  initial: { cell: string; hidden: string },
): GraphNode {
  return {
    name,
    op: 'BlockLSTMV2',
    inputs: [
      seqLenMax,
      x,
      initial.cell,
      initial.hidden,
      kernel!,
      'zero_peephole',
      'zero_peephole',
      'zero_peephole',
      bias!,
    ],
    attrs: { cell_clip: { float: 0 }, use_peephole: { bool: false }, ...FLOAT },
  };
}

const ZERO_STATE = { cell: 'zero_state', hidden: 'zero_state' };

export const lstmCell: Cell<LstmWeights> = {
  kind: 'lstm',
  parts: ['kernel', 'bias'],
  activationCount: 7,
  hiddenActivation: HIDDEN_ACTIVATION,

  hiddenSize({ kernel, bias }, inputSize) {
    if (bias.rank !== 1 || bias.shape[0] % 4 !== 0 || bias.shape[0] === 0) {
      throw new Error(`LSTM bias must be [4 * hidden], got shape [${bias.shape}]`);
    }
    const hidden = bias.shape[0] / 4;
    const rows = inputSize === undefined ? kernel.shape[0] : inputSize + hidden;
    if (kernel.rank !== 2 || kernel.shape[0] !== rows || kernel.shape[1] !== 4 * hidden) {
      throw new Error(
        `LSTM kernel must be [input + hidden, 4 * hidden] = [${rows}, ${4 * hidden}], got [${kernel.shape}]`,
      );
    }
    return hidden;
  },

  /** Glorot-uniform kernel; bias zero except 1 on the forget gate (the fused op adds no forget bias). */
  init(tf, inputSize, hiddenSize, seed) {
    return tf.tidy(() => {
      const rows = inputSize + hiddenSize;
      const limit = Math.sqrt(6 / (rows + 4 * hiddenSize));
      const kernel = tf.randomUniform([rows, 4 * hiddenSize], -limit, limit, 'float32', seed) as Tensor2D;
      const bias = tf.concat([tf.zeros([hiddenSize]), tf.ones([hiddenSize]), tf.zeros([2 * hiddenSize])]);
      return { kernel, bias: bias as Tensor1D };
    });
  },

  reference(tf, x, lengths, { kernel, bias }, reverse) {
    const inputSize = x.shape[2];
    const hiddenSize = bias.shape[0] / 4;
    // IFCO gates, no forget bias, no peepholes, no clipping: the fused kernel's math.
    return referenceRecurrent(tf, x, lengths, reverse, hiddenSize, () => {
      const inputKernel = kernel.slice([0, 0], [inputSize, 4 * hiddenSize]);
      const recurrentKernel = kernel.slice([inputSize, 0], [hiddenSize, 4 * hiddenSize]);
      return {
        stateCount: 2,
        project: (inputs) => inputs.matMul(inputKernel).add(bias),
        step: (projected, [hidden, cell]) => {
          const gates = projected.add(hidden!.matMul(recurrentKernel));
          const [inputGate, forgetGate, candidate, outputGate] = tf.split(gates, 4, 1) as Tensor2D[];
          const nextCell = tf
            .sigmoid(forgetGate!)
            .mul(cell!)
            .add(tf.sigmoid(inputGate!).mul(tf.tanh(candidate!))) as Tensor2D;
          return [tf.sigmoid(outputGate!).mul(tf.tanh(nextCell)) as Tensor2D, nextCell];
        },
      };
    });
  },

  forward: (tf, x, seqLenMax, weights) => blockLstmForward(tf, x, seqLenMax, weights),
  backward: (tf, x, seqLenMax, weights, activations, hiddenGrad) =>
    blockLstmBackward(tf, x, seqLenMax, weights, activations, hiddenGrad),
  probe: (tf) => probeLstmKernels(tf),

  graph: {
    constants: ['zero_peephole'],
    constantFeeds: (tf, hiddenSize) => ({ zero_peephole: tf.zeros([hiddenSize]) }),
    stateCount: 2,
    forward(name, x, weights) {
      const activations = Array.from({ length: 7 }, (_, i) => `${name}:${i}`);
      return {
        nodes: [blockLstmNode(name, x, weights, 'seq_len_max', ZERO_STATE)],
        activations,
        hidden: activations[HIDDEN_ACTIVATION]!,
      };
    },
    backward(name, x, weights, activations, hiddenGrad) {
      // The gradient op takes the forward op's inputs, then its activations and the output
      // gradients (none into the cell states).
      const forward = blockLstmNode(name, x, weights, 'seq_len_max', ZERO_STATE);
      const zeroCellGrad = `${name}_zero_cell_grad`;
      return {
        nodes: [
          { name: zeroCellGrad, op: 'ZerosLike', inputs: [hiddenGrad], attrs: FLOAT },
          {
            name,
            op: 'BlockLSTMGradV2',
            inputs: [...forward.inputs!, ...activations, zeroCellGrad, hiddenGrad],
            attrs: { use_peephole: { bool: false }, ...FLOAT },
          },
        ],
        // Outputs: x, cs_prev, h_prev, w, wci, wcf, wco, b.
        x: `${name}:0`,
        weights: [`${name}:3`, `${name}:7`],
      };
    },
    step(name, x, weights, [cell, hidden]) {
      // A one-step BlockLSTMV2: the input gets a time axis, the states lose theirs (step 0).
      const [timeAxis, steps] = [`${name}_time_axis`, `${name}_steps`];
      return {
        nodes: [
          int32Constant(timeAxis, 0),
          int64Constant(steps, 1),
          {
            name: `${name}_x`,
            op: 'ExpandDims',
            inputs: [x, timeAxis],
            attrs: { ...FLOAT, Tdim: { type: DT_INT32 } },
          },
          blockLstmNode(name, `${name}_x`, weights, steps, { cell: cell!, hidden: hidden! }),
          // Outputs 1 and 6 are the cell and hidden states, [1, rows, hidden].
          ...[1, 6].map((output) =>
            gatherNode(`${name}_state_${output}`, `${name}:${output}`, timeAxis, timeAxis),
          ),
        ],
        states: [`${name}_state_1`, `${name}_state_6`],
        hidden: `${name}_state_6`,
      };
    },
  },
};
