import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Tensor } from '@tensorflow/tfjs-node';
import type { TensorflowModule } from '../backend';
import { activeNativeBackend, type NativeBackend, withSeqLenMax } from './native';
import { ProtoWriter } from './protobuf';

/**
 * Small TensorFlow graphs run as single session calls, so independent work runs in parallel.
 *
 * Eager ops (what tfjs-node runs) execute one after another on the calling thread; the forward
 * and backward LSTMs of a layer are independent, but eagerly the second waits for the first.
 * TensorFlow's graph executor runs independent nodes side by side on its inter-op thread pool
 * (one thread per core by default), which is how Keras keeps two cores busy. tfjs-node exposes
 * exactly one way to run a graph: a SavedModel session. So a SavedModel holding just the needed
 * nodes is written to a temporary folder, loaded, and deleted; each use is then one session run
 * with the same tensors the eager ops would take. No weights live in the graphs.
 *
 * Here: the node builders and the session plumbing, and dropout masks. Both directions of a
 * recurrent layer run as one graph (pair-graph.ts; measured on 2 cores, BiLSTM 32 × 16 steps,
 * 210 → 100: 1.86 ms per forward pair against 3.1–3.3 ms eagerly); the optimizer builds its own
 * (Adam over all variables, src/core/train/optimizer.ts).
 */

export const DT_FLOAT = 1;
export const DT_INT32 = 3;
export const DT_INT64 = 9;
export const DT_RESOURCE = 20;

/** A constant's value: int32, int64 or float, given as raw values and a shape ([] for a scalar). */
export interface ConstantValue {
  dtype: typeof DT_INT32 | typeof DT_INT64 | typeof DT_FLOAT;
  shape: readonly number[];
  values: readonly number[];
}

export type Attr =
  | { type: number }
  | { int: number }
  | { float: number }
  | { bool: boolean }
  | { string: string }
  | { tensor: ConstantValue }
  | 'unknownShape';

export interface GraphNode {
  name: string;
  op: string;
  inputs?: string[];
  attrs?: Record<string, Attr>;
}

function writeAttr(value: ProtoWriter, attr: Attr): void {
  // AttrValue fields: s = 2, i = 3, f = 4, b = 5, type = 6, shape = 7 (TensorShapeProto.unknown_rank
  // = 3), tensor = 8 (TensorProto: dtype = 1, tensor_shape = 2 with dims = 2 of size = 1, and
  // tensor_content = 4, the values' little-endian bytes).
  if (attr === 'unknownShape') value.message(7, (shape) => shape.bool(3, true));
  else if ('string' in attr) value.string(2, attr.string);
  else if ('tensor' in attr) {
    const { dtype, shape, values } = attr.tensor;
    const content =
      dtype === DT_INT32
        ? Int32Array.from(values)
        : dtype === DT_INT64
          ? BigInt64Array.from(values, BigInt)
          : Float32Array.from(values);
    value.message(8, (tensor) =>
      tensor
        .int(1, dtype)
        .message(2, (dims) => {
          for (const size of shape) dims.message(2, (dim) => dim.int(1, size));
        })
        .binary(4, new Uint8Array(content.buffer)),
    );
  } else if ('type' in attr) value.int(6, attr.type);
  else if ('int' in attr) value.int(3, attr.int);
  else if ('float' in attr) value.float(4, attr.float);
  else value.bool(5, attr.bool);
}

/** SavedModel { schema version, MetaGraphDef { tags: [serve], GraphDef { nodes, versions } } }. */
function savedModelBytes(nodes: readonly GraphNode[]): Uint8Array {
  return new ProtoWriter()
    .int(1, 1)
    .message(2, (meta) => {
      meta.message(1, (info) => info.string(4, 'serve'));
      meta.message(2, (graph) => {
        for (const node of nodes) {
          graph.message(1, (def) => {
            def.string(1, node.name).string(2, node.op);
            for (const input of node.inputs ?? []) def.string(3, input);
            for (const [key, attr] of Object.entries(node.attrs ?? {})) {
              def.message(5, (entry) => entry.string(1, key).message(2, (value) => writeAttr(value, attr)));
            }
          });
        }
        // VersionDef.producer: a GraphDef version every TensorFlow with BlockLSTMV2 accepts.
        graph.message(4, (versions) => versions.int(1, 1205));
      });
    })
    .finish();
}

export const FLOAT = { T: { type: DT_FLOAT } } as const;
export const placeholder = (name: string, dtype: number): GraphNode => ({
  name,
  op: 'Placeholder',
  attrs: { dtype: { type: dtype }, shape: 'unknownShape' },
});
const INT32 = { type: DT_INT32 };

/** A constant int32 or int64 scalar or vector. */
function integerConstant(
  name: string,
  dtype: typeof DT_INT32 | typeof DT_INT64,
  values: number | readonly number[],
): GraphNode {
  const value: ConstantValue = {
    dtype,
    shape: typeof values === 'number' ? [] : [values.length],
    values: typeof values === 'number' ? [values] : values,
  };
  return { name, op: 'Const', attrs: { dtype: { type: dtype }, value: { tensor: value } } };
}
export const int32Constant = (name: string, values: number | readonly number[]) =>
  integerConstant(name, DT_INT32, values);
export const int64Constant = (name: string, values: number | readonly number[]) =>
  integerConstant(name, DT_INT64, values);

/** Each row of time-major `input` reversed within its length (placeholder `lengths`). */
export const reverseNode = (name: string, input: string): GraphNode => ({
  name,
  op: 'ReverseSequence',
  inputs: [input, 'lengths'],
  attrs: { seq_dim: { int: 0 }, batch_dim: { int: 1 }, ...FLOAT, Tlen: INT32 },
});

/**
 * Slices of `params` picked by int32 `indices` along `axis` (an int32 scalar node; by default
 * the placeholder `axis_0`). A scalar index drops the axis.
 */
export const gatherNode = (
  name: string,
  params: string,
  indices: string,
  axis = 'axis_0',
  dtype = DT_FLOAT,
): GraphNode => ({
  name,
  op: 'GatherV2',
  inputs: [params, indices, axis],
  attrs: { Tparams: { type: dtype }, Tindices: INT32, Taxis: INT32, batch_dims: { int: 0 } },
});

/** Float tensors joined along the int32 scalar node `axis` (one input passes through). */
export function concatNode(name: string, inputs: readonly string[], axis: string): GraphNode {
  if (inputs.length === 1) return { name, op: 'Identity', inputs: [...inputs], attrs: FLOAT };
  return {
    name,
    op: 'ConcatV2',
    inputs: [...inputs, axis],
    attrs: { N: { int: inputs.length }, ...FLOAT, Tidx: INT32 },
  };
}

/** `input` reshaped to the int32 shape node `shape`. */
export const reshapeNode = (name: string, input: string, shape: string): GraphNode => ({
  name,
  op: 'Reshape',
  inputs: [input, shape],
  attrs: { ...FLOAT, Tshape: INT32 },
});

/** A graph loaded into its own TensorFlow session. */
export interface GraphSession {
  backend: NativeBackend;
  sessionId: number;
}

/** Loads `nodes` as a SavedModel session (written to a temporary folder, deleted right after). */
export function loadGraphSession(
  tf: TensorflowModule,
  nodes: readonly GraphNode[],
): GraphSession | { reason: string } {
  const backend = activeNativeBackend(tf);
  if (!backend) return { reason: `the active tfjs backend is '${tf.getBackend()}', not 'tensorflow'` };
  if (
    typeof backend.loadSavedModelMetaGraph !== 'function' ||
    typeof backend.binding.runSavedModel !== 'function'
  ) {
    return { reason: 'this tfjs-node cannot run SavedModel sessions' };
  }
  let folder: string | undefined;
  try {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-graph-'));
    fs.writeFileSync(path.join(folder, 'saved_model.pb'), savedModelBytes(nodes));
    return { backend, sessionId: backend.loadSavedModelMetaGraph(folder, 'serve') };
  } catch (err) {
    return { reason: err instanceof Error ? err.message : String(err) };
  } finally {
    // The session holds the graph in memory; the file is no longer needed.
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  }
}

/** Frees a session from `loadGraphSession`. */
export function deleteGraphSession(session: GraphSession): void {
  session.backend.binding.deleteSavedModel(session.sessionId);
}

/** Graph sessions are used unless SPANLIGHT_GRAPHS=0 (then everything runs as eager ops). */
export function graphsEnabled(): boolean {
  return process.env.SPANLIGHT_GRAPHS !== '0';
}

/**
 * One session run: `feeds` by placeholder name, `outputs` as `node:index`. Returns new tensors
 * owned by the caller (tracked by the enclosing tidy, if any).
 */
export function runGraph(
  session: GraphSession,
  feeds: Record<string, Tensor>,
  outputs: readonly string[],
  seqLenMax?: number,
): Tensor[] {
  const { backend } = session;
  const names = Object.keys(feeds);
  const execute = (extraIds: number[], extraNames: string[]) => {
    const ids = [...extraIds, ...backend.getInputTensorIds(names.map((name) => feeds[name]!))];
    const inputNames = [...extraNames, ...names].map((name) => `${name}:0`).join(',');
    return backend.binding
      .runSavedModel(session.sessionId, ids, inputNames, outputs.join(','))
      .map((metadata) => backend.createOutputTensor(metadata));
  };
  return seqLenMax === undefined
    ? execute([], [])
    : withSeqLenMax(backend, seqLenMax, (id) => execute([id], ['seq_len_max']));
}

export type GraphSupport = { available: true } | { available: false; reason: string };

/**
 * Graph sessions loaded on first use, one per backend instance (each worker thread has its own)
 * and key; a graph that fails to load is remembered with its reason and not tried again.
 */
export class GraphSessions {
  private readonly byBackend = new WeakMap<object, Map<string, GraphSession | { reason: string }>>();

  constructor(private readonly build: (key: string) => GraphNode[]) {}

  /** The session for `key`, or undefined where graphs cannot run (the caller runs eager ops). */
  get(tf: TensorflowModule, key: string): GraphSession | undefined {
    const graph = this.load(tf, key);
    return 'reason' in graph ? undefined : graph;
  }

  /** Whether the graph for `key` runs here, or why not (for tests and diagnostics). */
  support(tf: TensorflowModule, key: string): GraphSupport {
    const graph = this.load(tf, key);
    return 'reason' in graph ? { available: false, reason: graph.reason } : { available: true };
  }

  private load(tf: TensorflowModule, key: string): GraphSession | { reason: string } {
    if (!graphsEnabled()) return { reason: 'turned off by SPANLIGHT_GRAPHS=0' };
    let byKey = this.byBackend.get(tf.backend());
    if (!byKey) {
      byKey = new Map();
      this.byBackend.set(tf.backend(), byKey);
    }
    let graph = byKey.get(key);
    if (!graph) {
      graph = loadGraphSession(tf, this.build(key));
      byKey.set(key, graph);
    }
    return graph;
  }
}

/** Inverted-dropout mask: scale where uniform + keep ≥ 1 (probability keep), else 0. */
const dropoutGraphs = new GraphSessions(() => [
  placeholder('mask_shape', DT_INT32),
  placeholder('mask_seed', DT_INT32),
  placeholder('keep', DT_FLOAT),
  placeholder('keep_scale', DT_FLOAT),
  {
    name: 'uniform',
    op: 'StatelessRandomUniform',
    inputs: ['mask_shape', 'mask_seed'],
    attrs: { dtype: { type: DT_FLOAT }, T: INT32, Tseed: INT32 },
  },
  { name: 'shifted', op: 'AddV2', inputs: ['uniform', 'keep'], attrs: FLOAT },
  { name: 'kept', op: 'Floor', inputs: ['shifted'], attrs: FLOAT },
  { name: 'dropout_mask', op: 'Mul', inputs: ['kept', 'keep_scale'], attrs: FLOAT },
]);

/**
 * An inverted-dropout mask of `shape`: `1 / keep` with probability `keep`, else 0, drawn by
 * TensorFlow's counter-based generator from `seed` (the same seed, the same mask). Undefined
 * where graphs cannot run; the caller draws the mask itself then. A JavaScript loop drawing
 * the ~200k numbers of a reference training step took 3 ms of the step's 36.
 */
export function graphDropoutMask(
  tf: TensorflowModule,
  shape: readonly number[],
  keep: number,
  seed: readonly [number, number],
): Tensor | undefined {
  const graph = dropoutGraphs.get(tf, 'dropout');
  if (!graph) return undefined;
  return tf.tidy(() => {
    const [mask] = runGraph(
      graph,
      {
        mask_shape: tf.tensor1d(Int32Array.from(shape), 'int32'),
        mask_seed: tf.tensor1d(Int32Array.from(seed), 'int32'),
        keep: tf.scalar(keep, 'float32'),
        keep_scale: tf.scalar(1 / keep, 'float32'),
      },
      ['dropout_mask:0'],
    );
    return mask!;
  });
}
