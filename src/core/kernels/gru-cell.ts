import type { Tensor, Tensor1D, Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';
import type { TensorflowModule } from '../backend';
import type { Cell, FusedSupport } from './cell';
import { DT_FLOAT, DT_INT32, FLOAT, type GraphNode, gatherNode, int32Constant } from './graph';
import { whileLoop } from './graph-loop';
import {
  executeNativeOp,
  floatTypeAttr,
  type NativeBackend,
  probeKernels,
  requireNativeBackend,
} from './native';
import { referenceRecurrent } from './reference';
import type { GruWeights } from './types';

/**
 * The GRU on TensorFlow's fused `GRUBlockCell` / `GRUBlockCellGrad` kernels (the ops behind
 * `tf.contrib.rnn.GRUBlockCell`). They are single-step cells: one call runs one time step of the
 * whole batch (both matmuls, the gates and the state update in one kernel), so a sequence is a
 * loop over the steps: a `while` loop inside a graph (graph-loop.ts), or a JavaScript loop of
 * eager calls where graphs cannot run.
 *
 * Unlike `BlockLSTMV2`, the cell has no sequence-length input: every step of the padded input is
 * computed. Steps past a row's length compute junk that nothing reads (see bidirectional.ts); the
 * batches are built so that the longest row fills the time axis, so no step is wasted on rows
 * that all ended.
 *
 * `GRUBlockCellGrad` returns the gradients of the step's input, its previous state and the gates'
 * pre-activations; as in TensorFlow's registered gradient for the cell, the weight gradients are
 * matmuls of those with the step's inputs, here summed over all steps at once (one `Einsum`
 * each) instead of once per step.
 */

/** The TensorFlow op names of the fused GRU; a parameter so a test can name ops that do not exist. */
export interface GruBlockOpNames {
  cell: string;
  gradient: string;
}

export const GRU_BLOCK_OPS: GruBlockOpNames = { cell: 'GRUBlockCell', gradient: 'GRUBlockCellGrad' };

/** `GRUBlockCell`'s outputs (and the forward pass's activations): reset gate, update gate, candidate, hidden. */
const HIDDEN_ACTIVATION = 3;

/** The weight-gradient contraction over time and batch: `Σ_t,b a[t,b,i] · b[t,b,j]`. */
const OVER_TIME_AND_BATCH = 'tbi,tbj->ij';

const weightList = (w: GruWeights): Tensor[] => [
  w.gateKernel,
  w.candidateKernel,
  w.gateBias,
  w.candidateBias,
];

function cellStep(backend: NativeBackend, x: Tensor, hidden: Tensor, weights: GruWeights, op: string) {
  return executeNativeOp(backend, op, [floatTypeAttr(backend)], [x, hidden, ...weightList(weights)], 4);
}

/** The cell over every step of time-major `x` `[time, batch, input]` from a zero state: r, u, c, h. */
function gruForward(
  tf: TensorflowModule,
  x: Tensor3D,
  weights: GruWeights,
  opNames: GruBlockOpNames = GRU_BLOCK_OPS,
): Tensor3D[] {
  const backend = requireNativeBackend(tf);
  return tf.tidy(() => {
    const [, batchSize] = x.shape;
    let hidden: Tensor = tf.zeros([batchSize, weights.candidateBias.shape[0]]);
    const perStep: Tensor[][] = [[], [], [], []];
    for (const input of tf.unstack(x)) {
      const outputs = cellStep(backend, input, hidden, weights, opNames.cell);
      outputs.forEach((output, k) => {
        perStep[k]!.push(output);
      });
      hidden = outputs[HIDDEN_ACTIVATION]!;
    }
    return perStep.map((steps) => tf.stack(steps) as Tensor3D);
  });
}

/**
 * The gradients of x and of the weights (in `parts` order) given every step's hidden-state
 * gradient, stepping back from the last step with the state gradient carried along.
 */
function gruBackward(
  tf: TensorflowModule,
  x: Tensor3D,
  weights: GruWeights,
  [reset, update, candidate, hidden]: Tensor3D[],
  hiddenGrad: Tensor3D,
  opNames: GruBlockOpNames = GRU_BLOCK_OPS,
): { x: Tensor3D; weights: Tensor[] } {
  const backend = requireNativeBackend(tf);
  return tf.tidy(() => {
    const [timeSteps, batchSize] = x.shape;
    const hiddenSize = weights.candidateBias.shape[0];
    // Row t is the state step t started from: zero, then every step's output.
    const previous = tf.concat([tf.zeros([1, batchSize, hiddenSize]), hidden!], 0) as Tensor3D;
    const [inputs, starts, resets, updates, candidates, grads] = [
      x,
      previous,
      reset!,
      update!,
      candidate!,
      hiddenGrad,
    ].map((t) => tf.unstack(t));
    const inputGrads: Tensor[] = [];
    const candidateGrads: Tensor[] = [];
    const gateGrads: Tensor[] = [];
    let carried: Tensor = tf.zeros([batchSize, hiddenSize]);
    for (let t = timeSteps - 1; t >= 0; t--) {
      const stepGrad = tf.add(grads![t]!, carried);
      const [inputGrad, previousGrad, candidateGrad, gateGrad] = executeNativeOp(
        backend,
        opNames.gradient,
        [floatTypeAttr(backend)],
        [
          inputs![t]!,
          starts![t]!,
          ...weightList(weights),
          resets![t]!,
          updates![t]!,
          candidates![t]!,
          stepGrad,
        ],
        4,
      );
      inputGrads[t] = inputGrad!;
      carried = previousGrad!;
      candidateGrads[t] = candidateGrad!;
      gateGrads[t] = gateGrad!;
    }
    const gateGrad = tf.stack(gateGrads);
    const candidateGrad = tf.stack(candidateGrads);
    const starting = previous.slice([0, 0, 0], [timeSteps, batchSize, hiddenSize]);
    return {
      x: tf.stack(inputGrads) as Tensor3D,
      weights: [
        tf.einsum(OVER_TIME_AND_BATCH, tf.concat([x, starting], 2), gateGrad),
        tf.sum(gateGrad, [0, 1]),
        tf.einsum(OVER_TIME_AND_BATCH, tf.concat([x, tf.mul(starting, reset!)], 2), candidateGrad),
        tf.sum(candidateGrad, [0, 1]),
      ],
    };
  });
}

/** Whether the fused GRU runs on the active backend: a cell step and its gradient, once. */
export function probeGruKernels(
  tf: TensorflowModule,
  opNames: GruBlockOpNames = GRU_BLOCK_OPS,
): FusedSupport {
  return probeKernels(tf, () => {
    const x = tf.ones([2, 2, 2]) as Tensor3D;
    const weights: GruWeights = {
      gateKernel: tf.ones([4, 4]),
      gateBias: tf.zeros([4]),
      candidateKernel: tf.ones([4, 2]),
      candidateBias: tf.zeros([2]),
    };
    const activations = gruForward(tf, x, weights, opNames);
    gruBackward(tf, x, weights, activations, tf.onesLike(activations[HIDDEN_ACTIVATION]!), opNames);
  });
}

/** `[time, batch, …]` node → its number of steps, an int32 scalar node. */
function stepCount(name: string, x: string, zero: string): GraphNode[] {
  return [
    { name: `${name}_shape`, op: 'Shape', inputs: [x], attrs: { ...FLOAT, out_type: { type: DT_INT32 } } },
    gatherNode(name, `${name}_shape`, zero, zero, DT_INT32),
  ];
}

/** The weight nodes in the order `GRUBlockCell` takes them (parts order is the gradients' order). */
const cellWeights = ([gateKernel, gateBias, candidateKernel, candidateBias]: readonly string[]) => [
  gateKernel!,
  candidateKernel!,
  gateBias!,
  candidateBias!,
];

export const gruCell: Cell<GruWeights> = {
  kind: 'gru',
  parts: ['gateKernel', 'gateBias', 'candidateKernel', 'candidateBias'],
  activationCount: 4,
  hiddenActivation: HIDDEN_ACTIVATION,

  hiddenSize({ gateKernel, gateBias, candidateKernel, candidateBias }, inputSize) {
    if (candidateBias.rank !== 1 || candidateBias.shape[0] === 0) {
      throw new Error(`GRU candidate bias must be [hidden], got shape [${candidateBias.shape}]`);
    }
    const hidden = candidateBias.shape[0];
    const rows = inputSize === undefined ? candidateKernel.shape[0] : inputSize + hidden;
    const expect = (tensor: Tensor, shape: number[], what: string, layout: string) => {
      if (tensor.shape.join(',') !== shape.join(',')) {
        throw new Error(`GRU ${what} must be ${layout} = [${shape}], got [${tensor.shape}]`);
      }
    };
    expect(gateBias, [2 * hidden], 'gate bias', '[2 * hidden]');
    expect(gateKernel, [rows, 2 * hidden], 'gate kernel', '[input + hidden, 2 * hidden]');
    expect(candidateKernel, [rows, hidden], 'candidate kernel', '[input + hidden, hidden]');
    return hidden;
  },

  /**
   * Glorot-uniform kernels (over the reset, update and candidate columns together); gate bias 1,
   * TensorFlow's `GRUCell` default: the gates start mostly open, so early on a state is carried
   * along and read, much as the LSTM's forget bias of 1 does. Candidate bias 0.
   */
  init(tf, inputSize, hiddenSize, seed) {
    return tf.tidy(() => {
      const rows = inputSize + hiddenSize;
      const limit = Math.sqrt(6 / (rows + 3 * hiddenSize));
      const kernel = tf.randomUniform([rows, 3 * hiddenSize], -limit, limit, 'float32', seed) as Tensor2D;
      return {
        gateKernel: kernel.slice([0, 0], [rows, 2 * hiddenSize]),
        gateBias: tf.zeros([2 * hiddenSize]) as Tensor1D,
        candidateKernel: kernel.slice([0, 2 * hiddenSize], [rows, hiddenSize]),
        candidateBias: tf.zeros([hiddenSize]) as Tensor1D,
      };
    });
  },

  reference(tf, x, lengths, weights, reverse) {
    const inputSize = x.shape[2];
    const hiddenSize = weights.candidateBias.shape[0];
    return referenceRecurrent(tf, x, lengths, reverse, hiddenSize, () => {
      const inputPart = (kernel: Tensor2D, width: number) => kernel.slice([0, 0], [inputSize, width]);
      const statePart = (kernel: Tensor2D, width: number) =>
        kernel.slice([inputSize, 0], [hiddenSize, width]);
      const inputKernel = tf.concat(
        [inputPart(weights.gateKernel, 2 * hiddenSize), inputPart(weights.candidateKernel, hiddenSize)],
        1,
      );
      const inputBias = tf.concat([weights.gateBias, weights.candidateBias]);
      const gateStateKernel = statePart(weights.gateKernel, 2 * hiddenSize);
      const candidateStateKernel = statePart(weights.candidateKernel, hiddenSize);
      return {
        stateCount: 1,
        project: (inputs) => inputs.matMul(inputKernel).add(inputBias),
        step: (projected, [hidden]) => {
          const [gateInput, candidateInput] = tf.split(projected, [2 * hiddenSize, hiddenSize], 1);
          const gates = tf.sigmoid(gateInput!.add(hidden!.matMul(gateStateKernel)));
          const [reset, update] = tf.split(gates, 2, 1) as Tensor2D[];
          const candidate = tf.tanh(candidateInput!.add(reset!.mul(hidden!).matMul(candidateStateKernel)));
          return [update!.mul(hidden!).add(tf.sub(1, update!).mul(candidate)) as Tensor2D];
        },
      };
    });
  },

  forward: (tf, x, _seqLenMax, weights) => gruForward(tf, x, weights),
  backward: (tf, x, _seqLenMax, weights, activations, hiddenGrad) =>
    gruBackward(tf, x, weights, activations, hiddenGrad),
  probe: (tf) => probeGruKernels(tf),

  graph: {
    constants: [],
    constantFeeds: () => ({}),
    stateCount: 1,

    forward(name, x, weights, keep) {
      const zero = `${name}_zero`;
      const steps = `${name}_steps`;
      const loop = whileLoop({
        name: `${name}_loop`,
        iterations: steps,
        invariants: [x, ...weights].map((node) => ({ node, dtype: DT_FLOAT })),
        carried: [{ node: 'zero_state', dtype: DT_FLOAT }],
        collected: keep === 'activations' ? 4 : 1,
        body: (scope) => {
          const [input, cell] = [scope.name('input'), scope.name('cell')];
          const outputs = keep === 'activations' ? [0, 1, 2, 3] : [HIDDEN_ACTIVATION];
          return {
            nodes: [
              gatherNode(input, scope.invariant(x), scope.counter, scope.zero),
              {
                name: cell,
                op: 'GRUBlockCell',
                inputs: [input, scope.carried[0]!, ...cellWeights(weights).map(scope.invariant)],
                attrs: FLOAT,
              },
            ],
            next: [`${cell}:${HIDDEN_ACTIVATION}`],
            collect: outputs.map((k) => ({ index: scope.counter, value: `${cell}:${k}` })),
          };
        },
      });
      const collected = loop.collected.map((node) => `${node}:0`);
      return {
        nodes: [int32Constant(zero, 0), ...stepCount(steps, x, zero), ...loop.nodes],
        activations: keep === 'activations' ? collected : [],
        hidden: collected[collected.length - 1]!,
      };
    },

    backward(name, x, weights, activations, hiddenGrad) {
      const [reset, update, candidate, hidden] = activations as [string, string, string, string];
      const node = (what: string) => `${name}_${what}`;
      const [zero, one, two, steps, last, previous] = ['zero', 'one', 'two', 'steps', 'last', 'previous'].map(
        node,
      ) as [string, string, string, string, string, string];
      const loop = whileLoop({
        name: node('loop'),
        iterations: steps,
        invariants: [x, previous, ...weights, reset, update, candidate, hiddenGrad, last].map((n) => ({
          node: n,
          dtype: n === last ? DT_INT32 : DT_FLOAT,
        })),
        carried: [{ node: 'zero_state', dtype: DT_FLOAT }],
        collected: 3,
        body: (scope) => {
          const step = scope.name('step');
          const at = (what: string, source: string) =>
            gatherNode(scope.name(what), scope.invariant(source), step, scope.zero);
          const [stepGrad, grad] = [scope.name('step_grad'), scope.name('grad')];
          return {
            nodes: [
              // Backwards in time: step = last − counter.
              {
                name: step,
                op: 'Sub',
                inputs: [scope.invariant(last), scope.counter],
                attrs: { T: { type: DT_INT32 } },
              },
              at('input', x),
              at('previous', previous),
              at('reset', reset),
              at('update', update),
              at('candidate', candidate),
              at('output_grad', hiddenGrad),
              {
                name: stepGrad,
                op: 'AddV2',
                inputs: [scope.name('output_grad'), scope.carried[0]!],
                attrs: FLOAT,
              },
              {
                name: grad,
                op: 'GRUBlockCellGrad',
                inputs: [
                  scope.name('input'),
                  scope.name('previous'),
                  ...cellWeights(weights).map(scope.invariant),
                  ...['reset', 'update', 'candidate'].map(scope.name),
                  stepGrad,
                ],
                attrs: FLOAT,
              },
            ],
            // Outputs: d_x, d_h_prev, d_c_bar, d_r_bar_u_bar.
            next: [`${grad}:1`],
            collect: [0, 2, 3].map((k) => ({ index: step, value: `${grad}:${k}` })),
          };
        },
      });
      const [inputGrad, candidateGrad, gateGrad] = loop.collected as [string, string, string];
      const einsum = (what: string, a: string, b: string): GraphNode => ({
        name: node(what),
        op: 'Einsum',
        inputs: [a, b],
        attrs: { equation: { string: OVER_TIME_AND_BATCH }, N: { int: 2 }, ...FLOAT },
      });
      const sum = (what: string, input: string): GraphNode => ({
        name: node(what),
        op: 'Sum',
        inputs: [input, node('time_and_batch')],
        attrs: { keep_dims: { bool: false }, ...FLOAT, Tidx: { type: DT_INT32 } },
      });
      const concat = (what: string, inputs: string[]): GraphNode => ({
        name: node(what),
        op: 'ConcatV2',
        inputs: [...inputs, two],
        attrs: { N: { int: 2 }, ...FLOAT, Tidx: { type: DT_INT32 } },
      });
      return {
        nodes: [
          int32Constant(zero, 0),
          int32Constant(one, 1),
          int32Constant(two, 2),
          int32Constant(node('time_and_batch'), [0, 1]),
          ...stepCount(steps, x, zero),
          { name: last, op: 'Sub', inputs: [steps, one], attrs: { T: { type: DT_INT32 } } },
          // Row t: the state step t started from (zero, then every step's output).
          {
            name: node('zero_step'),
            op: 'ExpandDims',
            inputs: ['zero_state', zero],
            attrs: { ...FLOAT, Tdim: { type: DT_INT32 } },
          },
          {
            name: previous,
            op: 'ConcatV2',
            inputs: [node('zero_step'), hidden, zero],
            attrs: { N: { int: 2 }, ...FLOAT, Tidx: { type: DT_INT32 } },
          },
          ...loop.nodes,
          gatherNode(node('starting'), previous, loop.indices, zero),
          { name: node('reset_starting'), op: 'Mul', inputs: [node('starting'), reset], attrs: FLOAT },
          concat('gate_inputs', [x, node('starting')]),
          concat('candidate_inputs', [x, node('reset_starting')]),
          einsum('gate_kernel_grad', node('gate_inputs'), gateGrad),
          sum('gate_bias_grad', gateGrad),
          einsum('candidate_kernel_grad', node('candidate_inputs'), candidateGrad),
          sum('candidate_bias_grad', candidateGrad),
        ],
        x: `${inputGrad}:0`,
        weights: ['gate_kernel_grad', 'gate_bias_grad', 'candidate_kernel_grad', 'candidate_bias_grad'].map(
          (what) => `${node(what)}:0`,
        ),
      };
    },

    step(name, x, weights, [hidden]) {
      return {
        nodes: [{ name, op: 'GRUBlockCell', inputs: [x, hidden!, ...cellWeights(weights)], attrs: FLOAT }],
        states: [`${name}:${HIDDEN_ACTIVATION}`],
        hidden: `${name}:${HIDDEN_ACTIVATION}`,
      };
    },
  },
};
