import type { Tensor1D, Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';

/** The recurrent cell of a layer: a long short-term memory or a gated recurrent unit. */
export type CellKind = 'lstm' | 'gru';

/**
 * The weights of one LSTM direction, in the layout TensorFlow's `BlockLSTMV2` takes as is:
 *
 * - `kernel` `[inputSize + hiddenSize, 4 * hiddenSize]`: the input kernel stacked on top of the
 *   recurrent kernel, so that one step is `[x_t, h_{t-1}] · kernel + bias`. A Keras LSTM's
 *   `kernel` and `recurrent_kernel` concatenated along axis 0 give exactly this matrix.
 * - `bias` `[4 * hiddenSize]`.
 *
 * Columns are grouped by gate in the order input, forget, cell candidate, output (IFCO, the
 * Keras order), each group `hiddenSize` wide. No forget-gate bias is added implicitly; initialise
 * the forget slice of `bias` to 1 instead (see `initCellWeights`). No peepholes, no cell clipping.
 */
export interface LstmWeights {
  kernel: Tensor2D;
  bias: Tensor1D;
}

/**
 * The weights of one GRU direction, in the layout TensorFlow's `GRUBlockCell` takes as is:
 *
 * - `gateKernel` `[inputSize + hiddenSize, 2 * hiddenSize]` and `gateBias` `[2 * hiddenSize]`:
 *   the reset gate's columns, then the update gate's; `[r, u] = σ([x_t, h_{t-1}] · gateKernel +
 *   gateBias)`.
 * - `candidateKernel` `[inputSize + hiddenSize, hiddenSize]` and `candidateBias` `[hiddenSize]`:
 *   `c = tanh([x_t, r ∘ h_{t-1}] · candidateKernel + candidateBias)`.
 *
 * Then `h_t = u ∘ h_{t-1} + (1 − u) ∘ c`: the reset gate applies before the recurrent matmul
 * (Cho et al. 2014; Keras's `GRU` with `reset_after=False`).
 */
export interface GruWeights {
  gateKernel: Tensor2D;
  gateBias: Tensor1D;
  candidateKernel: Tensor2D;
  candidateBias: Tensor1D;
}

/** Either cell's weights; which cell runs follows from their fields (see `cellOf`). */
export type CellWeights = LstmWeights | GruWeights;

/** Which recurrent code runs: TensorFlow's fused kernels, or the same math in plain tf ops. */
export type KernelImplementation = 'fused' | 'reference';

/** Receives the one warning given when the fused kernels are unavailable. */
export type KernelLogger = (message: string) => void;

export interface RecurrentOptions {
  /** Read each sequence from its last real step back to its first. Padding stays at the end. */
  reverse?: boolean;
  /** Default 'fused'; falls back to 'reference' (with one warning) where the fused op is missing. */
  implementation?: KernelImplementation;
  /** Where the fallback warning goes; default `console.warn`. Each logger is warned at most once. */
  logger?: KernelLogger;
}

export interface RecurrentResult {
  /** `[batch, time, hidden]`; zero at every padded position (step ≥ the sequence's length). */
  outputs: Tensor3D;
  /**
   * `[batch, hidden]`: the hidden state after each sequence's own last step (for a reversed
   * layer, after its first step, which it reads last). Zero for an empty sequence.
   */
  finalState: Tensor2D;
}

/** Sequence lengths, one per batch row, as numbers or an int32 tensor. */
export type SequenceLengths = readonly number[] | Tensor1D;
