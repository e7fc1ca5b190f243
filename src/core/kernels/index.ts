import type { Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';
import { loadTensorflow, type TensorflowModule } from '../backend';
import { fusedBidirectional } from './bidirectional';
import type { Cell, FusedSupport } from './cell';
import { cellFor, cellOf } from './cells';
import { fusedRecurrent } from './fused';
import { readLengths, sequenceShape } from './sequence';
import type {
  CellKind,
  CellWeights,
  KernelImplementation,
  KernelLogger,
  RecurrentOptions,
  RecurrentResult,
  SequenceLengths,
} from './types';

export type { FusedSupport } from './cell';
export { cellFor, cellOf } from './cells';
export { maskedCrossEntropy } from './crossEntropy';
export { GRU_BLOCK_OPS, type GruBlockOpNames, probeGruKernels } from './gru-cell';
export { BLOCK_LSTM_OPS, type BlockLstmOpNames, probeLstmKernels } from './lstm-cell';
export type {
  CellKind,
  CellWeights,
  GruWeights,
  KernelImplementation,
  KernelLogger,
  LstmWeights,
  RecurrentOptions,
  RecurrentResult,
  SequenceLengths,
} from './types';

const consoleLogger: KernelLogger = (message) => console.warn(message);

/** Probed once per backend instance and cell: the probe runs real ops. */
const supportByBackend = new WeakMap<object, Map<CellKind, FusedSupport>>();
const warnedLoggers = new WeakMap<KernelLogger, Set<CellKind>>();

/** Whether a cell's fused kernels run on the active backend (cached per backend). */
export function fusedSupport(kind: CellKind, tf: TensorflowModule = loadTensorflow()): FusedSupport {
  const backend = tf.backend();
  let byCell = supportByBackend.get(backend);
  if (!byCell) {
    byCell = new Map();
    supportByBackend.set(backend, byCell);
  }
  let support = byCell.get(kind);
  if (!support) {
    support = cellFor(kind).probe(tf);
    byCell.set(kind, support);
  }
  return support;
}

/** The implementation that will actually run, warning (once per logger and cell) when falling back. */
function chooseImplementation(
  tf: TensorflowModule,
  cell: Cell,
  options: RecurrentOptions,
): KernelImplementation {
  if ((options.implementation ?? 'fused') === 'reference') return 'reference';
  const support = fusedSupport(cell.kind, tf);
  if (support.available) return 'fused';
  const logger = options.logger ?? consoleLogger;
  const warned = warnedLoggers.get(logger) ?? new Set<CellKind>();
  if (!warned.has(cell.kind)) {
    warned.add(cell.kind);
    warnedLoggers.set(logger, warned);
    const name = cell.kind.toUpperCase();
    logger(
      `Spanlight: fused ${name} kernels unavailable (${support.reason}); using the slower reference ${name}.`,
    );
  }
  return 'reference';
}

/** The cell of a direction pair; both directions must use the same one. */
function pairCell<W extends CellWeights>(forwardWeights: W, backwardWeights: W): Cell<W> {
  const cell = cellOf(forwardWeights);
  if (cellOf(backwardWeights) !== cell) {
    throw new Error('the forward and backward directions must use the same cell (LSTM or GRU)');
  }
  return cell;
}

/**
 * One direction of a recurrent layer (LSTM or GRU, after the weights' layout) over a padded batch.
 *
 * @param x `[batch, time, input]`, batch-major; what lies past each row's length is ignored.
 * @param lengths one length per row, `0 ≤ length ≤ time`.
 * @param weights see `LstmWeights` and `GruWeights` for the layouts.
 * @returns outputs `[batch, time, hidden]` (zero past each length) and the final state `[batch, hidden]`.
 *
 * Differentiable with respect to x and every weight with either implementation.
 */
export function recurrentLayer<W extends CellWeights>(
  x: Tensor3D,
  lengths: SequenceLengths,
  weights: W,
  options: RecurrentOptions = {},
): RecurrentResult {
  const tf = loadTensorflow();
  const cell = cellOf(weights);
  const { batchSize, timeSteps } = sequenceShape(cell, x, weights);
  const rowLengths = readLengths(lengths, batchSize, timeSteps);
  const reverse = options.reverse ?? false;
  return chooseImplementation(tf, cell, options) === 'fused'
    ? fusedRecurrent(tf, cell, x, rowLengths, weights, reverse)
    : cell.reference(tf, x, rowLengths, weights, reverse);
}

/**
 * A forward and a backward direction over the same padded batch, concatenated: outputs
 * `[batch, time, 2 * hidden]` (forward first) and final states `[batch, 2 * hidden]` (the forward
 * state after the last real step, then the backward state after the first).
 */
export function bidirectionalLayer<W extends CellWeights>(
  x: Tensor3D,
  lengths: SequenceLengths,
  forwardWeights: W,
  backwardWeights: W,
  options: Omit<RecurrentOptions, 'reverse'> = {},
): RecurrentResult {
  const tf = loadTensorflow();
  const cell = pairCell(forwardWeights, backwardWeights);
  const { batchSize, timeSteps } = sequenceShape(cell, x, forwardWeights);
  // Read once: a tensor's values are fetched from the backend a single time.
  const rowLengths = readLengths(lengths, batchSize, timeSteps);
  return tf.tidy(() => {
    const forward = recurrentLayer(x, rowLengths, forwardWeights, { ...options, reverse: false });
    const backward = recurrentLayer(x, rowLengths, backwardWeights, { ...options, reverse: true });
    return {
      outputs: tf.concat([forward.outputs, backward.outputs], 2) as Tensor3D,
      finalState: tf.concat([forward.finalState, backward.finalState], 1) as Tensor2D,
    };
  });
}

/**
 * A bidirectional layer over TIME-MAJOR input `x` `[time, batch, input]`, returning time-major
 * outputs `[time, batch, 2 * hidden]` (forward first; zero past each length). Stacked layers
 * chain without any transpose; with the fused kernels both directions are one op.
 */
export function bidirectionalTimeMajor<W extends CellWeights>(
  x: Tensor3D,
  lengths: SequenceLengths,
  forwardWeights: W,
  backwardWeights: W,
  options: Omit<RecurrentOptions, 'reverse'> = {},
): Tensor3D {
  return timeMajorPair(x, lengths, forwardWeights, backwardWeights, options, 'outputs') as Tensor3D;
}

/**
 * Only the final states `[batch, 2 * hidden]` of a bidirectional layer over TIME-MAJOR input
 * `x` `[time, batch, input]`: the forward state after each row's last real step, then the
 * backward state after its first step (zero for an empty row). What a char-level BiLSTM (or
 * BiGRU) needs per word.
 */
export function bidirectionalFinalStates<W extends CellWeights>(
  x: Tensor3D,
  lengths: SequenceLengths,
  forwardWeights: W,
  backwardWeights: W,
  options: Omit<RecurrentOptions, 'reverse'> = {},
): Tensor2D {
  return timeMajorPair(x, lengths, forwardWeights, backwardWeights, options, 'finalStates') as Tensor2D;
}

/** Both of the above: the fused op when it is chosen, otherwise the reference layers joined. */
function timeMajorPair<W extends CellWeights>(
  x: Tensor3D,
  lengths: SequenceLengths,
  forwardWeights: W,
  backwardWeights: W,
  options: Omit<RecurrentOptions, 'reverse'>,
  wanted: 'outputs' | 'finalStates',
): Tensor {
  const tf = loadTensorflow();
  const cell = pairCell(forwardWeights, backwardWeights);
  // sequenceShape checks [batch, time, input]; the axes it names are swapped here, the checks are not.
  const [timeSteps, batchSize, inputSize] = x.shape;
  const batchMajorView = {
    rank: x.rank,
    shape: [batchSize, timeSteps, inputSize],
    dtype: x.dtype,
  } as Tensor3D;
  for (const weights of [forwardWeights, backwardWeights])
    sequenceShape(cell, batchMajorView, weights, 'time, batch');
  const rowLengths = readLengths(lengths, batchSize, timeSteps);
  if (chooseImplementation(tf, cell, options) === 'fused') {
    return fusedBidirectional(tf, cell, x, rowLengths, forwardWeights, backwardWeights, wanted);
  }
  return tf.tidy(() => {
    const batchMajor = x.transpose([1, 0, 2]) as Tensor3D;
    const forward = cell.reference(tf, batchMajor, rowLengths, forwardWeights, false);
    const backward = cell.reference(tf, batchMajor, rowLengths, backwardWeights, true);
    return wanted === 'outputs'
      ? (tf.concat([forward.outputs, backward.outputs], 2).transpose([1, 0, 2]) as Tensor3D)
      : (tf.concat([forward.finalState, backward.finalState], 1) as Tensor2D);
  });
}

/** Fresh weights for one direction of a cell (see each cell's `init` for the initialisation). */
export function initCellWeights(
  kind: 'lstm',
  inputSize: number,
  hiddenSize: number,
  seed?: number,
): import('./types').LstmWeights;
export function initCellWeights(
  kind: 'gru',
  inputSize: number,
  hiddenSize: number,
  seed?: number,
): import('./types').GruWeights;
export function initCellWeights(
  kind: CellKind,
  inputSize: number,
  hiddenSize: number,
  seed?: number,
): CellWeights;
export function initCellWeights(
  kind: CellKind,
  inputSize: number,
  hiddenSize: number,
  seed?: number,
): CellWeights {
  return cellFor(kind).init(loadTensorflow(), inputSize, hiddenSize, seed);
}
