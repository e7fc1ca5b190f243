import type { Tensor, Tensor3D } from '@tensorflow/tfjs-node';
import type { TensorflowModule } from '../backend';
import type { GraphNode } from './graph';
import type { CellKind, CellWeights, RecurrentResult } from './types';

export type FusedSupport = { available: true } | { available: false; reason: string };

/**
 * What the layers above need from a recurrent cell, so that the bidirectional ops, the graphs
 * and the network are written once for both cells (lstm-cell.ts, gru-cell.ts).
 *
 * The fused forward pass runs over TIME-MAJOR `[time, batch, input]` from a zero state and
 * returns the per-step tensors its gradient needs ("activations"), among them every step's
 * hidden state. Steps past a row's length compute junk that nothing reads (see bidirectional.ts).
 */
export interface Cell<W extends CellWeights = CellWeights> {
  readonly kind: CellKind;
  /** The names of W's tensors in a fixed order: variable names, graph feeds and gradients follow it. */
  readonly parts: readonly string[];
  /** How many activation tensors the forward pass returns, and which one holds the hidden states. */
  readonly activationCount: number;
  readonly hiddenActivation: number;

  /** The hidden size, after checking the weights against the input size (a message names the mismatch). */
  hiddenSize(weights: W, inputSize?: number): number;
  /** Fresh weights (Glorot-uniform kernels; see each cell for its biases). */
  init(tf: TensorflowModule, inputSize: number, hiddenSize: number, seed?: number): W;
  /** The same math in plain tf ops over batch-major `x`, differentiable by tfjs autodiff. */
  reference(
    tf: TensorflowModule,
    x: Tensor3D,
    lengths: readonly number[],
    weights: W,
    reverse: boolean,
  ): RecurrentResult;

  /** The fused kernels, eagerly: `seqLenMax` bounds the steps computed where the kernel allows. */
  forward(tf: TensorflowModule, x: Tensor3D, seqLenMax: number, weights: W): Tensor3D[];
  /** Gradients of x and of the weights (in `parts` order) given every step's hidden-state gradient. */
  backward(
    tf: TensorflowModule,
    x: Tensor3D,
    seqLenMax: number,
    weights: W,
    activations: Tensor3D[],
    hiddenGrad: Tensor3D,
  ): { x: Tensor3D; weights: Tensor[] };
  /** Whether the fused kernels run on the active backend (runs them once on a tiny input). */
  probe(tf: TensorflowModule): FusedSupport;

  readonly graph: CellGraph;
}

/**
 * The cell's nodes for hand-written graphs (graph.ts). Every graph that holds them declares the
 * placeholders `zero_state` (`[batch, hidden]` zeros), `seq_len_max` (int64 scalar) and the
 * cell's `constants`, fed with `constantFeeds`.
 */
export interface CellGraph {
  /** Float placeholders the cell's nodes read besides `zero_state` (the LSTM's zero peepholes). */
  readonly constants: readonly string[];
  constantFeeds(tf: TensorflowModule, hiddenSize: number): Record<string, Tensor>;
  /** The number of state tensors a step carries (LSTM: cell and hidden; GRU: hidden). */
  readonly stateCount: number;
  /**
   * The forward pass over time-major node `x` with weight nodes in `parts` order, from
   * `zero_state`. `activations` are node outputs in the order of `Cell.forward` (only when
   * asked for: an inference graph needs just `hidden`).
   */
  forward(
    name: string,
    x: string,
    weights: readonly string[],
    keep: 'activations' | 'hidden',
  ): { nodes: GraphNode[]; activations: string[]; hidden: string };
  /** The gradient pass: x's gradient and the weights' (in `parts` order) as node outputs. */
  backward(
    name: string,
    x: string,
    weights: readonly string[],
    activations: readonly string[],
    hiddenGrad: string,
  ): { nodes: GraphNode[]; x: string; weights: string[] };
  /**
   * One step over `[rows, input]` node `x` from the given previous states (`stateCount` nodes of
   * `[rows, hidden]`): the next states, the hidden one among them.
   */
  step(
    name: string,
    x: string,
    weights: readonly string[],
    previous: readonly string[],
  ): { nodes: GraphNode[]; states: string[]; hidden: string };
}

/** A cell's weight tensors in `parts` order. */
export function weightTensors<W extends CellWeights>(cell: Cell<W>, weights: W): Tensor[] {
  return cell.parts.map((part) => (weights as unknown as Record<string, Tensor>)[part]!);
}

/** The inverse of `weightTensors`. */
export function weightsFrom<W extends CellWeights>(cell: Cell<W>, tensors: readonly Tensor[]): W {
  return Object.fromEntries(cell.parts.map((part, i) => [part, tensors[i]])) as unknown as W;
}
