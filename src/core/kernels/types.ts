import type { Tensor1D, Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';

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
 * the forget slice of `bias` to 1 instead (see `initLstmWeights`). No peepholes, no cell clipping.
 */
export interface LstmWeights {
  kernel: Tensor2D;
  bias: Tensor1D;
}

/** Which LSTM code runs: TensorFlow's fused kernels, or the same math in plain tf ops. */
export type LstmImplementation = 'fused' | 'reference';

/** Receives the one warning given when the fused kernels are unavailable. */
export type LstmLogger = (message: string) => void;

export interface LstmOptions {
  /** Read each sequence from its last real step back to its first. Padding stays at the end. */
  reverse?: boolean;
  /** Default 'fused'; falls back to 'reference' (with one warning) where the fused op is missing. */
  implementation?: LstmImplementation;
  /** Where the fallback warning goes; default `console.warn`. Each logger is warned at most once. */
  logger?: LstmLogger;
}

export interface LstmResult {
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
