import type { Tensor, Tensor1D, Variable } from '@tensorflow/tfjs-node';
import { loadTensorflow, type TensorflowModule } from '../backend';
import type { NamedWeight } from '../model/io';

export interface FlatAdamOptions {
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
 * Adam with global-norm clipping over ONE flat vector of all parameters. tf.train.adam issues
 * about a dozen small ops per variable; here every gradient is flattened into one vector, the
 * clipping and the Adam update are a dozen ops on that vector, and the update is split back:
 * ~4 ops per variable in all. The math is tf.train.adam's (bias-corrected moments, ε added to
 * √v̂), so results match it to float rounding.
 *
 * A variable without a gradient in a step is treated as having a zero gradient (its moments
 * decay and it keeps moving along m), where tf.train.adam would skip it.
 */
export class FlatAdam {
  private readonly tf: TensorflowModule;
  private readonly sizes: number[];
  private readonly totalSize: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private firstMoment: Tensor1D;
  private secondMoment: Tensor1D;
  private iteration = 0;

  constructor(
    private readonly variables: readonly Variable[],
    private options: FlatAdamOptions,
  ) {
    const tf = loadTensorflow();
    this.tf = tf;
    if (variables.length === 0) throw new Error('FlatAdam: no variables to optimise');
    this.sizes = variables.map((v) => v.size);
    this.totalSize = this.sizes.reduce((a, b) => a + b, 0);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-7;
    this.firstMoment = tf.keep(tf.zeros([this.totalSize]));
    this.secondMoment = tf.keep(tf.zeros([this.totalSize]));
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
    const list = this.variables.map((variable, i) =>
      Array.isArray(grads) ? grads[i] : (grads as Record<string, Tensor>)[variable.name],
    );
    this.iteration++;
    const t = this.iteration;
    const { beta1, beta2 } = this;
    const clipNorm = this.options.clipNorm ?? 0;
    const [firstMoment, secondMoment] = tf.tidy(() => {
      const pieces = list.map((grad, i) => {
        if (!grad) return tf.zeros([this.sizes[i]!]);
        if (grad.size !== this.sizes[i]) {
          throw new Error(
            `FlatAdam: gradient ${i} has shape [${grad.shape}], its variable [${this.variables[i]!.shape}]`,
          );
        }
        return grad.reshape([-1]);
      });
      const gradient = (pieces.length === 1 ? pieces[0]! : tf.concat(pieces)) as Tensor1D;
      // Every op below is a full pass over all parameters, so scalars are folded together:
      // the clipping scale goes into the moment coefficients, g² serves the norm and v alike,
      // and the bias corrections become one factor and a rescaled ε:
      //   −lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε) = −lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε·√(1−β₂ᵗ)).
      const squared = tf.square(gradient);
      let gradientWeight: Tensor | number = 1 - beta1;
      let squaredWeight: Tensor | number = 1 - beta2;
      if (clipNorm > 0) {
        // scale = clip / max(norm, clip): 1 under the bound; stays on the native side.
        const scale = tf.div(clipNorm, tf.maximum(tf.sqrt(tf.sum(squared)), clipNorm));
        gradientWeight = tf.mul(scale, 1 - beta1);
        squaredWeight = tf.mul(tf.square(scale), 1 - beta2);
      }
      const m = tf.add(tf.mul(this.firstMoment, beta1), tf.mul(gradient, gradientWeight)) as Tensor1D;
      const v = tf.add(tf.mul(this.secondMoment, beta2), tf.mul(squared, squaredWeight)) as Tensor1D;
      const secondCorrection = Math.sqrt(1 - beta2 ** t);
      const stepSize = (-this.options.learningRate * secondCorrection) / (1 - beta1 ** t);
      const step = tf.mul(tf.div(m, tf.add(tf.sqrt(v), this.epsilon * secondCorrection)), stepSize);
      const steps = this.variables.length === 1 ? [step] : tf.split(step, this.sizes);
      this.variables.forEach((variable, i) => {
        variable.assign(tf.add(variable, steps[i]!.reshape(variable.shape)));
      });
      // Kept: the caller may run this inside its own tidy.
      return [tf.keep(m), tf.keep(v)];
    });
    this.replaceMoments(firstMoment!, secondMoment!);
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
      { name: FIRST_MOMENT, shape: [this.totalSize], data: this.firstMoment.dataSync() as Float32Array },
      { name: SECOND_MOMENT, shape: [this.totalSize], data: this.secondMoment.dataSync() as Float32Array },
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
    this.replaceMoments(
      this.tf.keep(this.tf.tensor1d(m!.data, 'float32')),
      this.tf.keep(this.tf.tensor1d(v!.data, 'float32')),
    );
  }

  dispose(): void {
    this.tf.dispose([this.firstMoment, this.secondMoment]);
  }

  private replaceMoments(firstMoment: Tensor1D, secondMoment: Tensor1D): void {
    this.tf.dispose([this.firstMoment, this.secondMoment]);
    this.firstMoment = firstMoment;
    this.secondMoment = secondMoment;
  }
}
