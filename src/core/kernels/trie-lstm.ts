import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-node';
import type { TensorflowModule } from '../backend';
import type { CharTrie } from '../encode/char-trie';
import {
  blockLstmNode,
  concatNode,
  type DirectionWeights,
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
  runGraph,
} from './graph';

/**
 * The final states of a char BiLSTM over tries of words (src/core/encode/char-trie.ts), as one
 * graph run: per level, each node's LSTM step starts from its parent's state (`BlockLSTMV2`
 * over one step, initial state gathered from the previous level), the forward direction over
 * the prefix trie and the backward one over the suffix trie side by side. The same arithmetic
 * as running each word through the LSTM, once per distinct prefix or suffix instead of once per
 * char (and no padding): inference only, there is no gradient.
 */

/** Node names of one direction at level `t`. */
const ids = (d: string, t: number) => `${d}_ids_${t}`;
const parents = (d: string, t: number) => `${d}_parents_${t}`;

function trieGraph(levels: number): GraphNode[] {
  const nodes: GraphNode[] = [
    placeholder('char_embedding', DT_FLOAT),
    placeholder('zero_peephole', DT_FLOAT),
    placeholder('axis_0', DT_INT32),
    placeholder('axis_1', DT_INT32),
    placeholder('state_shape', DT_INT32),
    placeholder('seq_len_max', DT_INT64),
  ];
  for (const d of ['fw', 'bw']) {
    nodes.push(
      placeholder(`${d}_kernel`, DT_FLOAT),
      placeholder(`${d}_bias`, DT_FLOAT),
      placeholder(`${d}_zero_state`, DT_FLOAT),
      placeholder(`${d}_final`, DT_INT32),
    );
    for (let t = 0; t < levels; t++) {
      nodes.push(placeholder(ids(d, t), DT_INT32));
      const [cellPrev, hiddenPrev] =
        t === 0 ? [`${d}_zero_state`, `${d}_zero_state`] : [`${d}_cell_prev_${t}`, `${d}_hidden_prev_${t}`];
      if (t > 0) {
        nodes.push(
          placeholder(parents(d, t), DT_INT32),
          gatherNode(cellPrev, `${d}_cell_${t - 1}`, parents(d, t)),
          gatherNode(hiddenPrev, `${d}_hidden_${t - 1}`, parents(d, t)),
        );
      }
      nodes.push(
        gatherNode(`${d}_chars_${t}`, 'char_embedding', ids(d, t)),
        {
          name: `${d}_x_${t}`,
          op: 'ExpandDims',
          inputs: [`${d}_chars_${t}`, 'axis_0'],
          attrs: { ...FLOAT, Tdim: { type: DT_INT32 } },
        },
        blockLstmNode(
          `${d}_lstm_${t}`,
          `${d}_x_${t}`,
          { kernel: `${d}_kernel`, bias: `${d}_bias` },
          { cell: cellPrev, hidden: hiddenPrev },
        ),
        // Outputs 1 and 6 are the cell and hidden states, [1, nodes, hidden].
        reshapeNode(`${d}_cell_${t}`, `${d}_lstm_${t}:1`, 'state_shape'),
        reshapeNode(`${d}_hidden_${t}`, `${d}_lstm_${t}:6`, 'state_shape'),
      );
    }
    nodes.push(
      concatNode(
        `${d}_all`,
        Array.from({ length: levels }, (_, t) => `${d}_hidden_${t}`),
        'axis_0',
      ),
      gatherNode(`${d}_states`, `${d}_all`, `${d}_final`),
    );
  }
  nodes.push(concatNode('states', ['fw_states', 'bw_states'], 'axis_1'));
  return nodes;
}

/** One graph per number of levels (the model's longest word, in chars). */
const trieGraphs = new GraphSessions((levels) => trieGraph(Number(levels)));

/** Whether the trie graph of `levels` levels runs here, or why not. */
export function trieGraphSupport(tf: TensorflowModule, levels: number): GraphSupport {
  return trieGraphs.support(tf, String(levels));
}

/**
 * `[words, 2 * hidden]`: each word's forward state after its last char, then its backward state
 * after its first char, like `bidirectionalFinalStates` over the same words. Undefined where
 * graphs cannot run (the caller runs the padded buckets instead).
 */
export function trieBidirectionalFinalStates(
  tf: TensorflowModule,
  charEmbedding: Tensor2D,
  tries: { forward: CharTrie; backward: CharTrie },
  forwardWeights: DirectionWeights,
  backwardWeights: DirectionWeights,
): Tensor2D | undefined {
  const levels = Math.max(tries.forward.levels.length, tries.backward.levels.length);
  if (levels === 0) return undefined;
  const graph = trieGraphs.get(tf, String(levels));
  if (!graph) return undefined;
  const hidden = forwardWeights.bias.shape[0] / 4;
  return tf.tidy(() => {
    const feeds: Record<string, Tensor> = {
      char_embedding: charEmbedding,
      zero_peephole: tf.zeros([hidden]),
      axis_0: tf.scalar(0, 'int32'),
      axis_1: tf.scalar(1, 'int32'),
      state_shape: tf.tensor1d([-1, hidden], 'int32'),
    };
    const direction = (d: 'fw' | 'bw', trie: CharTrie, weights: DirectionWeights) => {
      feeds[`${d}_kernel`] = weights.kernel;
      feeds[`${d}_bias`] = weights.bias as Tensor1D;
      feeds[`${d}_zero_state`] = tf.zeros([trie.levels[0]!.charIds.length, hidden]);
      feeds[`${d}_final`] = tf.tensor1d(trie.finalNodes, 'int32');
      trie.levels.forEach((level, t) => {
        feeds[ids(d, t)] = tf.tensor1d(level.charIds, 'int32');
        if (t > 0) feeds[parents(d, t)] = tf.tensor1d(level.parents, 'int32');
      });
    };
    direction('fw', tries.forward, forwardWeights);
    direction('bw', tries.backward, backwardWeights);
    return runGraph(graph, feeds, ['states:0'], 1)[0] as Tensor2D;
  });
}
