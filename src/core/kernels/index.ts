import type { Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';
import { loadTensorflow, type TensorflowModule } from '../backend';
import { fusedBidirectional } from './bidirectional';
import { fusedLstm } from './fused';
import { type FusedLstmSupport, probeFusedLstm } from './native';
import { referenceLstm } from './reference';
import { lstmShape, readLengths } from './sequence';
import type {
  LstmImplementation,
  LstmLogger,
  LstmOptions,
  LstmResult,
  LstmWeights,
  SequenceLengths,
} from './types';

export { maskedCrossEntropy } from './crossEntropy';
export { BLOCK_LSTM_OPS, type BlockLstmOpNames, type FusedLstmSupport, probeFusedLstm } from './native';
export type {
  LstmImplementation,
  LstmLogger,
  LstmOptions,
  LstmResult,
  LstmWeights,
  SequenceLengths,
} from './types';

const consoleLogger: LstmLogger = (message) => console.warn(message);

/** Probed once per backend instance: the probe runs real ops. */
const supportByBackend = new WeakMap<object, FusedLstmSupport>();
const warnedLoggers = new WeakSet<LstmLogger>();

/** Whether the fused kernels run on the active backend (cached per backend). */
export function fusedLstmSupport(tf: TensorflowModule = loadTensorflow()): FusedLstmSupport {
  const backend = tf.backend();
  let support = supportByBackend.get(backend);
  if (!support) {
    support = probeFusedLstm(tf);
    supportByBackend.set(backend, support);
  }
  return support;
}

/** The implementation that will actually run, warning (once per logger) when falling back. */
function chooseImplementation(tf: TensorflowModule, options: LstmOptions): LstmImplementation {
  if ((options.implementation ?? 'fused') === 'reference') return 'reference';
  const support = fusedLstmSupport(tf);
  if (support.available) return 'fused';
  const logger = options.logger ?? consoleLogger;
  if (!warnedLoggers.has(logger)) {
    warnedLoggers.add(logger);
    logger(`Spanlight: fused LSTM kernels unavailable (${support.reason}); using the slower reference LSTM.`);
  }
  return 'reference';
}

/**
 * One LSTM direction over a padded batch.
 *
 * @param x `[batch, time, input]`, batch-major; what lies past each row's length is ignored.
 * @param lengths one length per row, `0 ≤ length ≤ time`.
 * @param weights see `LstmWeights` for the layout (`[x, h] · kernel + bias`, IFCO gates).
 * @returns outputs `[batch, time, hidden]` (zero past each length) and the final state `[batch, hidden]`.
 *
 * Differentiable with respect to x, the kernel and the bias with either implementation.
 */
export function lstmLayer(
  x: Tensor3D,
  lengths: SequenceLengths,
  weights: LstmWeights,
  options: LstmOptions = {},
): LstmResult {
  const tf = loadTensorflow();
  const { batchSize, timeSteps } = lstmShape(x, weights);
  const rowLengths = readLengths(lengths, batchSize, timeSteps);
  const reverse = options.reverse ?? false;
  return chooseImplementation(tf, options) === 'fused'
    ? fusedLstm(tf, x, rowLengths, weights, reverse)
    : referenceLstm(tf, x, rowLengths, weights, reverse);
}

/**
 * A forward and a backward LSTM over the same padded batch, concatenated: outputs
 * `[batch, time, 2 * hidden]` (forward first) and final states `[batch, 2 * hidden]` (the forward
 * state after the last real step, then the backward state after the first).
 */
export function bidirectionalLstm(
  x: Tensor3D,
  lengths: SequenceLengths,
  forwardWeights: LstmWeights,
  backwardWeights: LstmWeights,
  options: Omit<LstmOptions, 'reverse'> = {},
): LstmResult {
  const tf = loadTensorflow();
  const { batchSize, timeSteps } = lstmShape(x, forwardWeights);
  // Read once: a tensor's values are fetched from the backend a single time.
  const rowLengths = readLengths(lengths, batchSize, timeSteps);
  return tf.tidy(() => {
    const forward = lstmLayer(x, rowLengths, forwardWeights, { ...options, reverse: false });
    const backward = lstmLayer(x, rowLengths, backwardWeights, { ...options, reverse: true });
    return {
      outputs: tf.concat([forward.outputs, backward.outputs], 2) as Tensor3D,
      finalState: tf.concat([forward.finalState, backward.finalState], 1) as Tensor2D,
    };
  });
}

/** Checks time-major `x` `[time, batch, input]` and reads the lengths, for the time-major entry points. */
function timeMajorShape(x: Tensor3D, lengths: SequenceLengths, ...weights: LstmWeights[]): number[] {
  if (x.rank !== 3) throw new Error(`LSTM input must be [time, batch, features], got shape [${x.shape}]`);
  // lstmShape checks [batch, time, input]; the axes it names are swapped here, the checks are not.
  const [timeSteps, batchSize, inputSize] = x.shape;
  const batchMajorView = { rank: 3, shape: [batchSize, timeSteps, inputSize], dtype: x.dtype } as Tensor3D;
  for (const w of weights) lstmShape(batchMajorView, w);
  return readLengths(lengths, batchSize, timeSteps);
}

/** The reference BiLSTM on time-major input, as the fallback of the time-major entry points. */
function referenceBidirectional(
  tf: TensorflowModule,
  x: Tensor3D,
  lengths: number[],
  forwardWeights: LstmWeights,
  backwardWeights: LstmWeights,
) {
  const batchMajor = x.transpose([1, 0, 2]) as Tensor3D;
  return [
    referenceLstm(tf, batchMajor, lengths, forwardWeights, false),
    referenceLstm(tf, batchMajor, lengths, backwardWeights, true),
  ];
}

/**
 * A BiLSTM over TIME-MAJOR input `x` `[time, batch, input]`, returning time-major outputs
 * `[time, batch, 2 * hidden]` (forward first; zero past each length). Stacked layers chain
 * without any transpose; with the fused kernels both directions are one op.
 */
export function bidirectionalLstmTimeMajor(
  x: Tensor3D,
  lengths: SequenceLengths,
  forwardWeights: LstmWeights,
  backwardWeights: LstmWeights,
  options: Omit<LstmOptions, 'reverse'> = {},
): Tensor3D {
  return bidirectionalTimeMajor(x, lengths, forwardWeights, backwardWeights, options, 'outputs') as Tensor3D;
}

/**
 * Only the final states `[batch, 2 * hidden]` of a BiLSTM over TIME-MAJOR input `x`
 * `[time, batch, input]`: the forward state after each row's last real step, then the backward
 * state after its first step (zero for an empty row). What a char-level BiLSTM needs per word.
 */
export function bidirectionalFinalStates(
  x: Tensor3D,
  lengths: SequenceLengths,
  forwardWeights: LstmWeights,
  backwardWeights: LstmWeights,
  options: Omit<LstmOptions, 'reverse'> = {},
): Tensor2D {
  return bidirectionalTimeMajor(
    x,
    lengths,
    forwardWeights,
    backwardWeights,
    options,
    'finalStates',
  ) as Tensor2D;
}

/** Both of the above: the fused op when it is chosen, otherwise the reference layers joined. */
function bidirectionalTimeMajor(
  x: Tensor3D,
  lengths: SequenceLengths,
  forwardWeights: LstmWeights,
  backwardWeights: LstmWeights,
  options: Omit<LstmOptions, 'reverse'>,
  wanted: 'outputs' | 'finalStates',
): Tensor {
  const tf = loadTensorflow();
  const rowLengths = timeMajorShape(x, lengths, forwardWeights, backwardWeights);
  if (chooseImplementation(tf, options) === 'fused') {
    return fusedBidirectional(tf, x, rowLengths, forwardWeights, backwardWeights, wanted);
  }
  return tf.tidy(() => {
    const [forward, backward] = referenceBidirectional(tf, x, rowLengths, forwardWeights, backwardWeights);
    return wanted === 'outputs'
      ? (tf.concat([forward!.outputs, backward!.outputs], 2).transpose([1, 0, 2]) as Tensor3D)
      : (tf.concat([forward!.finalState, backward!.finalState], 1) as Tensor2D);
  });
}

/**
 * Fresh weights for one direction: Glorot-uniform kernel, bias zero except 1 on the forget gate
 * (the usual remedy for vanishing memory early in training; the fused op adds no forget bias).
 */
export function initLstmWeights(inputSize: number, hiddenSize: number, seed?: number): LstmWeights {
  const tf = loadTensorflow();
  return tf.tidy(() => {
    const rows = inputSize + hiddenSize;
    const limit = Math.sqrt(6 / (rows + 4 * hiddenSize));
    const kernel = tf.randomUniform([rows, 4 * hiddenSize], -limit, limit, 'float32', seed) as Tensor2D;
    const bias = tf.concat([tf.zeros([hiddenSize]), tf.ones([hiddenSize]), tf.zeros([2 * hiddenSize])]);
    return { kernel, bias: bias as LstmWeights['bias'] };
  });
}
