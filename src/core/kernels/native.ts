import type { Tensor, Tensor1D } from '@tensorflow/tfjs-node';
import type { TensorflowModule } from '../backend';

/**
 * The parts of tfjs-node's `NodeJSKernelBackend` used to run TensorFlow ops that tfjs does not
 * wrap. They are public in its JavaScript but not in its type declarations.
 */
export interface OpAttr {
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

/** The native backend when tfjs-node's TensorFlow backend is the active one, else undefined. */
export function activeNativeBackend(tf: TensorflowModule): NativeBackend | undefined {
  if (tf.getBackend() !== 'tensorflow') return undefined;
  const backend = tf.backend() as unknown as Partial<NativeBackend>;
  if (typeof backend.binding?.executeOp !== 'function' || typeof backend.getInputTensorIds !== 'function') {
    return undefined;
  }
  return backend as NativeBackend;
}

/** The native backend; throws naming the active one when it is not TensorFlow's. */
export function requireNativeBackend(tf: TensorflowModule): NativeBackend {
  const backend = activeNativeBackend(tf);
  if (!backend)
    throw new Error(
      `the fused kernels need the 'tensorflow' backend, the active one is '${tf.getBackend()}'`,
    );
  return backend;
}

/** Runs a TensorFlow op by name on tfjs tensors; its outputs are new tfjs tensors. */
export function executeNativeOp(
  backend: NativeBackend,
  opName: string,
  attrs: OpAttr[],
  inputs: Tensor[],
  numOutputs: number,
  extraInputIds: number[] = [],
): Tensor[] {
  const inputIds = [...extraInputIds, ...backend.getInputTensorIds(inputs)];
  return backend.binding
    .executeOp(opName, attrs, inputIds, numOutputs)
    .map((metadata) => backend.createOutputTensor(metadata));
}

/** The `T: float32` attribute most float ops take. */
export function floatTypeAttr(backend: NativeBackend): OpAttr {
  return { name: 'T', type: backend.binding.TF_ATTR_TYPE, value: backend.binding.TF_FLOAT };
}

/** Calls `run` with the id of a native int64 scalar `seqLenMax`, deleted afterwards. */
export function withSeqLenMax<T>(backend: NativeBackend, seqLenMax: number, run: (id: number) => T): T {
  const { binding } = backend;
  // int64 as two little-endian int32 words; lengths are small and non-negative. tfjs has no
  // int64 tensors, and passing tfjs-node's `Int64Scalar` through `executeMultipleOutputs` would
  // leak one native tensor per call, so the scalar is made in the binding and deleted here.
  const seqLenMaxId = binding.createTensor([], binding.TF_INT64, new Int32Array([seqLenMax, 0]));
  try {
    return run(seqLenMaxId);
  } finally {
    binding.deleteTensor(seqLenMaxId);
  }
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
    floatTypeAttr(backend),
    { name: 'Tlen', type: binding.TF_ATTR_TYPE, value: binding.TF_INT32 },
  ];
  return executeNativeOp(backend, 'ReverseSequence', attrs, [x, lengths], 1)[0] as T;
}

/**
 * Whether `run` (which runs a cell's fused ops once on a tiny input) works on the active
 * backend, so that a binary built without them is caught here rather than in the middle of
 * training. `ReverseSequence`, which the bidirectional ops need, is checked too.
 */
export function probeKernels(
  tf: TensorflowModule,
  run: () => void,
): { available: true } | { available: false; reason: string } {
  if (!activeNativeBackend(tf)) {
    return { available: false, reason: `the active tfjs backend is '${tf.getBackend()}', not 'tensorflow'` };
  }
  try {
    tf.tidy(() => {
      run();
      reverseSequence(tf, tf.ones([2, 2, 2]), tf.tensor1d([2, 1], 'int32'), 0, 1);
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
  return executeNativeOp(backend, opName, [floatTypeAttr(backend)], inputs, 1)[0] as T;
}
