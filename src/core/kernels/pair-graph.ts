import type { Tensor, Tensor1D, Tensor3D } from '@tensorflow/tfjs-node';
import type { TensorflowModule } from '../backend';
import { type Cell, weightsFrom } from './cell';
import { cellFor } from './cells';
import {
  DT_FLOAT,
  DT_INT32,
  DT_INT64,
  FLOAT,
  type GraphNode,
  GraphSessions,
  type GraphSupport,
  placeholder,
  reverseNode,
  runGraph,
} from './graph';
import type { CellKind } from './types';

/**
 * Both directions of a recurrent layer as one graph run (see graph.ts for why): the forward
 * direction over `x` and the backward one over `x` reversed within each row's length side by
 * side, and in the gradient pass both directions' gradients side by side. One graph per cell
 * kind; it does not depend on sizes.
 */

/** Node names of one direction's weights (by part) and activations. */
function direction(cell: Cell, prefix: 'fw' | 'bw') {
  return {
    weights: cell.parts.map((part) => `${prefix}_${part}`),
    activations: Array.from({ length: cell.activationCount }, (_, i) => `${prefix}_activation_${i}`),
    hiddenGrad: `${prefix}_hidden_grad`,
  };
}

interface PairGraphNames {
  forwardOutputs: string[];
  /** x's gradient, then the forward and backward weights' gradients (in parts order). */
  gradients: { finalStates: string[]; outputs: string[] };
}

function pairGraph(cell: Cell): { nodes: GraphNode[]; names: PairGraphNames } {
  const [FW, BW] = [direction(cell, 'fw'), direction(cell, 'bw')];
  const forward = cell.graph.forward('fw', 'x', FW.weights, 'activations');
  const backward = cell.graph.forward('bw', 'reversed', BW.weights, 'activations');
  const forwardGrad = cell.graph.backward('fw_grad', 'x', FW.weights, FW.activations, FW.hiddenGrad);
  // The backward direction's hidden gradient either already in its processing order (final
  // states) or in input order (per-step outputs, reversed here).
  const backwardGrad = cell.graph.backward(
    'bw_grad',
    'x_reversed',
    BW.weights,
    BW.activations,
    BW.hiddenGrad,
  );
  const backwardGradOfOutputs = cell.graph.backward(
    'bw_grad_of_outputs',
    'x_reversed',
    BW.weights,
    BW.activations,
    'bw_hidden_grad_reversed',
  );
  const nodes: GraphNode[] = [
    ...['x', 'x_reversed', 'zero_state', ...cell.graph.constants, FW.hiddenGrad, BW.hiddenGrad].map((name) =>
      placeholder(name, DT_FLOAT),
    ),
    ...[FW, BW].flatMap((d) => [...d.weights, ...d.activations].map((name) => placeholder(name, DT_FLOAT))),
    placeholder('lengths', DT_INT32),
    placeholder('seq_len_max', DT_INT64),
    // Forward pass: the reversed input is computed (and returned, for the gradient).
    reverseNode('reversed', 'x'),
    ...forward.nodes,
    ...backward.nodes,
    // Gradient pass.
    reverseNode('bw_hidden_grad_reversed', BW.hiddenGrad),
    ...forwardGrad.nodes,
    ...backwardGrad.nodes,
    ...backwardGradOfOutputs.nodes,
    reverseNode('bw_x_grad', backwardGrad.x),
    reverseNode('bw_x_grad_of_outputs', backwardGradOfOutputs.x),
    { name: 'x_grad', op: 'AddV2', inputs: [forwardGrad.x, 'bw_x_grad'], attrs: FLOAT },
    { name: 'x_grad_of_outputs', op: 'AddV2', inputs: [forwardGrad.x, 'bw_x_grad_of_outputs'], attrs: FLOAT },
  ];
  return {
    nodes,
    names: {
      forwardOutputs: ['reversed:0', ...forward.activations, ...backward.activations],
      gradients: {
        finalStates: ['x_grad:0', ...forwardGrad.weights, ...backwardGrad.weights],
        outputs: ['x_grad_of_outputs:0', ...forwardGrad.weights, ...backwardGradOfOutputs.weights],
      },
    },
  };
}

const pairGraphs = new Map<CellKind, ReturnType<typeof pairGraph>>();
function pairGraphOf(cell: Cell) {
  let graph = pairGraphs.get(cell.kind);
  if (!graph) {
    graph = pairGraph(cell);
    pairGraphs.set(cell.kind, graph);
  }
  return graph;
}
const pairSessions = new GraphSessions((kind) => pairGraphOf(cellFor(kind as CellKind)).nodes);

/**
 * Whether direction pairs of `kind` run as one parallel graph on the active backend (loading it
 * if needed). Off when SPANLIGHT_GRAPHS=0; then the eager ops run one after the other.
 */
export function parallelPairSupport(tf: TensorflowModule, kind: CellKind): GraphSupport {
  return pairSessions.support(tf, kind);
}

/** Feeds shared by both passes: the cell's constant inputs and the directions' weights. */
function weightFeeds(
  tf: TensorflowModule,
  cell: Cell,
  batchSize: number,
  forwardWeights: readonly Tensor[],
  backwardWeights: readonly Tensor[],
): Record<string, Tensor> {
  const hiddenSize = cell.hiddenSize(weightsFrom(cell, forwardWeights));
  const feeds: Record<string, Tensor> = {
    zero_state: tf.zeros([batchSize, hiddenSize]),
    ...cell.graph.constantFeeds(tf, hiddenSize),
  };
  const [FW, BW] = [direction(cell, 'fw'), direction(cell, 'bw')];
  forwardWeights.forEach((tensor, i) => {
    feeds[FW.weights[i]!] = tensor;
  });
  backwardWeights.forEach((tensor, i) => {
    feeds[BW.weights[i]!] = tensor;
  });
  return feeds;
}

export interface PairForward {
  /** The input with each row reversed within its length: what the backward direction read. */
  reversedInput: Tensor3D;
  forward: Tensor3D[];
  backward: Tensor3D[];
}

/**
 * Both directions forward: the forward direction over `x` `[time, batch, input]` and the
 * backward one over `x` reversed within each row's length, as one graph run. Weights in the
 * cell's parts order. Undefined where graphs cannot run.
 */
export function graphPairForward(
  tf: TensorflowModule,
  cell: Cell,
  x: Tensor3D,
  lengths: Tensor1D,
  seqLenMax: number,
  forwardWeights: readonly Tensor[],
  backwardWeights: readonly Tensor[],
): PairForward | undefined {
  const session = pairSessions.get(tf, cell.kind);
  if (!session) return undefined;
  const { names } = pairGraphOf(cell);
  const outputs = tf.tidy(() =>
    runGraph(
      session,
      { x, lengths, ...weightFeeds(tf, cell, x.shape[1], forwardWeights, backwardWeights) },
      names.forwardOutputs,
      seqLenMax,
    ),
  ) as Tensor3D[];
  const count = cell.activationCount;
  return {
    reversedInput: outputs[0]!,
    forward: outputs.slice(1, 1 + count),
    backward: outputs.slice(1 + count),
  };
}

export interface PairSaved {
  x: Tensor3D;
  reversedInput: Tensor3D;
  lengths: Tensor1D;
  seqLenMax: number;
  forwardWeights: readonly Tensor[];
  backwardWeights: readonly Tensor[];
  forward: Tensor3D[];
  backward: Tensor3D[];
}

export interface PairGradients {
  x: Tensor3D;
  /** In the cell's parts order. */
  forward: Tensor[];
  backward: Tensor[];
}

/**
 * Both directions' gradients as one graph run, and the input gradient summed (the backward
 * direction's mapped back to input order). `backwardHiddenGrad` is in input order when
 * `backwardGradInInputOrder` (per-step outputs), else in the backward direction's own order.
 */
export function graphPairBackward(
  tf: TensorflowModule,
  cell: Cell,
  saved: PairSaved,
  forwardHiddenGrad: Tensor3D,
  backwardHiddenGrad: Tensor3D,
  backwardGradInInputOrder: boolean,
): PairGradients | undefined {
  const session = pairSessions.get(tf, cell.kind);
  if (!session) return undefined;
  const { names } = pairGraphOf(cell);
  const [FW, BW] = [direction(cell, 'fw'), direction(cell, 'bw')];
  const outputs = tf.tidy(() => {
    const feeds: Record<string, Tensor> = {
      x: saved.x,
      x_reversed: saved.reversedInput,
      lengths: saved.lengths,
      ...weightFeeds(tf, cell, saved.x.shape[1], saved.forwardWeights, saved.backwardWeights),
      [FW.hiddenGrad]: forwardHiddenGrad,
      [BW.hiddenGrad]: backwardHiddenGrad,
    };
    saved.forward.forEach((tensor, i) => {
      feeds[FW.activations[i]!] = tensor;
    });
    saved.backward.forEach((tensor, i) => {
      feeds[BW.activations[i]!] = tensor;
    });
    const wanted = backwardGradInInputOrder ? names.gradients.outputs : names.gradients.finalStates;
    return runGraph(session, feeds, wanted, saved.seqLenMax);
  });
  const count = cell.parts.length;
  return {
    x: outputs[0] as Tensor3D,
    forward: outputs.slice(1, 1 + count),
    backward: outputs.slice(1 + count),
  };
}
