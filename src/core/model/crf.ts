/**
 * Linear-chain conditional random field in plain tf ops: training objective (forward algorithm),
 * Viterbi decoding with optional transition constraints, and posterior marginals
 * (forward-backward). Everything is batch-major: emissions are [B, T, K].
 *
 * Padding is described either by lengths ([B], as numbers or an int32 tensor) or by a float mask
 * [B, T]. Masks must be prefix masks (ones, then zeros), as produced by padding at the end. At a
 * masked step the recursions carry the previous state through unchanged, so whatever sits in
 * the padded emissions or tags never influences a result.
 */
import type {
  GradSaveFunc,
  Rank,
  Scalar,
  Tensor,
  Tensor1D,
  Tensor2D,
  Tensor3D,
  Variable,
} from '@tensorflow/tfjs-node';
import { loadTensorflow, type TensorflowModule } from '../backend';

/** The learned scores of a CRF over K tags. Pass `tf.variable`s to train them. */
export interface CrfParams {
  /** [K, K]: `transitions[i][j]` scores tag j directly following tag i. */
  transitions: Tensor2D;
  /** [K]: score of a sentence starting with each tag. */
  start: Tensor1D;
  /** [K]: score of a sentence ending with each tag. */
  end: Tensor1D;
}

/** CRF parameters as trainable variables, as made by {@link createCrfParams}. */
export interface CrfVariables extends CrfParams {
  transitions: Variable<Rank.R2>;
  start: Variable<Rank.R1>;
  end: Variable<Rank.R1>;
}

/**
 * Which tokens are real: lengths (`number[]`/`Int32Array`, or an int32 tensor [B]) or a float
 * prefix mask tensor [B, T] (1 = real token).
 */
export type CrfMask = Tensor | ArrayLike<number>;

export interface CrfDecoded {
  /** Best tag index sequence of each sentence, trimmed to its length. */
  paths: number[][];
  /** Score of each best path (−Infinity when the constraints leave no valid path). */
  scores: number[];
}

/** Creates trainable CRF parameters with small seeded uniform values. */
export function createCrfParams(
  numTags: number,
  options: { seed?: number; scale?: number } = {},
): CrfVariables {
  if (!Number.isInteger(numTags) || numTags < 1) {
    throw new RangeError(`a CRF needs a positive whole number of tags, got ${numTags}`);
  }
  const tf = loadTensorflow();
  const seed = options.seed ?? 1;
  const scale = options.scale ?? 0.1;
  const init = <R extends Rank>(shape: number[], offset: number): Variable<R> => {
    const initial = tf.randomUniform(shape, -scale, scale, 'float32', seed + offset);
    const variable = tf.variable(initial) as Variable<R>;
    initial.dispose();
    return variable;
  };
  return {
    transitions: init<Rank.R2>([numTags, numTags], 0),
    start: init<Rank.R1>([numTags], 1),
    end: init<Rank.R1>([numTags], 2),
  };
}

interface Dims {
  batch: number;
  steps: number;
  numTags: number;
}

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

function checkInputs(emissions: Tensor, params: CrfParams): Dims {
  if (emissions.rank !== 3) {
    throw new Error(`CRF emissions must be [batch, steps, tags], got ${shapeText(emissions.shape)}`);
  }
  const [batch, steps, numTags] = emissions.shape as [number, number, number];
  const expect = (name: string, t: Tensor, shape: number[]) => {
    if (t.rank !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new Error(
        `CRF ${name} must have shape ${shapeText(shape)} for ${numTags} tags, got ${shapeText(t.shape)}`,
      );
    }
  };
  expect('transitions', params.transitions, [numTags, numTags]);
  expect('start scores', params.start, [numTags]);
  expect('end scores', params.end, [numTags]);
  return { batch, steps, numTags };
}

/** Normalises any accepted mask form to a float [B, T] mask and int32 lengths [B]. Call inside tidy. */
function resolveMask(tf: TensorflowModule, mask: CrfMask, { batch, steps }: Dims) {
  const positions = tf.range(0, steps, 1, 'int32').expandDims(0);
  const fromLengths = (lengths: Tensor) => ({
    mask: tf.cast(tf.less(positions, lengths.expandDims(1)), 'float32') as Tensor2D,
    lengths: tf.clipByValue(lengths, 0, steps) as Tensor1D,
  });
  if (!(mask instanceof tf.Tensor)) {
    const lengths = Array.from(mask);
    if (lengths.length !== batch) {
      throw new Error(`CRF got ${lengths.length} lengths for a batch of ${batch}`);
    }
    const bad = lengths.findIndex((n) => !Number.isInteger(n) || n < 0 || n > steps);
    if (bad >= 0) {
      throw new RangeError(
        `CRF length ${lengths[bad]} of sentence ${bad} is not a whole number in 0..${steps}`,
      );
    }
    return fromLengths(tf.tensor1d(lengths, 'int32'));
  }
  if (mask.rank === 1 && mask.shape[0] === batch) return fromLengths(tf.cast(mask, 'int32'));
  if (mask.rank === 2 && mask.shape[0] === batch && mask.shape[1] === steps) {
    const floatMask = tf.cast(mask, 'float32') as Tensor2D;
    return { mask: floatMask, lengths: tf.cast(tf.sum(floatMask, 1), 'int32') as Tensor1D };
  }
  throw new Error(
    `CRF mask must be lengths ${shapeText([batch])} or a mask ${shapeText([batch, steps])}, got ${shapeText(mask.shape)}`,
  );
}

interface Steps {
  emissionSteps: Tensor2D[];
  realSteps: Tensor2D[];
}

/**
 * Per-step views used by the recursions: emissions [B, K] and whether the step is real, as a
 * boolean [B, K] ready for `where`.
 */
function unstackSteps(tf: TensorflowModule, emissions: Tensor3D, mask: Tensor2D, numTags: number): Steps {
  // With one step, tfjs's Unpack gradient fails (it stacks a gradient list it leaves empty), so
  // a single step is taken by reshape instead.
  const [batch, steps] = emissions.shape;
  const emissionSteps =
    steps === 1
      ? [emissions.reshape([batch, numTags]) as Tensor2D]
      : (tf.unstack(emissions, 1) as Tensor2D[]);
  const realSteps = tf.unstack(
    tf.broadcastTo(tf.greater(mask, 0).expandDims(2), [...mask.shape, numTags]),
    1,
  ) as Tensor2D[];
  return { emissionSteps, realSteps };
}

/**
 * log Σ exp over one axis (dropped), with its gradient written directly as dy · softmax. tf's own
 * logSumExp also differentiates through its internal max and reshape, which roughly doubles the
 * work of the backward pass over the step loop.
 */
function logSumExpOver(tf: TensorflowModule, x: Tensor, axis: number): Tensor {
  const op = tf.customGrad((input, save) => {
    const value = tf.logSumExp(input as Tensor, axis);
    (save as GradSaveFunc)([input as Tensor, value]);
    return {
      value,
      gradFunc: (dy, saved) => {
        const [savedInput, savedValue] = saved as [Tensor, Tensor];
        const softmax = tf.exp(tf.sub(savedInput, tf.expandDims(savedValue, axis)));
        return tf.mul(tf.expandDims(dy as Tensor, axis), softmax);
      },
    };
  });
  return op(x) as Tensor;
}

/**
 * Forward algorithm in log space: alpha[t][b][j] = log of the summed scores of all prefixes of
 * sentence b that end in tag j at step t. Returns every alpha and log Z [B]. Call inside tidy.
 */
function forward(
  tf: TensorflowModule,
  { emissionSteps, realSteps }: Steps,
  lengths: Tensor1D,
  params: CrfParams,
) {
  const transitions = params.transitions.expandDims(0);
  const alphas: Tensor2D[] = [tf.add(params.start, emissionSteps[0]!)];
  for (let t = 1; t < emissionSteps.length; t++) {
    const previous = alphas[t - 1]!;
    // [B, from, 1] + [1, from, to] + [B, 1, to], summed over `from`.
    const scores = tf.add(tf.add(previous.expandDims(2), transitions), emissionSteps[t]!.expandDims(1));
    alphas.push(tf.where(realSteps[t]!, logSumExpOver(tf, scores, 1), previous) as Tensor2D);
  }
  const total = logSumExpOver(tf, tf.add(alphas[alphas.length - 1]!, params.end), 1);
  // An empty sentence has exactly one (empty) path, of score 0.
  const logZ = tf.where(tf.greater(lengths, 0), total, tf.zerosLike(total)) as Tensor1D;
  return { alphas, logZ };
}

/** One-hot along a new last axis; unlike tf.oneHot it accepts depth 1 (one tag, or T = 1). */
function indicator(
  tf: TensorflowModule,
  indices: Tensor,
  depth: number,
  dtype: 'float32' | 'int32' = 'float32',
) {
  return tf.cast(tf.equal(indices.expandDims(-1), tf.range(0, depth, 1, 'int32')), dtype);
}

/** Call inside tidy; `steps` must be at least 1. */
function goldScore(
  tf: TensorflowModule,
  emissions: Tensor3D,
  tags: Tensor2D,
  mask: Tensor2D,
  lengths: Tensor1D,
  params: CrfParams,
) {
  const [, steps, numTags] = emissions.shape;
  // Padded tags may hold anything (e.g. -1); clipping keeps gathers in range and the mask zeroes them.
  const safeTags = tf.clipByValue(tf.cast(tags, 'int32'), 0, numTags - 1) as Tensor2D;
  const emissionScore = tf.sum(
    tf.mul(tf.sum(tf.mul(emissions, indicator(tf, safeTags, numTags)), 2), mask),
    1,
  );

  const hasTokens = tf.cast(tf.greater(lengths, 0), 'float32');
  const firstTags = safeTags.slice([0, 0], [-1, 1]).reshape([-1]);
  const lastPosition = indicator(tf, tf.sub(lengths, tf.scalar(1, 'int32')), steps, 'int32');
  const lastTags = tf.sum(tf.mul(safeTags, lastPosition), 1);
  const boundaryScore = tf.mul(
    tf.add(tf.gather(params.start, firstTags), tf.gather(params.end, lastTags)),
    hasTokens,
  );

  let score = tf.add(emissionScore, boundaryScore);
  if (steps > 1) {
    const previous = safeTags.slice([0, 0], [-1, steps - 1]);
    const next = safeTags.slice([0, 1], [-1, steps - 1]);
    const pairIndex = tf.add(tf.mul(previous, tf.scalar(numTags, 'int32')), next);
    const pairScores = tf.gather(params.transitions.reshape([-1]), pairIndex);
    score = tf.add(score, tf.sum(tf.mul(pairScores, mask.slice([0, 1], [-1, steps - 1])), 1));
  }
  return score as Tensor1D;
}

/**
 * Log-likelihood of the gold tags of each sentence, [B]: gold path score − log partition. The
 * training loss is its negative mean (see {@link crfLoss}); gradients come from tf autodiff.
 */
export function crfLogLikelihood(
  emissions: Tensor3D,
  tags: Tensor2D,
  mask: CrfMask,
  params: CrfParams,
): Tensor1D {
  const tf = loadTensorflow();
  const dims = checkInputs(emissions, params);
  if (tags.rank !== 2 || tags.shape[0] !== dims.batch || tags.shape[1] !== dims.steps) {
    throw new Error(
      `CRF tags must have shape ${shapeText([dims.batch, dims.steps])}, got ${shapeText(tags.shape)}`,
    );
  }
  return tf.tidy(() => {
    if (dims.steps === 0) return tf.zeros([dims.batch]) as Tensor1D;
    const resolved = resolveMask(tf, mask, dims);
    const steps = unstackSteps(tf, emissions, resolved.mask, dims.numTags);
    const { logZ } = forward(tf, steps, resolved.lengths, params);
    return tf.sub(goldScore(tf, emissions, tags, resolved.mask, resolved.lengths, params), logZ) as Tensor1D;
  });
}

/** The training loss: mean negative log-likelihood over the batch (a scalar). */
export function crfLoss(emissions: Tensor3D, tags: Tensor2D, mask: CrfMask, params: CrfParams): Scalar {
  const tf = loadTensorflow();
  return tf.tidy(() => tf.neg(tf.mean(crfLogLikelihood(emissions, tags, mask, params))) as Scalar);
}

/** Log partition function log Z of each sentence, [B]. */
export function crfLogPartition(emissions: Tensor3D, mask: CrfMask, params: CrfParams): Tensor1D {
  const tf = loadTensorflow();
  const dims = checkInputs(emissions, params);
  return tf.tidy(() => {
    if (dims.steps === 0) return tf.zeros([dims.batch]) as Tensor1D;
    const resolved = resolveMask(tf, mask, dims);
    return forward(tf, unstackSteps(tf, emissions, resolved.mask, dims.numTags), resolved.lengths, params)
      .logZ;
  });
}

/**
 * Posterior marginals P(tag at t = k | sentence), [B, T, K], by forward-backward. Rows sum to 1
 * on real tokens and are all zero on padding.
 */
export function crfMarginals(emissions: Tensor3D, mask: CrfMask, params: CrfParams): Tensor3D {
  const tf = loadTensorflow();
  const dims = checkInputs(emissions, params);
  return tf.tidy(() => {
    if (dims.steps === 0) return tf.zeros([dims.batch, 0, dims.numTags]) as Tensor3D;
    const resolved = resolveMask(tf, mask, dims);
    const steps = unstackSteps(tf, emissions, resolved.mask, dims.numTags);
    const { alphas, logZ } = forward(tf, steps, resolved.lengths, params);
    const { emissionSteps, realSteps } = steps;

    // beta[t][b][i] = log of the summed scores of all suffixes after step t, given tag i at t.
    // Past a sentence's last token the next step is padding, so beta stays at the end scores.
    const betas: Tensor2D[] = new Array(dims.steps);
    betas[dims.steps - 1] = tf.broadcastTo(params.end, [dims.batch, dims.numTags]) as Tensor2D;
    const transitions = params.transitions.expandDims(0);
    for (let t = dims.steps - 2; t >= 0; t--) {
      const following = betas[t + 1]!;
      // [1, from, to] + [B, 1, to], summed over `to`.
      const scores = tf.add(transitions, tf.add(emissionSteps[t + 1]!, following).expandDims(1));
      betas[t] = tf.where(realSteps[t + 1]!, tf.logSumExp(scores, 2), following) as Tensor2D;
    }
    const logPosterior = tf.sub(
      tf.stack(
        alphas.map((alpha, t) => tf.add(alpha, betas[t]!)),
        1,
      ),
      logZ.reshape([-1, 1, 1]),
    );
    // `where`, not a product: on an empty sentence exp() of padding may overflow, and Inf × 0 is NaN.
    const realTokens = tf.greater(resolved.mask, 0).expandDims(2);
    return tf.where(realTokens, tf.exp(logPosterior), tf.zerosLike(logPosterior)) as Tensor3D;
  });
}

/** Turns boolean constraints into additive scores: 0 where allowed, −Infinity where forbidden. */
function constraintScores(
  tf: TensorflowModule,
  base: Tensor,
  allowed: boolean[] | boolean[][] | undefined,
  name: string,
) {
  if (!allowed) return base;
  const flat = (allowed as Array<boolean | boolean[]>).flat();
  const size = base.shape.reduce((a, b) => a * b, 1);
  const shapeOk = Array.isArray(allowed[0])
    ? base.rank === 2 &&
      allowed.length === base.shape[0] &&
      (allowed as boolean[][]).every((row) => row.length === base.shape[1])
    : base.rank === 1 && allowed.length === size;
  if (!shapeOk || flat.length !== size) {
    throw new Error(`CRF ${name} must be ${base.shape.join('×')} booleans`);
  }
  const penalty = tf.tensor(
    flat.map((ok) => (ok ? 0 : Number.NEGATIVE_INFINITY)),
    base.shape,
    'float32',
  );
  return tf.add(base, penalty);
}

/**
 * Viterbi decoding: the best tag path of each sentence and its score. Forbidden transitions
 * (and first/last tags) are excluded at decode time only. The DP runs in tensors; backpointers
 * are read back once at the end and followed on the CPU.
 */
export function crfViterbi(
  emissions: Tensor3D,
  mask: CrfMask,
  params: CrfParams,
  allowed?: boolean[][],
  allowedStart?: boolean[],
  allowedEnd?: boolean[],
): CrfDecoded {
  const tf = loadTensorflow();
  const dims = checkInputs(emissions, params);
  const { batch, steps, numTags } = dims;
  if (batch === 0) return { paths: [], scores: [] };
  if (steps === 0) {
    return { paths: Array.from({ length: batch }, () => []), scores: new Array(batch).fill(0) };
  }

  const packed = tf.tidy(() => {
    const resolved = resolveMask(tf, mask, dims);
    const transitions = constraintScores(tf, params.transitions, allowed, 'allowed transitions').expandDims(
      0,
    );
    const start = constraintScores(tf, params.start, allowedStart, 'allowed start tags');
    const end = constraintScores(tf, params.end, allowedEnd, 'allowed end tags');
    const { emissionSteps, realSteps } = unstackSteps(tf, emissions, resolved.mask, numTags);

    let delta: Tensor = tf.add(start, emissionSteps[0]!);
    const backpointers: Tensor[] = [];
    for (let t = 1; t < steps; t++) {
      const scores = tf.add(tf.add(delta.expandDims(2), transitions), emissionSteps[t]!.expandDims(1));
      // Backpointers of padded steps are never followed: backtracking starts at the last real token.
      backpointers.push(tf.argMax(scores, 1));
      delta = tf.where(realSteps[t]!, tf.max(scores, 1), delta);
    }
    const final = tf.add(delta, end);
    const hasTokens = tf.greater(resolved.lengths, 0);
    const bestScore = tf.where(hasTokens, tf.max(final, 1), tf.zeros([batch]));
    // One float32 read for everything: indices below 2^24 are exact in float32.
    return tf.concat([
      bestScore,
      tf.cast(tf.argMax(final, 1), 'float32'),
      tf.cast(resolved.lengths, 'float32'),
      ...(backpointers.length > 0 ? [tf.cast(tf.stack(backpointers), 'float32').reshape([-1])] : []),
    ]);
  });
  const values = packed.dataSync();
  packed.dispose();

  const backpointerAt = (t: number, b: number, tag: number) =>
    values[3 * batch + ((t - 1) * batch + b) * numTags + tag]!;
  const paths: number[][] = [];
  const scores: number[] = [];
  for (let b = 0; b < batch; b++) {
    const length = values[2 * batch + b]!;
    const path = new Array<number>(length);
    if (length > 0) {
      path[length - 1] = values[batch + b]!;
      for (let t = length - 1; t > 0; t--) path[t - 1] = backpointerAt(t, b, path[t]!);
    }
    paths.push(path);
    scores.push(values[b]!);
  }
  return { paths, scores };
}
