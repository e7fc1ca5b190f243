import type { Tensor, Tensor2D } from '@tensorflow/tfjs-node';
import type { TensorflowModule } from '../backend';
import type { CharTrie } from '../encode/char-trie';
import { type Cell, weightTensors } from './cell';
import { cellFor } from './cells';
import {
  concatNode,
  DT_FLOAT,
  DT_INT32,
  type GraphNode,
  GraphSessions,
  type GraphSupport,
  gatherNode,
  placeholder,
  runGraph,
} from './graph';
import type { CellKind, CellWeights } from './types';

/**
 * The final states of a char-level bidirectional layer (LSTM or GRU) over tries of words
 * (src/core/encode/char-trie.ts), as one graph run: per level, each node's step starts from its
 * parent's states (one cell step, states gathered from the previous level), the forward
 * direction over the prefix trie and the backward one over the suffix trie side by side. The
 * same arithmetic as running each word through the layer, once per distinct prefix or suffix
 * instead of once per char (and no padding): inference only, there is no gradient.
 */

/** Node names of one direction at level `t`. */
const ids = (d: string, t: number) => `${d}_ids_${t}`;
const parents = (d: string, t: number) => `${d}_parents_${t}`;
const weightNodes = (cell: Cell, d: string) => cell.parts.map((part) => `${d}_${part}`);

function trieGraph(cell: Cell, levels: number): GraphNode[] {
  const nodes: GraphNode[] = [
    placeholder('char_embedding', DT_FLOAT),
    ...cell.graph.constants.map((name) => placeholder(name, DT_FLOAT)),
    placeholder('axis_0', DT_INT32),
    placeholder('axis_1', DT_INT32),
  ];
  for (const d of ['fw', 'bw']) {
    const weights = weightNodes(cell, d);
    nodes.push(
      ...weights.map((name) => placeholder(name, DT_FLOAT)),
      placeholder(`${d}_zero_state`, DT_FLOAT),
      placeholder(`${d}_final`, DT_INT32),
    );
    let states: string[] = Array.from({ length: cell.graph.stateCount }, () => `${d}_zero_state`);
    const hidden: string[] = [];
    for (let t = 0; t < levels; t++) {
      nodes.push(placeholder(ids(d, t), DT_INT32));
      if (t > 0) {
        nodes.push(placeholder(parents(d, t), DT_INT32));
        states = states.map((state, k) => {
          const name = `${d}_previous_${k}_${t}`;
          nodes.push(gatherNode(name, state, parents(d, t)));
          return name;
        });
      }
      nodes.push(gatherNode(`${d}_chars_${t}`, 'char_embedding', ids(d, t)));
      const step = cell.graph.step(`${d}_step_${t}`, `${d}_chars_${t}`, weights, states);
      nodes.push(...step.nodes);
      states = step.states;
      hidden.push(step.hidden);
    }
    nodes.push(concatNode(`${d}_all`, hidden, 'axis_0'), gatherNode(`${d}_states`, `${d}_all`, `${d}_final`));
  }
  nodes.push(concatNode('states', ['fw_states', 'bw_states'], 'axis_1'));
  return nodes;
}

/** One graph per cell and number of levels (the model's longest word, in chars). */
const trieGraphs = new GraphSessions((key) => {
  const [kind, levels] = key.split('/');
  return trieGraph(cellFor(kind as CellKind), Number(levels));
});
const graphKey = (kind: CellKind, levels: number) => `${kind}/${levels}`;

/** Whether the trie graph of a cell with `levels` levels runs here, or why not. */
export function trieGraphSupport(tf: TensorflowModule, kind: CellKind, levels: number): GraphSupport {
  return trieGraphs.support(tf, graphKey(kind, levels));
}

/**
 * `[words, 2 * hidden]`: each word's forward state after its last char, then its backward state
 * after its first char, like `bidirectionalFinalStates` over the same words. Undefined where
 * graphs cannot run (the caller runs the padded buckets instead).
 */
export function trieBidirectionalFinalStates<W extends CellWeights>(
  tf: TensorflowModule,
  cell: Cell<W>,
  charEmbedding: Tensor2D,
  tries: { forward: CharTrie; backward: CharTrie },
  forwardWeights: W,
  backwardWeights: W,
): Tensor2D | undefined {
  const levels = Math.max(tries.forward.levels.length, tries.backward.levels.length);
  if (levels === 0) return undefined;
  const graph = trieGraphs.get(tf, graphKey(cell.kind, levels));
  if (!graph) return undefined;
  const hidden = cell.hiddenSize(forwardWeights);
  return tf.tidy(() => {
    const feeds: Record<string, Tensor> = {
      char_embedding: charEmbedding,
      ...cell.graph.constantFeeds(tf, hidden),
      axis_0: tf.scalar(0, 'int32'),
      axis_1: tf.scalar(1, 'int32'),
    };
    const direction = (d: 'fw' | 'bw', trie: CharTrie, weights: W) => {
      const names = weightNodes(cell, d);
      weightTensors(cell, weights).forEach((tensor, i) => {
        feeds[names[i]!] = tensor;
      });
      feeds[`${d}_zero_state`] = tf.zeros([trie.levels[0]!.charIds.length, hidden]);
      feeds[`${d}_final`] = tf.tensor1d(trie.finalNodes, 'int32');
      trie.levels.forEach((level, t) => {
        feeds[ids(d, t)] = tf.tensor1d(level.charIds, 'int32');
        if (t > 0) feeds[parents(d, t)] = tf.tensor1d(level.parents, 'int32');
      });
    };
    direction('fw', tries.forward, forwardWeights);
    direction('bw', tries.backward, backwardWeights);
    return runGraph(graph, feeds, ['states:0'])[0] as Tensor2D;
  });
}
