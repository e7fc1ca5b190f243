import type { Tensor, Tensor1D, Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';
import type { TensorflowModule } from '../backend';

/**
 * The parts of tfjs-node's `NodeJSKernelBackend` used to run TensorFlow ops that tfjs does not
 * wrap. They are public in its JavaScript but not in its type declarations.
 */
interface OpAttr {
  name: string;
  type: number;
  value: boolean | number;
}

interface TensorMetadata {
  id: number;
  shape: number[];
  dtype: number;
}

interface NativeBinding {
  createTensor(shape: number[], dtype: number, values: Int32Array): number;
  deleteTensor(id: number): void;
  executeOp(name: string, attrs: OpAttr[], inputIds: number[], numOutputs: number): TensorMetadata[];
  /** Runs a loaded SavedModel's session: inputs and outputs named `node:index`, comma-separated. */
  runSavedModel(
    sessionId: number,
    inputIds: number[],
    inputNames: string,
    outputNames: string,
  ): TensorMetadata[];
  deleteSavedModel(sessionId: number): void;
  TF_FLOAT: number;
  TF_INT32: number;
  TF_INT64: number;
  TF_ATTR_INT: number;
  TF_ATTR_FLOAT: number;
  TF_ATTR_BOOL: number;
  TF_ATTR_TYPE: number;
}

export interface NativeBackend {
  binding: NativeBinding;
  /** Loads a SavedModel folder into a new TensorFlow session; returns its id. */
  loadSavedModelMetaGraph(path: string, tags: string): number;
  getInputTensorIds(tensors: Tensor[]): number[];
  createOutputTensor(metadata: TensorMetadata): Tensor;
}

/** The TensorFlow op names of the fused LSTM; a parameter so a test can name ops that do not exist. */
export interface BlockLstmOpNames {
  forward: string;
  backward: string;
}

export const BLOCK_LSTM_OPS: BlockLstmOpNames = { forward: 'BlockLSTMV2', backward: 'BlockLSTMGradV2' };

/** The seven per-step tensors `BlockLSTMV2` returns, each `[time, batch, hidden]`. */
export interface BlockLstmActivations {
  inputGate: Tensor3D;
  cell: Tensor3D;
  forgetGate: Tensor3D;
  outputGate: Tensor3D;
  candidate: Tensor3D;
  cellTanh: Tensor3D;
  hidden: Tensor3D;
}

/** The activations in the order BlockLSTMV2 outputs them and BlockLSTMGradV2 takes them back. */
export function activationList(a: BlockLstmActivations): Tensor3D[] {
  return [a.inputGate, a.cell, a.forgetGate, a.outputGate, a.candidate, a.cellTanh, a.hidden];
}

/** The inverse of `activationList`. */
export function activationsFrom(list: readonly Tensor[]): BlockLstmActivations {
  const [inputGate, cell, forgetGate, outputGate, candidate, cellTanh, hidden] = list as Tensor3D[];
  return {
    inputGate: inputGate!,
    cell: cell!,
    forgetGate: forgetGate!,
    outputGate: outputGate!,
    candidate: candidate!,
    cellTanh: cellTanh!,
    hidden: hidden!,
  };
}

export interface BlockLstmGradients {
  x: Tensor3D;
  kernel: Tensor2D;
  bias: Tensor1D;
}

/** The native backend when tfjs-node's TensorFlow backend is the active one, else undefined. */
export function activeNativeBackend(tf: TensorflowModule): NativeBackend | undefined {
  if (tf.getBackend() !== 'tensorflow') return undefined;
  const backend = tf.backend() as unknown as Partial<NativeBackend>;
  if (typeof backend.binding?.executeOp !== 'function' || typeof backend.getInputTensorIds !== 'function') {
    return undefined;
  }
  return backend as NativeBackend;
}

function requireNativeBackend(tf: TensorflowModule): NativeBackend {
  const backend = activeNativeBackend(tf);
  if (!backend)
    throw new Error(`the fused LSTM needs the 'tensorflow' backend, the active one is '${tf.getBackend()}'`);
  return backend;
}

/**
 * Runs an op whose first input is the int64 scalar `seq_len_max`. tfjs has no int64 tensors, so
 * the scalar is made directly in the binding and deleted right after: passing tfjs-node's
 * `Int64Scalar` through `executeMultipleOutputs` would leak one native tensor per call.
 */
function executeWithSeqLenMax(
  backend: NativeBackend,
  opName: string,
  attrs: OpAttr[],
  seqLenMax: number,
  inputs: Tensor[],
  numOutputs: number,
): Tensor[] {
  return withSeqLenMax(backend, seqLenMax, (seqLenMaxId) => {
    const inputIds = [seqLenMaxId, ...backend.getInputTensorIds(inputs)];
    return backend.binding
      .executeOp(opName, attrs, inputIds, numOutputs)
      .map((m) => backend.createOutputTensor(m));
  });
}

/** Calls `run` with the id of a native int64 scalar `seqLenMax`, deleted afterwards. */
export function withSeqLenMax<T>(backend: NativeBackend, seqLenMax: number, run: (id: number) => T): T {
  const { binding } = backend;
  // int64 as two little-endian int32 words; lengths are small and non-negative.
  const seqLenMaxId = binding.createTensor([], binding.TF_INT64, new Int32Array([seqLenMax, 0]));
  try {
    return run(seqLenMaxId);
  } finally {
    binding.deleteTensor(seqLenMaxId);
  }
}

/** Zero initial state and (unused) peephole weights, which the op requires as inputs anyway. */
export function unusedInputs(tf: TensorflowModule, x: Tensor3D, bias: Tensor1D) {
  const [, batchSize] = x.shape;
  const hiddenSize = bias.shape[0] / 4;
  return { initialState: tf.zeros([batchSize, hiddenSize]), peephole: tf.zeros([hiddenSize]) };
}

/**
 * `BlockLSTMV2` forward over time-major `x` `[time, batch, input]`, from a zero state. Steps at and
 * after `seqLenMax` are not computed (their cell and hidden outputs are zero).
 */
export function blockLstmForward(
  tf: TensorflowModule,
  x: Tensor3D,
  seqLenMax: number,
  kernel: Tensor2D,
  bias: Tensor1D,
  opNames: BlockLstmOpNames = BLOCK_LSTM_OPS,
): BlockLstmActivations {
  const backend = requireNativeBackend(tf);
  const { binding } = backend;
  const outputs = tf.tidy(() => {
    const { initialState, peephole } = unusedInputs(tf, x, bias);
    const attrs: OpAttr[] = [
      // Any value ≤ 0 turns clipping off.
      { name: 'cell_clip', type: binding.TF_ATTR_FLOAT, value: 0 },
      { name: 'use_peephole', type: binding.TF_ATTR_BOOL, value: false },
      { name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT },
    ];
    return executeWithSeqLenMax(
      backend,
      opNames.forward,
      attrs,
      seqLenMax,
      [x, initialState, initialState, kernel, peephole, peephole, peephole, bias],
      7,
    );
  });
  return activationsFrom(outputs);
}

/**
 * `BlockLSTMGradV2`: gradients of x, kernel and bias given the gradient of every hidden output
 * `hiddenGrad` `[time, batch, hidden]` (no gradient flows into the cell outputs).
 */
export function blockLstmBackward(
  tf: TensorflowModule,
  x: Tensor3D,
  seqLenMax: number,
  kernel: Tensor2D,
  bias: Tensor1D,
  activations: BlockLstmActivations,
  hiddenGrad: Tensor3D,
  opNames: BlockLstmOpNames = BLOCK_LSTM_OPS,
): BlockLstmGradients {
  const backend = requireNativeBackend(tf);
  const { binding } = backend;
  return tf.tidy(() => {
    const { initialState, peephole } = unusedInputs(tf, x, bias);
    const attrs: OpAttr[] = [
      { name: 'use_peephole', type: binding.TF_ATTR_BOOL, value: false },
      { name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT },
    ];
    const grads = executeWithSeqLenMax(
      backend,
      opNames.backward,
      attrs,
      seqLenMax,
      [
        x,
        initialState,
        initialState,
        kernel,
        peephole,
        peephole,
        peephole,
        bias,
        ...activationList(activations),
        tf.zerosLike(hiddenGrad),
        hiddenGrad,
      ],
      8,
    );
    // Outputs: x, cs_prev, h_prev, w, wci, wcf, wco, b; the rest are discarded by the tidy.
    return { x: grads[0] as Tensor3D, kernel: grads[3] as Tensor2D, bias: grads[7] as Tensor1D };
  });
}

/**
 * TensorFlow's `ReverseSequence`: reverses the first `lengths[b]` entries along `seqDim` of each
 * slice `b` along `batchDim`, leaving the rest (the padding) in place. Its own inverse.
 */
export function reverseSequence<T extends Tensor>(
  tf: TensorflowModule,
  x: T,
  lengths: Tensor1D,
  seqDim: number,
  batchDim: number,
): T {
  const backend = requireNativeBackend(tf);
  const { binding } = backend;
  const attrs: OpAttr[] = [
    { name: 'seq_dim', type: binding.TF_ATTR_INT, value: seqDim },
    { name: 'batch_dim', type: binding.TF_ATTR_INT, value: batchDim },
    { name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT },
    { name: 'Tlen', type: binding.TF_ATTR_TYPE, value: binding.TF_INT32 },
  ];
  const inputIds = backend.getInputTensorIds([x, lengths]);
  const [metadata] = binding.executeOp('ReverseSequence', attrs, inputIds, 1);
  return backend.createOutputTensor(metadata!) as T;
}

export type FusedLstmSupport = { available: true } | { available: false; reason: string };

/**
 * Whether the fused LSTM can run on the active backend: runs the forward op, its gradient and
 * `ReverseSequence` once on a tiny input, so a binary built without them is caught here rather
 * than in the middle of training.
 */
export function probeFusedLstm(
  tf: TensorflowModule,
  opNames: BlockLstmOpNames = BLOCK_LSTM_OPS,
): FusedLstmSupport {
  if (!activeNativeBackend(tf)) {
    return { available: false, reason: `the active tfjs backend is '${tf.getBackend()}', not 'tensorflow'` };
  }
  try {
    tf.tidy(() => {
      const x = tf.ones([2, 2, 2]) as Tensor3D;
      const kernel = tf.ones([4, 8]) as Tensor2D;
      const bias = tf.zeros([8]) as Tensor1D;
      const activations = blockLstmForward(tf, x, 2, kernel, bias, opNames);
      blockLstmBackward(tf, x, 2, kernel, bias, activations, tf.onesLike(activations.hidden), opNames);
      reverseSequence(tf, x, tf.tensor1d([2, 1], 'int32'), 0, 1);
    });
    return { available: true };
  } catch (err) {
    return { available: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Runs a one-output float op by its TensorFlow name on the native backend, or returns undefined
 * when tfjs-node's TensorFlow backend is not the active one (the caller falls back to tf ops).
 */
export function runNativeFloatOp<T extends Tensor>(
  tf: TensorflowModule,
  opName: string,
  inputs: Tensor[],
): T | undefined {
  const backend = activeNativeBackend(tf);
  if (!backend) return undefined;
  const attrs: OpAttr[] = [
    { name: 'T', type: backend.binding.TF_ATTR_TYPE, value: backend.binding.TF_FLOAT },
  ];
  const [metadata] = backend.binding.executeOp(opName, attrs, backend.getInputTensorIds(inputs), 1);
  return backend.createOutputTensor(metadata!) as T;
}
