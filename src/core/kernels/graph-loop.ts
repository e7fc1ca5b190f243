import { type Attr, DT_FLOAT, DT_INT32, DT_RESOURCE, type GraphNode, int32Constant } from './graph';

/**
 * A `while` loop in a hand-written GraphDef, in TensorFlow's own dataflow form (the form its
 * graph executor runs; `tf.while_loop` is lowered to it): each loop-carried tensor enters a
 * frame (`Enter`), meets its next value (`Merge` of the entry and `NextIteration`), and is routed
 * by the loop condition (`Switch`) either into the body or out of the loop (`Exit`). Tensors the
 * body only reads enter the frame once as constants. Per-iteration results go to TensorArrays
 * (written at the index the body gives, gathered into one `[iterations, …]` tensor after the
 * loop), as `tf.compat.v1.nn.dynamic_rnn` does. No function library is needed, so the graph
 * stays a flat list of nodes like the others in graph.ts.
 */

export interface LoopScope {
  /** The iteration counter inside the body: an int32 scalar counting from 0. */
  counter: string;
  /** An int32 scalar 0 inside the loop frame (an index or an axis). */
  zero: string;
  /** The loop-carried tensors' current values, in the order given. */
  carried: string[];
  /** The name inside the loop frame of a node given in `invariants`. */
  invariant(node: string): string;
  /** A unique node name inside this loop. */
  name(what: string): string;
}

export interface LoopBody {
  nodes: GraphNode[];
  /** The carried tensors' next values, in order. */
  next: string[];
  /** For each collected output (in order), the int32 index and the float value written this iteration. */
  collect: Array<{ index: string; value: string }>;
}

export interface LoopSpec {
  /** Prefix of every node name and the loop's frame name: unique in the graph. */
  name: string;
  /** An int32 scalar node: how many times the body runs (at least once). */
  iterations: string;
  /** Nodes the body reads but does not change, with their dtypes. */
  invariants: ReadonlyArray<{ node: string; dtype: number }>;
  /** Initial values of the loop-carried tensors, with their dtypes. */
  carried: ReadonlyArray<{ node: string; dtype: number }>;
  /** How many float outputs the body writes per iteration (each gathered after the loop). */
  collected: number;
  body: (scope: LoopScope) => LoopBody;
}

export interface LoopNodes {
  nodes: GraphNode[];
  /** `[0, iterations)` as an int32 vector, and an int32 scalar 0, outside the loop. */
  indices: string;
  zero: string;
  /** The carried tensors' values after the last iteration. */
  carried: string[];
  /** Each collected output as `[iterations, …]`, element `i` written by iteration `i`'s index. */
  collected: string[];
}

/** The nodes of the loop described by `spec`. */
export function whileLoop(spec: LoopSpec): LoopNodes {
  const name = (what: string) => `${spec.name}_${what}`;
  const typed = (dtype: number): Record<string, Attr> => ({ T: { type: dtype } });
  const enter = (node: string, input: string, dtype: number, constant: boolean): GraphNode => ({
    name: node,
    op: 'Enter',
    inputs: [input],
    attrs: {
      ...typed(dtype),
      frame_name: { string: spec.name },
      is_constant: { bool: constant },
      parallel_iterations: { int: 10 },
    },
  });
  const nodes: GraphNode[] = [int32Constant(name('zero'), 0), int32Constant(name('one'), 1)];

  // TensorArrays for the collected outputs: a resource handle (entered as a constant) and a
  // float "flow" that orders the writes (carried like any loop tensor).
  const arrays = Array.from({ length: spec.collected }, (_, k) => name(`array_${k}`));
  for (const array of arrays) {
    nodes.push({
      name: array,
      op: 'TensorArrayV3',
      inputs: [spec.iterations],
      attrs: {
        dtype: { type: DT_FLOAT },
        element_shape: 'unknownShape',
        dynamic_size: { bool: false },
        clear_after_read: { bool: true },
        identical_element_shapes: { bool: true },
        tensor_array_name: { string: '' },
      },
    });
  }

  const invariants = [
    ...spec.invariants,
    { node: name('zero'), dtype: DT_INT32 },
    { node: name('one'), dtype: DT_INT32 },
    { node: spec.iterations, dtype: DT_INT32 },
    ...arrays.map((array) => ({ node: `${array}:0`, dtype: DT_RESOURCE })),
  ];
  const entered = new Map<string, string>();
  invariants.forEach(({ node, dtype }, k) => {
    const inside = name(`invariant_${k}`);
    nodes.push(enter(inside, node, dtype, true));
    entered.set(node, inside);
  });
  const inFrame = (node: string) => {
    const inside = entered.get(node);
    if (!inside) throw new Error(`loop ${spec.name}: ${node} is not one of its invariants`);
    return inside;
  };

  // Carried: the counter, the caller's tensors, then one flow per TensorArray.
  const carried = [
    { node: name('zero'), dtype: DT_INT32 },
    ...spec.carried,
    ...arrays.map((array) => ({ node: `${array}:1`, dtype: DT_FLOAT })),
  ];
  const current = carried.map((_, k) => name(`current_${k}`));
  const merge = (k: number) => name(`merge_${k}`);
  const nextIteration = (k: number) => name(`next_${k}`);
  carried.forEach(({ node, dtype }, k) => {
    nodes.push(enter(name(`enter_${k}`), node, dtype, false), {
      name: merge(k),
      op: 'Merge',
      inputs: [name(`enter_${k}`), nextIteration(k)],
      attrs: { ...typed(dtype), N: { int: 2 } },
    });
  });
  nodes.push(
    { name: name('less'), op: 'Less', inputs: [merge(0), inFrame(spec.iterations)], attrs: typed(DT_INT32) },
    { name: name('condition'), op: 'LoopCond', inputs: [name('less')] },
  );
  carried.forEach(({ dtype }, k) => {
    nodes.push(
      { name: name(`switch_${k}`), op: 'Switch', inputs: [merge(k), name('condition')], attrs: typed(dtype) },
      { name: name(`exit_${k}`), op: 'Exit', inputs: [`${name(`switch_${k}`)}:0`], attrs: typed(dtype) },
      { name: current[k]!, op: 'Identity', inputs: [`${name(`switch_${k}`)}:1`], attrs: typed(dtype) },
    );
  });

  const userCarried = current.slice(1, 1 + spec.carried.length);
  const flows = current.slice(1 + spec.carried.length);
  const body = spec.body({
    counter: current[0]!,
    zero: inFrame(name('zero')),
    carried: userCarried,
    invariant: inFrame,
    name,
  });
  if (body.next.length !== spec.carried.length || body.collect.length !== spec.collected) {
    throw new Error(`loop ${spec.name}: the body gives the wrong number of next values or outputs`);
  }
  nodes.push(...body.nodes);
  const written = body.collect.map(
    ({ index, value }, k): GraphNode => ({
      name: name(`write_${k}`),
      op: 'TensorArrayWriteV3',
      inputs: [inFrame(`${arrays[k]}:0`), index, value, flows[k]!],
      attrs: typed(DT_FLOAT),
    }),
  );
  nodes.push(...written, {
    name: name('counter_next'),
    op: 'AddV2',
    inputs: [current[0]!, inFrame(name('one'))],
    attrs: typed(DT_INT32),
  });
  const nextValues = [name('counter_next'), ...body.next, ...written.map((w) => w.name)];
  carried.forEach(({ dtype }, k) => {
    nodes.push({
      name: nextIteration(k),
      op: 'NextIteration',
      inputs: [nextValues[k]!],
      attrs: typed(dtype),
    });
  });

  // After the loop: every TensorArray gathered in index order.
  nodes.push({
    name: name('indices'),
    op: 'Range',
    inputs: [name('zero'), spec.iterations, name('one')],
    attrs: { Tidx: { type: DT_INT32 } },
  });
  const collected = arrays.map((array, k) => {
    const gathered = name(`collected_${k}`);
    nodes.push({
      name: gathered,
      op: 'TensorArrayGatherV3',
      inputs: [`${array}:0`, name('indices'), name(`exit_${1 + spec.carried.length + k}`)],
      attrs: { dtype: { type: DT_FLOAT }, element_shape: 'unknownShape' },
    });
    return gathered;
  });
  return {
    nodes,
    indices: name('indices'),
    zero: name('zero'),
    carried: spec.carried.map((_, k) => name(`exit_${k + 1}`)),
    collected,
  };
}
