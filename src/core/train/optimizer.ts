import type { Tensor, Variable } from '@tensorflow/tfjs-node';
import { loadTensorflow, type TensorflowModule } from '../backend';
import {
  DT_FLOAT,
  deleteGraphSession,
  FLOAT,
  type GraphNode,
  type GraphSession,
  graphsEnabled,
  loadGraphSession,
  placeholder,
  runGraph,
} from '../kernels/graph';
import type { NamedWeight } from '../model/io';

export interface ClippedAdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  /** Added to √v̂; default 1e-7, tf.train.adam's float32 default. */
  epsilon?: number;
  /** Gradients are rescaled so their global norm is at most this; 0 or absent: no clipping. */
  clipNorm?: number;
}

/** Names of the saved state (see `getWeights`). */
const ITERATION = 'adam/iteration';
const FIRST_MOMENT = 'adam/m';
const SECOND_MOMENT = 'adam/v';

/**
 * Adam with global-norm clipping for a fixed list of variables. The math is tf.train.adam's
 * (bias-corrected moments, ε added to √v̂), so results match it to float rounding.
 *
 * The whole update (norm, scale, both moments and the step of every variable) is ONE TensorFlow
 * graph run (see kernels/graph.ts): tf.train.adam issues about a dozen eager ops per variable,
 * each with its JavaScript overhead, one after the other; the graph runs the per-variable
 * updates side by side on TensorFlow's inter-op threads. Where graphs are unavailable the same
 * math runs as eager ops.
 *
 * A variable without a gradient in a step is treated as having a zero gradient (its moments
 * decay and it keeps moving along m), where tf.train.adam would skip it.
 */
export class ClippedAdam {
  private readonly tf: TensorflowModule;
  private readonly sizes: number[];
  private readonly totalSize: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private firstMoments: Tensor[];
  private secondMoments: Tensor[];
  private iteration = 0;
  private readonly graph: GraphSession | undefined;

  constructor(
    private readonly variables: readonly Variable[],
    private options: ClippedAdamOptions,
  ) {
    const tf = loadTensorflow();
    this.tf = tf;
    if (variables.length === 0) throw new Error('ClippedAdam: no variables to optimise');
    this.sizes = variables.map((v) => v.size);
    this.totalSize = this.sizes.reduce((a, b) => a + b, 0);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-7;
    this.firstMoments = variables.map((v) => tf.keep(tf.zeros(v.shape)));
    this.secondMoments = variables.map((v) => tf.keep(tf.zeros(v.shape)));
    const graph = graphsEnabled() ? loadGraphSession(tf, adamGraph(variables.length)) : undefined;
    this.graph = graph && !('reason' in graph) ? graph : undefined;
  }

  /** Steps taken so far. */
  get iterations(): number {
    return this.iteration;
  }

  /**
   * One clipped Adam step. `grads` maps variable names to gradients (what tf.variableGrads
   * returns) or lists them in the order of the variables. The gradients are not disposed.
   */
  applyGradients(grads: Readonly<Record<string, Tensor>> | readonly Tensor[]): void {
    const tf = this.tf;
    this.iteration++;
    const t = this.iteration;
    const { beta1, beta2 } = this;
    // The bias corrections folded into one factor and a rescaled ε:
    //   −lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε) = −lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε·√(1−β₂ᵗ)).
    const secondCorrection = Math.sqrt(1 - beta2 ** t);
    const scalars = {
      beta1,
      beta2,
      one_minus_beta1: 1 - beta1,
      one_minus_beta2: 1 - beta2,
      step_size: (-this.options.learningRate * secondCorrection) / (1 - beta1 ** t),
      epsilon: this.epsilon * secondCorrection,
      // No clipping: a bound no norm reaches keeps the scale at 1.
      clip_norm: (this.options.clipNorm ?? 0) > 0 ? this.options.clipNorm! : FLOAT32_MAX,
    };
    const [firstMoments, secondMoments] = tf.tidy(() => {
      const gradients = this.variables.map((variable, i) => {
        const grad = Array.isArray(grads) ? grads[i] : (grads as Record<string, Tensor>)[variable.name];
        if (!grad) return tf.zerosLike(variable);
        if (grad.size !== this.sizes[i]) {
          throw new Error(
            `ClippedAdam: gradient ${i} has shape [${grad.shape}], its variable [${variable.shape}]`,
          );
        }
        return grad;
      });
      const updated = this.graph ? this.graphStep(gradients, scalars) : this.eagerStep(gradients, scalars);
      this.variables.forEach((variable, i) => {
        variable.assign(updated.weights[i]!);
      });
      // Kept: the caller may run this inside its own tidy.
      return [updated.firstMoments.map((m) => tf.keep(m)), updated.secondMoments.map((v) => tf.keep(v))];
    });
    tf.dispose([...this.firstMoments, ...this.secondMoments]);
    this.firstMoments = firstMoments!;
    this.secondMoments = secondMoments!;
  }

  private graphStep(gradients: Tensor[], scalars: AdamScalars): AdamUpdate {
    const tf = this.tf;
    const feeds: Record<string, Tensor> = {};
    for (const [name, value] of Object.entries(scalars)) feeds[name] = tf.scalar(value, 'float32');
    this.variables.forEach((variable, i) => {
      feeds[`g${i}`] = gradients[i]!;
      feeds[`w${i}`] = variable;
      feeds[`m${i}`] = this.firstMoments[i]!;
      feeds[`v${i}`] = this.secondMoments[i]!;
    });
    const n = this.variables.length;
    const outputs = runGraph(this.graph!, feeds, [
      ...Array.from({ length: n }, (_, i) => `w${i}_next:0`),
      ...Array.from({ length: n }, (_, i) => `m${i}_next:0`),
      ...Array.from({ length: n }, (_, i) => `v${i}_next:0`),
    ]);
    return {
      weights: outputs.slice(0, n),
      firstMoments: outputs.slice(n, 2 * n),
      secondMoments: outputs.slice(2 * n),
    };
  }

  /** The graph's math as eager ops, for backends without graph sessions. */
  private eagerStep(gradients: Tensor[], s: AdamScalars): AdamUpdate {
    const tf = this.tf;
    const norm = tf.sqrt(tf.addN(gradients.map((g) => tf.sum(tf.square(g)))));
    const scale = tf.div(s.clip_norm, tf.maximum(norm, s.clip_norm));
    const gradientWeight = tf.mul(scale, s.one_minus_beta1);
    const squaredWeight = tf.mul(tf.square(scale), s.one_minus_beta2);
    const firstMoments = gradients.map((g, i) =>
      tf.add(tf.mul(this.firstMoments[i]!, s.beta1), tf.mul(g, gradientWeight)),
    );
    const secondMoments = gradients.map((g, i) =>
      tf.add(tf.mul(this.secondMoments[i]!, s.beta2), tf.mul(tf.square(g), squaredWeight)),
    );
    const weights = this.variables.map((variable, i) =>
      tf.add(
        variable,
        tf.mul(tf.div(firstMoments[i]!, tf.add(tf.sqrt(secondMoments[i]!), s.epsilon)), s.step_size),
      ),
    );
    return { weights, firstMoments, secondMoments };
  }

  /** The state to checkpoint: step count and the flat moments. */
  get learningRate(): number {
    return this.options.learningRate;
  }

  /** Changes the step size from the next update on (learning-rate decay between epochs). */
  set learningRate(value: number) {
    this.options = { ...this.options, learningRate: value };
  }

  getWeights(): NamedWeight[] {
    return [
      { name: ITERATION, shape: [1], data: Float32Array.of(this.iteration) },
      { name: FIRST_MOMENT, shape: [this.totalSize], data: flatten(this.firstMoments, this.totalSize) },
      { name: SECOND_MOMENT, shape: [this.totalSize], data: flatten(this.secondMoments, this.totalSize) },
    ];
  }

  /** Restores `getWeights()` output; throws, changing nothing, when it does not fit these variables. */
  setWeights(weights: readonly NamedWeight[]): void {
    const byName = new Map(weights.map((w) => [w.name, w]));
    const iteration = byName.get(ITERATION)?.data[0];
    const m = byName.get(FIRST_MOMENT);
    const v = byName.get(SECOND_MOMENT);
    const problems: string[] = [];
    if (iteration === undefined || !Number.isInteger(iteration) || iteration < 0)
      problems.push(`${ITERATION} missing or invalid`);
    for (const [name, moment] of [
      [FIRST_MOMENT, m],
      [SECOND_MOMENT, v],
    ] as const) {
      if (!moment) problems.push(`${name} missing`);
      else if (moment.data.length !== this.totalSize) {
        problems.push(`${name} holds ${moment.data.length} values, the variables ${this.totalSize}`);
      }
    }
    if (problems.length > 0) throw new Error(`optimizer state does not fit: ${problems.join('; ')}`);
    this.iteration = iteration!;
    const tf = this.tf;
    const pieces = (flat: Float32Array) => {
      let offset = 0;
      return this.variables.map((variable) => {
        const piece = flat.subarray(offset, offset + variable.size);
        offset += variable.size;
        return tf.keep(tf.tensor(piece, variable.shape, 'float32'));
      });
    };
    tf.dispose([...this.firstMoments, ...this.secondMoments]);
    this.firstMoments = pieces(m!.data);
    this.secondMoments = pieces(v!.data);
  }

  dispose(): void {
    this.tf.dispose([...this.firstMoments, ...this.secondMoments]);
    this.firstMoments = [];
    this.secondMoments = [];
    if (this.graph) deleteGraphSession(this.graph);
  }
}

const FLOAT32_MAX = 3.4028234663852886e38;

/** The per-step scalars, named as the graph's placeholders. */
interface AdamScalars {
  beta1: number;
  beta2: number;
  one_minus_beta1: number;
  one_minus_beta2: number;
  step_size: number;
  epsilon: number;
  clip_norm: number;
}

interface AdamUpdate {
  weights: Tensor[];
  firstMoments: Tensor[];
  secondMoments: Tensor[];
}

/** Per-variable tensors concatenated into one array (the checkpoint layout). */
function flatten(tensors: readonly Tensor[], totalSize: number): Float32Array {
  const flat = new Float32Array(totalSize);
  let offset = 0;
  for (const tensor of tensors) {
    flat.set(tensor.dataSync() as Float32Array, offset);
    offset += tensor.size;
  }
  return flat;
}

/**
 * The clipped Adam step of `count` variables as a graph: placeholders g·, w·, m·, v· per
 * variable and the scalars of `AdamScalars`; outputs w·_next, m·_next, v·_next.
 *   norm = √(Σ‖g‖²), scale = clip / max(norm, clip)
 *   m' = β₁m + (1−β₁)·scale·g,  v' = β₂v + (1−β₂)·scale²·g²,  w' = w + step · m' / (√v' + ε)
 */
function adamGraph(count: number): GraphNode[] {
  const op = (name: string, type: string, ...inputs: string[]): GraphNode => ({
    name,
    op: type,
    inputs,
    attrs: FLOAT,
  });
  const indices = Array.from({ length: count }, (_, i) => i);
  const nodes: GraphNode[] = [
    ...['beta1', 'beta2', 'one_minus_beta1', 'one_minus_beta2', 'step_size', 'epsilon', 'clip_norm'].map(
      (name) => placeholder(name, DT_FLOAT),
    ),
    ...indices.flatMap((i) =>
      [`g${i}`, `w${i}`, `m${i}`, `v${i}`].map((name) => placeholder(name, DT_FLOAT)),
    ),
    // L2Loss is Σg²/2: one op per variable without reduction axes; the halves are added twice.
    ...indices.map((i) => op(`half_squared_norm${i}`, 'L2Loss', `g${i}`)),
    {
      name: 'half_squared_norm',
      op: 'AddN',
      inputs: indices.map((i) => `half_squared_norm${i}`),
      attrs: { ...FLOAT, N: { int: count } },
    },
    op('squared_norm', 'AddV2', 'half_squared_norm', 'half_squared_norm'),
    op('norm', 'Sqrt', 'squared_norm'),
    op('bounded_norm', 'Maximum', 'norm', 'clip_norm'),
    op('scale', 'RealDiv', 'clip_norm', 'bounded_norm'),
    op('gradient_weight', 'Mul', 'scale', 'one_minus_beta1'),
    op('scale_squared', 'Square', 'scale'),
    op('squared_weight', 'Mul', 'scale_squared', 'one_minus_beta2'),
  ];
  for (const i of indices) {
    nodes.push(
      op(`m${i}_decayed`, 'Mul', `m${i}`, 'beta1'),
      op(`g${i}_weighted`, 'Mul', `g${i}`, 'gradient_weight'),
      op(`m${i}_next`, 'AddV2', `m${i}_decayed`, `g${i}_weighted`),
      op(`v${i}_decayed`, 'Mul', `v${i}`, 'beta2'),
      op(`g${i}_squared`, 'Square', `g${i}`),
      op(`g${i}_squared_weighted`, 'Mul', `g${i}_squared`, 'squared_weight'),
      op(`v${i}_next`, 'AddV2', `v${i}_decayed`, `g${i}_squared_weighted`),
      op(`v${i}_root`, 'Sqrt', `v${i}_next`),
      op(`v${i}_denominator`, 'AddV2', `v${i}_root`, 'epsilon'),
      op(`w${i}_ratio`, 'RealDiv', `m${i}_next`, `v${i}_denominator`),
      op(`w${i}_step`, 'Mul', `w${i}_ratio`, 'step_size'),
      op(`w${i}_next`, 'AddV2', `w${i}`, `w${i}_step`),
    );
  }
  return nodes;
}
