import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Tensor, Tensor1D, Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';
import type { TensorflowModule } from '../backend';
import {
  activationList,
  activationsFrom,
  activeNativeBackend,
  type BlockLstmActivations,
  type NativeBackend,
  unusedInputs,
  withSeqLenMax,
} from './native';
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
 * Here: both directions of a BiLSTM layer (`BlockLSTMV2` pairs forward, `BlockLSTMGradV2` pairs
 * backward) and dropout masks, in one graph per backend; the optimizer builds its own (Adam over
 * all variables, src/core/train/optimizer.ts). Measured on 2 cores (BiLSTM 32 × 16 steps,
 * 210 → 100): 1.86 ms per forward pair against 3.1–3.3 ms eagerly.
 */

export const DT_FLOAT = 1;
export const DT_INT32 = 3;
export const DT_INT64 = 9;

export type Attr =
  | { type: number }
  | { int: number }
  | { float: number }
  | { bool: boolean }
  | 'unknownShape';

export interface GraphNode {
  name: string;
  op: string;
  inputs?: string[];
  attrs?: Record<string, Attr>;
}

function writeAttr(value: ProtoWriter, attr: Attr): void {
  // AttrValue fields: i = 3, f = 4, b = 5, type = 6, shape = 7 (TensorShapeProto.unknown_rank = 3).
  if (attr === 'unknownShape') value.message(7, (shape) => shape.bool(3, true));
  else if ('type' in attr) value.int(6, attr.type);
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

/** Each row of time-major `input` reversed within its length (placeholder `lengths`). */
export const reverseNode = (name: string, input: string): GraphNode => ({
  name,
  op: 'ReverseSequence',
  inputs: [input, 'lengths'],
  attrs: { seq_dim: { int: 0 }, batch_dim: { int: 1 }, ...FLOAT, Tlen: INT32 },
});

/** Rows of float `params` picked by int32 `indices` (axis from the placeholder `axis_0`). */
export const gatherNode = (name: string, params: string, indices: string): GraphNode => ({
  name,
  op: 'GatherV2',
  inputs: [params, indices, 'axis_0'],
  attrs: { Tparams: { type: DT_FLOAT }, Tindices: INT32, Taxis: INT32, batch_dims: { int: 0 } },
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

/**
 * `BlockLSTMV2` over time-major `x` (steps up to the placeholder `seq_len_max`, no peepholes:
 * `zero_peephole`), from the given initial cell and hidden states.
 */
export const blockLstmNode = (
  name: string,
  x: string,
  weights: { kernel: string; bias: string },
  initial: { cell: string; hidden: string } = { cell: 'zero_state', hidden: 'zero_state' },
): GraphNode => ({
  name,
  op: 'BlockLSTMV2',
  inputs: [
    'seq_len_max',
    x,
    initial.cell,
    initial.hidden,
    weights.kernel,
    'zero_peephole',
    'zero_peephole',
    'zero_peephole',
    weights.bias,
  ],
  attrs: { cell_clip: { float: 0 }, use_peephole: { bool: false }, ...FLOAT },
});
const range7 = Array.from({ length: 7 }, (_, i) => i);

/** Node names of one direction's weights and activations. */
const direction = (prefix: 'fw' | 'bw') => ({
  kernel: `${prefix}_kernel`,
  bias: `${prefix}_bias`,
  activations: range7.map((i) => `${prefix}_activation_${i}`),
});
const FW = direction('fw');
const BW = direction('bw');

function lstmGraph(): GraphNode[] {
  // The gradient op takes the forward op's inputs, then its activations and the output gradients.
  const gradient = (name: string, x: string, d: typeof FW, hiddenGrad: string): GraphNode => ({
    name,
    op: 'BlockLSTMGradV2',
    inputs: [...blockLstmNode(name, x, d).inputs!, ...d.activations, 'zero_cell_grad', hiddenGrad],
    attrs: { use_peephole: { bool: false }, ...FLOAT },
  });
  const forward = (name: string, x: string, d: typeof FW): GraphNode => blockLstmNode(name, x, d);
  return [
    ...['x', 'x_reversed', 'zero_state', 'zero_peephole', 'fw_hidden_grad', 'bw_hidden_grad'].map((name) =>
      placeholder(name, DT_FLOAT),
    ),
    ...[FW, BW].flatMap((d) =>
      [d.kernel, d.bias, ...d.activations].map((name) => placeholder(name, DT_FLOAT)),
    ),
    placeholder('lengths', DT_INT32),
    placeholder('seq_len_max', DT_INT64),
    // Forward pass: the reversed input is computed (and returned, for the gradient).
    reverseNode('reversed', 'x'),
    forward('fw', 'x', FW),
    forward('bw', 'reversed', BW),
    // Gradient pass, with the backward direction's hidden gradient either already in its
    // processing order (final states) or in input order (per-step outputs, reversed here).
    { name: 'zero_cell_grad', op: 'ZerosLike', inputs: ['fw_hidden_grad'], attrs: FLOAT },
    reverseNode('bw_hidden_grad_reversed', 'bw_hidden_grad'),
    gradient('fw_grad', 'x', FW, 'fw_hidden_grad'),
    gradient('bw_grad', 'x_reversed', BW, 'bw_hidden_grad'),
    gradient('bw_grad_of_outputs', 'x_reversed', BW, 'bw_hidden_grad_reversed'),
    reverseNode('bw_x_grad', 'bw_grad:0'),
    reverseNode('bw_x_grad_of_outputs', 'bw_grad_of_outputs:0'),
    { name: 'x_grad', op: 'AddV2', inputs: ['fw_grad:0', 'bw_x_grad'], attrs: FLOAT },
    { name: 'x_grad_of_outputs', op: 'AddV2', inputs: ['fw_grad:0', 'bw_x_grad_of_outputs'], attrs: FLOAT },
    // Inverted-dropout mask: scale where uniform + keep ≥ 1 (probability keep), else 0.
    placeholder('mask_shape', DT_INT32),
    placeholder('mask_seed', DT_INT32),
    placeholder('keep', DT_FLOAT),
    placeholder('keep_scale', DT_FLOAT),
    {
      name: 'uniform',
      op: 'StatelessRandomUniform',
      inputs: ['mask_shape', 'mask_seed'],
      attrs: { dtype: { type: DT_FLOAT }, T: { type: DT_INT32 }, Tseed: { type: DT_INT32 } },
    },
    { name: 'shifted', op: 'AddV2', inputs: ['uniform', 'keep'], attrs: FLOAT },
    { name: 'kept', op: 'Floor', inputs: ['shifted'], attrs: FLOAT },
    { name: 'dropout_mask', op: 'Mul', inputs: ['kept', 'keep_scale'], attrs: FLOAT },
  ];
}

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

/** The LSTM pair graph (one key: it does not depend on sizes). */
const lstmGraphs = new GraphSessions(() => lstmGraph());
const lstmGraphFor = (tf: TensorflowModule) => lstmGraphs.get(tf, 'pair');

/**
 * Whether direction pairs run as one parallel graph on the active backend (loading it if
 * needed). Off when SPANLIGHT_GRAPHS=0; then the eager ops run one after the other.
 */
export function parallelLstmSupport(tf: TensorflowModule): GraphSupport {
  return lstmGraphs.support(tf, 'pair');
}

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
  const graph = lstmGraphFor(tf);
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

export interface DirectionWeights {
  kernel: Tensor2D;
  bias: Tensor1D;
}

export interface PairForward {
  /** The input with each row reversed within its length: what the backward direction read. */
  reversedInput: Tensor3D;
  forward: BlockLstmActivations;
  backward: BlockLstmActivations;
}

/**
 * Both directions forward: the forward LSTM over `x` `[time, batch, input]` and the backward
 * one over `x` reversed within each row's length, as one graph run.
 */
export function graphPairForward(
  tf: TensorflowModule,
  x: Tensor3D,
  lengths: Tensor1D,
  seqLenMax: number,
  forwardWeights: DirectionWeights,
  backwardWeights: DirectionWeights,
): PairForward | undefined {
  const graph = lstmGraphFor(tf);
  if (!graph) return undefined;
  const outputs = tf.tidy(() => {
    const { initialState, peephole } = unusedInputs(tf, x, forwardWeights.bias);
    return runGraph(
      graph,
      {
        x,
        lengths,
        zero_state: initialState,
        zero_peephole: peephole,
        fw_kernel: forwardWeights.kernel,
        fw_bias: forwardWeights.bias,
        bw_kernel: backwardWeights.kernel,
        bw_bias: backwardWeights.bias,
      },
      ['reversed:0', ...range7.map((i) => `fw:${i}`), ...range7.map((i) => `bw:${i}`)],
      seqLenMax,
    );
  });
  return {
    reversedInput: outputs[0] as Tensor3D,
    forward: activationsFrom(outputs.slice(1, 8)),
    backward: activationsFrom(outputs.slice(8)),
  };
}

export interface PairGradients {
  x: Tensor3D;
  forwardKernel: Tensor2D;
  forwardBias: Tensor1D;
  backwardKernel: Tensor2D;
  backwardBias: Tensor1D;
}

/**
 * Both directions' `BlockLSTMGradV2` as one graph run, and the input gradient summed (the
 * backward direction's mapped back to input order). `backwardHiddenGrad` is in input order when
 * `backwardGradInInputOrder` (per-step outputs), else in the backward direction's own order.
 */
export function graphPairBackward(
  tf: TensorflowModule,
  saved: {
    x: Tensor3D;
    reversedInput: Tensor3D;
    lengths: Tensor1D;
    seqLenMax: number;
    forwardWeights: DirectionWeights;
    backwardWeights: DirectionWeights;
    forward: BlockLstmActivations;
    backward: BlockLstmActivations;
  },
  forwardHiddenGrad: Tensor3D,
  backwardHiddenGrad: Tensor3D,
  backwardGradInInputOrder: boolean,
): PairGradients | undefined {
  const graph = lstmGraphFor(tf);
  if (!graph) return undefined;
  const [bwGrad, xGrad] = backwardGradInInputOrder
    ? ['bw_grad_of_outputs', 'x_grad_of_outputs']
    : ['bw_grad', 'x_grad'];
  const outputs = tf.tidy(() => {
    const { initialState, peephole } = unusedInputs(tf, saved.x, saved.forwardWeights.bias);
    const feeds: Record<string, Tensor> = {
      x: saved.x,
      x_reversed: saved.reversedInput,
      lengths: saved.lengths,
      zero_state: initialState,
      zero_peephole: peephole,
      fw_kernel: saved.forwardWeights.kernel,
      fw_bias: saved.forwardWeights.bias,
      bw_kernel: saved.backwardWeights.kernel,
      bw_bias: saved.backwardWeights.bias,
      fw_hidden_grad: forwardHiddenGrad,
      bw_hidden_grad: backwardHiddenGrad,
    };
    activationList(saved.forward).forEach((tensor, i) => {
      feeds[FW.activations[i]!] = tensor;
    });
    activationList(saved.backward).forEach((tensor, i) => {
      feeds[BW.activations[i]!] = tensor;
    });
    // BlockLSTMGradV2 outputs: x, cs_prev, h_prev, w, wci, wcf, wco, b.
    const wanted = [`${xGrad}:0`, 'fw_grad:3', 'fw_grad:7', `${bwGrad}:3`, `${bwGrad}:7`];
    return runGraph(graph, feeds, wanted, saved.seqLenMax);
  });
  return {
    x: outputs[0] as Tensor3D,
    forwardKernel: outputs[1] as Tensor2D,
    forwardBias: outputs[2] as Tensor1D,
    backwardKernel: outputs[3] as Tensor2D,
    backwardBias: outputs[4] as Tensor1D,
  };
}
