import type { Tensor, Tensor1D, Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';
import type { TensorflowModule } from '../backend';
import { type Cell, weightTensors } from '../kernels/cell';
import { cellFor } from '../kernels/cells';
import {
  concatNode,
  DT_FLOAT,
  DT_INT32,
  DT_INT64,
  FLOAT,
  type GraphNode,
  GraphSessions,
  type GraphSupport,
  gatherNode,
  placeholder,
  reshapeNode,
  reverseNode,
  runGraph,
} from '../kernels/graph';
import type { CellKind, CellWeights } from '../kernels/types';

/**
 * The tagger network's inference pass from token indices to emission scores as ONE graph run
 * per batch: embedding lookups, the stacked bidirectional layers (LSTM or GRU; each layer's two
 * directions side by side), the dense layer. Eagerly the same work is ~30 small ops per batch, each waiting for the
 * previous one and each a round trip through tfjs; here TensorFlow's executor runs them with no
 * JavaScript in between. Padding is not zeroed between layers: a row's real steps never read its
 * padded ones (the backward direction reverses each row within its length), and the caller reads
 * only real steps.
 */

const INT32 = { type: DT_INT32 };
const layerWeights = (cell: Cell, layer: number, direction: 'fw' | 'bw') =>
  cell.parts.map((part) => `layer_${layer}_${direction}_${part}`);

function inferenceGraph(cell: Cell, layers: number, casing: boolean): GraphNode[] {
  const floats = [
    'word_embedding',
    'char_states',
    'zero_state',
    ...cell.graph.constants,
    'dense_kernel',
    'dense_bias',
  ];
  if (casing) floats.push('casing_embedding');
  for (let l = 0; l < layers; l++)
    for (const d of ['fw', 'bw'] as const) floats.push(...layerWeights(cell, l, d));
  const ints = [
    'word_ids',
    'token_rows',
    'lengths',
    'axis_0',
    'axis_2',
    'flat_shape',
    'emission_shape',
    'batch_major',
  ];
  if (casing) ints.push('casing_ids');
  const nodes: GraphNode[] = [
    ...floats.map((name) => placeholder(name, DT_FLOAT)),
    ...ints.map((name) => placeholder(name, DT_INT32)),
    placeholder('seq_len_max', DT_INT64),
    gatherNode('words', 'word_embedding', 'word_ids'),
    gatherNode('chars', 'char_states', 'token_rows'),
  ];
  const parts = ['words', 'chars'];
  if (casing) {
    nodes.push(gatherNode('casings', 'casing_embedding', 'casing_ids'));
    parts.push('casings');
  }
  nodes.push(concatNode('layer_0_input', parts, 'axis_2'));
  let x = 'layer_0_input';
  for (let l = 0; l < layers; l++) {
    const name = (what: string) => `layer_${l}_${what}`;
    const forward = cell.graph.forward(name('fw'), x, layerWeights(cell, l, 'fw'), 'hidden');
    const backward = cell.graph.forward(name('bw'), name('reversed'), layerWeights(cell, l, 'bw'), 'hidden');
    nodes.push(
      reverseNode(name('reversed'), x),
      ...forward.nodes,
      ...backward.nodes,
      reverseNode(name('bw_outputs'), backward.hidden),
      concatNode(name('outputs'), [forward.hidden, name('bw_outputs')], 'axis_2'),
    );
    x = name('outputs');
  }
  nodes.push(
    reshapeNode('flat', x, 'flat_shape'),
    {
      name: 'scores',
      op: 'MatMul',
      inputs: ['flat', 'dense_kernel'],
      attrs: { ...FLOAT, transpose_a: { bool: false }, transpose_b: { bool: false } },
    },
    { name: 'biased', op: 'BiasAdd', inputs: ['scores', 'dense_bias'], attrs: FLOAT },
    reshapeNode('time_major', 'biased', 'emission_shape'),
    {
      name: 'emissions',
      op: 'Transpose',
      inputs: ['time_major', 'batch_major'],
      attrs: { ...FLOAT, Tperm: INT32 },
    },
    { name: 'probabilities', op: 'Softmax', inputs: ['emissions'], attrs: FLOAT },
  );
  return nodes;
}

/** One graph per network shape: its cell, its number of layers, and whether it has a casing embedding. */
const inferenceGraphs = new GraphSessions((key) => {
  const [kind, layers, casing] = key.split('/');
  return inferenceGraph(cellFor(kind as CellKind), Number(layers), casing === 'casing');
});
const shapeKey = (kind: CellKind, layers: number, casing: boolean) =>
  `${kind}/${layers}/${casing ? 'casing' : 'no-casing'}`;

/** Whether the inference graph of a network shape runs here, or why not. */
export function inferenceGraphSupport(
  tf: TensorflowModule,
  kind: CellKind,
  layers: number,
  casing: boolean,
): GraphSupport {
  return inferenceGraphs.support(tf, shapeKey(kind, layers, casing));
}

export interface InferenceInputs {
  /** Time-major `[time, batch]` indices. */
  wordIds: Int32Array;
  tokenRows: Int32Array;
  casingIds?: Int32Array;
  lengths: Int32Array;
  maxLength: number;
}

export interface InferenceWeights<W extends CellWeights = CellWeights> {
  cell: Cell<W>;
  wordEmbedding: Tensor2D;
  casingEmbedding?: Tensor2D;
  /** The char BiLSTM states the batch's `tokenRows` index (asked for only when the graph runs). */
  charStates: () => Tensor2D;
  layers: Array<{ forward: W; backward: W }>;
  denseKernel: Tensor2D;
  denseBias: Tensor1D;
}

/**
 * Batch-major `[batch, time, labels]` emission scores, or their softmax with `probabilities`.
 * Undefined where graphs cannot run (the caller runs the eager ops then).
 */
export function inferenceEmissions<W extends CellWeights>(
  tf: TensorflowModule,
  inputs: InferenceInputs,
  weights: InferenceWeights<W>,
  output: 'emissions' | 'probabilities',
): Tensor3D | undefined {
  const { cell } = weights;
  const casing = weights.casingEmbedding !== undefined && inputs.casingIds !== undefined;
  const graph = inferenceGraphs.get(tf, shapeKey(cell.kind, weights.layers.length, casing));
  if (!graph) return undefined;
  const batchSize = inputs.lengths.length;
  const { maxLength } = inputs;
  const hidden = cell.hiddenSize(weights.layers[0]!.forward);
  const labels = weights.denseBias.shape[0];
  return tf.tidy(() => {
    const indices = (values: Int32Array) => tf.tensor2d(values, [maxLength, batchSize], 'int32');
    const feeds: Record<string, Tensor> = {
      word_embedding: weights.wordEmbedding,
      char_states: weights.charStates(),
      dense_kernel: weights.denseKernel,
      dense_bias: weights.denseBias,
      zero_state: tf.zeros([batchSize, hidden]),
      ...cell.graph.constantFeeds(tf, hidden),
      word_ids: indices(inputs.wordIds),
      token_rows: indices(inputs.tokenRows),
      lengths: tf.tensor1d(inputs.lengths, 'int32'),
      axis_0: tf.scalar(0, 'int32'),
      axis_2: tf.scalar(2, 'int32'),
      flat_shape: tf.tensor1d([maxLength * batchSize, 2 * hidden], 'int32'),
      emission_shape: tf.tensor1d([maxLength, batchSize, labels], 'int32'),
      batch_major: tf.tensor1d([1, 0, 2], 'int32'),
    };
    if (casing) {
      feeds.casing_embedding = weights.casingEmbedding!;
      feeds.casing_ids = indices(inputs.casingIds!);
    }
    weights.layers.forEach((layer, l) => {
      for (const [d, direction] of [
        ['fw', layer.forward],
        ['bw', layer.backward],
      ] as const) {
        const names = layerWeights(cell, l, d);
        weightTensors(cell, direction).forEach((tensor, i) => {
          feeds[names[i]!] = tensor;
        });
      }
    });
    return runGraph(graph, feeds, [`${output}:0`], Math.max(1, ...inputs.lengths))[0] as Tensor3D;
  });
}
