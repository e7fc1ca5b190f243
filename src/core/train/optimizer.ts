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

export interface ClippedSgdOptions {
  learningRate: number;
  /** Momentum μ of the velocity v' = μ·v + g (0: plain SGD). */
  momentum?: number;
  /** As for Adam: global-norm clipping, 0 or absent for none. */
  clipNorm?: number;
}

/** What the trainer needs of an optimiser: a step, a mutable learning rate and its state. */
export interface TrainingOptimizer {
  readonly iterations: number;
  learningRate: number;
  applyGradients(grads: Readonly<Record<string, Tensor>> | readonly Tensor[]): void;
  /** The state to checkpoint: the step count and each slot's values, flattened. */
  getWeights(): NamedWeight[];
  /** Restores `getWeights()` output; throws, changing nothing, when it does not fit. */
  setWeights(weights: readonly NamedWeight[]): void;
  dispose(): void;
}

/** Per-step scalars fed to the update graph, by placeholder name. */
type Scalars = Record<string, number>;

/** The new weights and slot values of one update, in variable order. */
interface Update {
  weights: Tensor[];
  slots: Tensor[][];
}

/**
 * An optimiser with global-norm gradient clipping over a fixed list of variables and per-variable
 * slots (Adam's two moments, SGD's velocity). The whole update (norm, scale, slots and the step
 * of every variable) is ONE TensorFlow graph run (see kernels/graph.ts): tf.train's optimisers
 * issue about a dozen eager ops per variable, each with its JavaScript overhead, one after the
 * other; the graph runs the per-variable updates side by side on TensorFlow's inter-op threads.
 * Where graphs are unavailable the same math runs as eager ops.
 *
 * A variable without a gradient in a step is treated as having a zero gradient.
 */
abstract class ClippedOptimizer implements TrainingOptimizer {
  protected readonly tf: TensorflowModule;
  private readonly sizes: number[];
  private readonly totalSize: number;
  private slots: Tensor[][];
  private iteration = 0;
  private readonly graph: GraphSession | undefined;

  protected constructor(
    protected readonly variables: readonly Variable[],
    /** Checkpoint names: `<prefix>/iteration` and `<prefix>/<slot>`. */
    private readonly prefix: string,
    private readonly slotNames: readonly string[],
    private rate: number,
    protected readonly clipNorm: number,
    graphNodes: GraphNode[],
  ) {
    const tf = loadTensorflow();
    this.tf = tf;
    if (variables.length === 0) throw new Error(`${prefix}: no variables to optimise`);
    this.sizes = variables.map((v) => v.size);
    this.totalSize = this.sizes.reduce((a, b) => a + b, 0);
    this.slots = slotNames.map(() => variables.map((v) => tf.keep(tf.zeros(v.shape))));
    const graph = graphsEnabled() ? loadGraphSession(tf, graphNodes) : undefined;
    this.graph = graph && !('reason' in graph) ? graph : undefined;
  }

  /** Steps taken so far. */
  get iterations(): number {
    return this.iteration;
  }

  get learningRate(): number {
    return this.rate;
  }

  /** Changes the step size from the next update on (learning-rate decay between epochs). */
  set learningRate(value: number) {
    this.rate = value;
  }

  /** The scalars of step `t` (1-based), named as the graph's placeholders. */
  protected abstract scalars(t: number): Scalars;

  /** The graph's math as eager ops, for backends without graph sessions. */
  protected abstract eagerStep(gradients: Tensor[], slots: Tensor[][], scalars: Scalars): Update;

  /**
   * One clipped step. `grads` maps variable names to gradients (what tf.variableGrads returns)
   * or lists them in the order of the variables. The gradients are not disposed.
   */
  applyGradients(grads: Readonly<Record<string, Tensor>> | readonly Tensor[]): void {
    const tf = this.tf;
    this.iteration++;
    const scalars = {
      ...this.scalars(this.iteration),
      // No clipping: a bound no norm reaches keeps the scale at 1.
      clip_norm: this.clipNorm > 0 ? this.clipNorm : FLOAT32_MAX,
    };
    const slots = tf.tidy(() => {
      const gradients = this.variables.map((variable, i) => {
        const grad = Array.isArray(grads) ? grads[i] : (grads as Record<string, Tensor>)[variable.name];
        if (!grad) return tf.zerosLike(variable);
        if (grad.size !== this.sizes[i]) {
          throw new Error(
            `${this.prefix}: gradient ${i} has shape [${grad.shape}], its variable [${variable.shape}]`,
          );
        }
        return grad;
      });
      const updated = this.graph
        ? this.graphStep(gradients, scalars)
        : this.eagerStep(gradients, this.slots, scalars);
      this.variables.forEach((variable, i) => {
        variable.assign(updated.weights[i]!);
      });
      // Kept: the caller may run this inside its own tidy.
      return updated.slots.map((slot) => slot.map((t) => tf.keep(t)));
    });
    tf.dispose(this.slots.flat());
    this.slots = slots;
  }

  private graphStep(gradients: Tensor[], scalars: Scalars): Update {
    const tf = this.tf;
    const feeds: Record<string, Tensor> = {};
    for (const [name, value] of Object.entries(scalars)) feeds[name] = tf.scalar(value, 'float32');
    this.variables.forEach((variable, i) => {
      feeds[`g${i}`] = gradients[i]!;
      feeds[`w${i}`] = variable;
      this.slotNames.forEach((slot, s) => {
        feeds[`${slot}${i}`] = this.slots[s]![i]!;
      });
    });
    const n = this.variables.length;
    const names = ['w', ...this.slotNames];
    const outputs = runGraph(
      this.graph!,
      feeds,
      names.flatMap((name) => Array.from({ length: n }, (_, i) => `${name}${i}_next:0`)),
    );
    return {
      weights: outputs.slice(0, n),
      slots: this.slotNames.map((_, s) => outputs.slice((s + 1) * n, (s + 2) * n)),
    };
  }

  /** Global-norm clipping as eager ops: the factor every gradient is multiplied by. */
  protected eagerClipScale(gradients: Tensor[], clipNorm: number): Tensor {
    const tf = this.tf;
    const norm = tf.sqrt(tf.addN(gradients.map((g) => tf.sum(tf.square(g)))));
    return tf.div(clipNorm, tf.maximum(norm, clipNorm));
  }

  getWeights(): NamedWeight[] {
    return [
      { name: `${this.prefix}/iteration`, shape: [1], data: Float32Array.of(this.iteration) },
      ...this.slotNames.map((slot, s) => ({
        name: `${this.prefix}/${slot}`,
        shape: [this.totalSize],
        data: flatten(this.slots[s]!, this.totalSize),
      })),
    ];
  }

  setWeights(weights: readonly NamedWeight[]): void {
    const byName = new Map(weights.map((w) => [w.name, w]));
    const iterationName = `${this.prefix}/iteration`;
    const iteration = byName.get(iterationName)?.data[0];
    const problems: string[] = [];
    if (iteration === undefined || !Number.isInteger(iteration) || iteration < 0)
      problems.push(`${iterationName} missing or invalid`);
    const values = this.slotNames.map((slot) => {
      const name = `${this.prefix}/${slot}`;
      const saved = byName.get(name);
      if (!saved) problems.push(`${name} missing`);
      else if (saved.data.length !== this.totalSize) {
        problems.push(`${name} holds ${saved.data.length} values, the variables ${this.totalSize}`);
      }
      return saved;
    });
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
    tf.dispose(this.slots.flat());
    this.slots = values.map((saved) => pieces(saved!.data));
  }

  dispose(): void {
    this.tf.dispose(this.slots.flat());
    this.slots = this.slotNames.map(() => []);
    if (this.graph) deleteGraphSession(this.graph);
  }
}

/**
 * Adam with global-norm clipping. The math is tf.train.adam's (bias-corrected moments, ε added
 * to √v̂), so results match it to float rounding.
 */
export class ClippedAdam extends ClippedOptimizer {
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;

  constructor(variables: readonly Variable[], options: ClippedAdamOptions) {
    super(
      variables,
      'adam',
      ['m', 'v'],
      options.learningRate,
      options.clipNorm ?? 0,
      adamGraph(variables.length),
    );
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-7;
  }

  protected scalars(t: number): Scalars {
    const { beta1, beta2 } = this;
    // The bias corrections folded into one factor and a rescaled ε:
    //   −lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε) = −lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε·√(1−β₂ᵗ)).
    const secondCorrection = Math.sqrt(1 - beta2 ** t);
    return {
      beta1,
      beta2,
      one_minus_beta1: 1 - beta1,
      one_minus_beta2: 1 - beta2,
      step_size: (-this.learningRate * secondCorrection) / (1 - beta1 ** t),
      epsilon: this.epsilon * secondCorrection,
    };
  }

  protected eagerStep(gradients: Tensor[], [m, v]: Tensor[][], s: Scalars): Update {
    const tf = this.tf;
    const scale = this.eagerClipScale(gradients, s.clip_norm!);
    const gradientWeight = tf.mul(scale, s.one_minus_beta1!);
    const squaredWeight = tf.mul(tf.square(scale), s.one_minus_beta2!);
    const firstMoments = gradients.map((g, i) => tf.add(tf.mul(m![i]!, s.beta1!), tf.mul(g, gradientWeight)));
    const secondMoments = gradients.map((g, i) =>
      tf.add(tf.mul(v![i]!, s.beta2!), tf.mul(tf.square(g), squaredWeight)),
    );
    const weights = this.variables.map((variable, i) =>
      tf.add(
        variable,
        tf.mul(tf.div(firstMoments[i]!, tf.add(tf.sqrt(secondMoments[i]!), s.epsilon!)), s.step_size!),
      ),
    );
    return { weights, slots: [firstMoments, secondMoments] };
  }
}

/**
 * SGD with momentum and global-norm clipping, the recipe of Ma & Hovy (2016): v' = μ·v + ĝ,
 * w' = w − lr·v', where ĝ is the clipped gradient. With μ = 0 it is plain SGD (Lample et al.).
 */
export class ClippedSgd extends ClippedOptimizer {
  private readonly momentum: number;

  constructor(variables: readonly Variable[], options: ClippedSgdOptions) {
    super(
      variables,
      'sgd',
      ['velocity'],
      options.learningRate,
      options.clipNorm ?? 0,
      sgdGraph(variables.length),
    );
    this.momentum = options.momentum ?? 0;
  }

  protected scalars(): Scalars {
    return { momentum: this.momentum, negative_rate: -this.learningRate };
  }

  protected eagerStep(gradients: Tensor[], [velocity]: Tensor[][], s: Scalars): Update {
    const tf = this.tf;
    const scale = this.eagerClipScale(gradients, s.clip_norm!);
    const velocities = gradients.map((g, i) => tf.add(tf.mul(velocity![i]!, s.momentum!), tf.mul(g, scale)));
    const weights = this.variables.map((variable, i) =>
      tf.add(variable, tf.mul(velocities[i]!, s.negative_rate!)),
    );
    return { weights, slots: [velocities] };
  }
}

const FLOAT32_MAX = 3.4028234663852886e38;

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

const floatOp = (name: string, type: string, ...inputs: string[]): GraphNode => ({
  name,
  op: type,
  inputs,
  attrs: FLOAT,
});

/**
 * The placeholders of an update graph over `count` variables (the named scalars, then g·, w·
 * and each slot per variable) and the clipping factor `scale` = clip / max(‖g‖, clip).
 */
function clippedUpdateInputs(
  count: number,
  scalars: readonly string[],
  slots: readonly string[],
): GraphNode[] {
  const indices = Array.from({ length: count }, (_, i) => i);
  return [
    ...[...scalars, 'clip_norm'].map((name) => placeholder(name, DT_FLOAT)),
    ...indices.flatMap((i) => ['g', 'w', ...slots].map((name) => placeholder(`${name}${i}`, DT_FLOAT))),
    // L2Loss is Σg²/2: one op per variable without reduction axes; the halves are added twice.
    ...indices.map((i) => floatOp(`half_squared_norm${i}`, 'L2Loss', `g${i}`)),
    {
      name: 'half_squared_norm',
      op: 'AddN',
      inputs: indices.map((i) => `half_squared_norm${i}`),
      attrs: { ...FLOAT, N: { int: count } },
    },
    floatOp('squared_norm', 'AddV2', 'half_squared_norm', 'half_squared_norm'),
    floatOp('norm', 'Sqrt', 'squared_norm'),
    floatOp('bounded_norm', 'Maximum', 'norm', 'clip_norm'),
    floatOp('scale', 'RealDiv', 'clip_norm', 'bounded_norm'),
  ];
}

/**
 * The clipped Adam step of `count` variables as a graph: placeholders g·, w·, m·, v· per
 * variable and the scalars of `ClippedAdam.scalars`; outputs w·_next, m·_next, v·_next.
 *   norm = √(Σ‖g‖²), scale = clip / max(norm, clip)
 *   m' = β₁m + (1−β₁)·scale·g,  v' = β₂v + (1−β₂)·scale²·g²,  w' = w + step · m' / (√v' + ε)
 */
function adamGraph(count: number): GraphNode[] {
  const op = floatOp;
  const nodes: GraphNode[] = [
    ...clippedUpdateInputs(
      count,
      ['beta1', 'beta2', 'one_minus_beta1', 'one_minus_beta2', 'step_size', 'epsilon'],
      ['m', 'v'],
    ),
    op('gradient_weight', 'Mul', 'scale', 'one_minus_beta1'),
    op('scale_squared', 'Square', 'scale'),
    op('squared_weight', 'Mul', 'scale_squared', 'one_minus_beta2'),
  ];
  for (let i = 0; i < count; i++) {
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

/**
 * The clipped momentum SGD step as a graph: placeholders g·, w·, velocity· per variable and
 * `momentum`, `negative_rate`; outputs w·_next, velocity·_next.
 *   velocity' = μ·velocity + scale·g,  w' = w − lr·velocity'
 */
function sgdGraph(count: number): GraphNode[] {
  const op = floatOp;
  const nodes = clippedUpdateInputs(count, ['momentum', 'negative_rate'], ['velocity']);
  for (let i = 0; i < count; i++) {
    nodes.push(
      op(`velocity${i}_decayed`, 'Mul', `velocity${i}`, 'momentum'),
      op(`g${i}_scaled`, 'Mul', `g${i}`, 'scale'),
      op(`velocity${i}_next`, 'AddV2', `velocity${i}_decayed`, `g${i}_scaled`),
      op(`w${i}_step`, 'Mul', `velocity${i}_next`, 'negative_rate'),
      op(`w${i}_next`, 'AddV2', `w${i}`, `w${i}_step`),
    );
  }
  return nodes;
}
