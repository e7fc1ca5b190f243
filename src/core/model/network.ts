import type { Scalar, Tensor, Tensor1D, Tensor2D, Tensor3D, Variable } from '@tensorflow/tfjs-node';
import { loadTensorflow, readFloats, type TensorflowModule } from '../backend';
import type { CharGroup, EncodedBatch } from '../encode/batch';
import { charTries } from '../encode/char-trie';
import { createRandom } from '../encode/random';
import { CASING_CLASSES, UNK_INDEX, type Vocabularies } from '../encode/vocab';
import {
  bidirectionalFinalStates,
  bidirectionalTimeMajor,
  type CellWeights,
  cellFor,
  initCellWeights,
  type KernelImplementation,
  maskedCrossEntropy,
  type RecurrentOptions,
} from '../kernels';
import { type Cell, weightsFrom } from '../kernels/cell';
import { graphDropoutMask } from '../kernels/graph';
import { trieBidirectionalFinalStates } from '../kernels/trie-states';
import type { ModelConfig } from './config';
import { type CrfParams, crfLoss } from './crf';
import type { CrfScores } from './crf-decode';
import { inferenceEmissions } from './inference-graph';
import type { NamedWeight } from './io';
import { crfPredictions, type SentencePrediction, softmaxPredictions } from './predictions';

export type { SentencePrediction } from './predictions';

/** A bidirectional layer's weights as trainable variables, each direction in its cell's parts order. */
interface BidirectionalVariables {
  forward: Variable[];
  backward: Variable[];
}

export interface NetworkOptions {
  implementation?: KernelImplementation;
  seed?: number;
  /** Initial word vectors by word index (rows of the embedding); others stay random. */
  pretrained?: { rows: Int32Array; vectors: Float32Array };
  /** CRF transitions forbidden at decode time, for chunk tag schemes. */
  constraints?: { allowed: boolean[][]; allowedStart: boolean[]; allowedEnd: boolean[] };
}

/**
 * The tagger network: char BiLSTM per distinct word + word embedding (+ casing) → dropout →
 * N × BiLSTM → dropout (unless `dropoutAt` is `input`) → dense → softmax or CRF. Holds its
 * weights as tf variables. With `config.cell` 'gru' every BiLSTM is a BiGRU instead.
 */
export class TaggerNetwork {
  readonly tf: TensorflowModule;
  readonly numLabels: number;
  private readonly cell: Cell;
  private readonly recurrentOptions: Omit<RecurrentOptions, 'reverse'>;
  private readonly variables = new Map<string, Variable>();
  private readonly wordEmbedding: Variable;
  private readonly charEmbedding: Variable;
  private readonly casingEmbedding: Variable | undefined;
  private readonly charLayer: BidirectionalVariables;
  private readonly layers: BidirectionalVariables[];
  private readonly denseKernel: Variable;
  private readonly denseBias: Variable;
  private readonly crf: CrfParams | undefined;
  private readonly constraints: NetworkOptions['constraints'];
  private dropoutCalls = 0;
  private readonly seed: number;

  constructor(
    readonly config: ModelConfig,
    vocabularies: Vocabularies,
    options: NetworkOptions = {},
  ) {
    const tf = loadTensorflow();
    this.tf = tf;
    this.cell = cellFor(config.cell);
    this.recurrentOptions = options.implementation ? { implementation: options.implementation } : {};
    this.constraints = options.constraints;
    this.numLabels = vocabularies.labels.length;
    const seed = options.seed ?? 1;
    this.seed = seed;
    let nextSeed = seed * 7919;
    const uniform = (shape: number[], limit: number) =>
      tf.tidy(() => tf.randomUniform(shape, -limit, limit, 'float32', nextSeed++));
    const glorot = (fanIn: number, fanOut: number) =>
      uniform([fanIn, fanOut], Math.sqrt(6 / (fanIn + fanOut)));

    const wordInit = uniform([vocabularies.words.length, config.wordDim], Math.sqrt(3 / config.wordDim));
    this.wordEmbedding = this.register(
      'word_embedding',
      options.pretrained ? withRows(tf, wordInit, options.pretrained) : wordInit,
    );
    this.charEmbedding = this.register(
      'char_embedding',
      uniform([vocabularies.chars.length, config.charDim], Math.sqrt(3 / config.charDim)),
    );
    this.casingEmbedding =
      config.casingDim > 0
        ? this.register('casing_embedding', uniform([CASING_CLASSES.length, config.casingDim], 0.5))
        : undefined;
    const kind = config.cell;
    this.charLayer = this.registerBidirectional(
      `char_${kind}`,
      config.charDim,
      config.charHidden,
      () => nextSeed++,
    );
    const tokenSize = config.wordDim + 2 * config.charHidden + config.casingDim;
    this.layers = Array.from({ length: config.layers }, (_, i) =>
      this.registerBidirectional(
        `${kind}_${i}`,
        i === 0 ? tokenSize : 2 * config.hidden,
        config.hidden,
        () => nextSeed++,
      ),
    );
    this.denseKernel = this.register('dense_kernel', glorot(2 * config.hidden, this.numLabels));
    this.denseBias = this.register('dense_bias', tf.zeros([this.numLabels]));
    this.crf =
      config.output === 'crf'
        ? {
            transitions: this.register(
              'crf_transitions',
              uniform([this.numLabels, this.numLabels], 0.1),
            ) as Tensor2D,
            start: this.register('crf_start', uniform([this.numLabels], 0.1)) as Tensor1D,
            end: this.register('crf_end', uniform([this.numLabels], 0.1)) as Tensor1D,
          }
        : undefined;
  }

  private register(name: string, initial: Tensor): Variable {
    const variable = this.tf.variable(initial, true, `${name}_${variableCounter++}`);
    initial.dispose();
    this.variables.set(name, variable);
    return variable;
  }

  /**
   * Variables named `{name}_{fw|bw}_{part}`, the part in snake case: `lstm_0_fw_kernel`,
   * `gru_0_bw_gate_bias`.
   */
  private registerBidirectional(
    name: string,
    inputSize: number,
    hidden: number,
    seed: () => number,
  ): BidirectionalVariables {
    const direction = (suffix: string): Variable[] => {
      const init = initCellWeights(this.config.cell, inputSize, hidden, seed()) as unknown as Record<
        string,
        Tensor
      >;
      return this.cell.parts.map((part) =>
        this.register(`${name}_${suffix}_${snakeCase(part)}`, init[part]!),
      );
    };
    return { forward: direction('fw'), backward: direction('bw') };
  }

  /** A direction's variables as the weights the kernels take. */
  private directionWeights(variables: Variable[]): CellWeights {
    return weightsFrom(this.cell, variables);
  }

  /** Trainable variables in a stable order. */
  trainableVariables(): Variable[] {
    return [...this.variables.values()];
  }

  /** A snapshot of all weights, for saving. */
  weights(): NamedWeight[] {
    return [...this.variables.entries()].map(([name, v]) => ({
      name,
      shape: v.shape.slice(),
      data: v.dataSync() as Float32Array,
    }));
  }

  /** Replaces every weight; shapes must match this network's config exactly. */
  setWeights(weights: NamedWeight[]): void {
    const byName = new Map(weights.map((w) => [w.name, w]));
    const problems: string[] = [];
    for (const [name, variable] of this.variables) {
      const weight = byName.get(name);
      if (!weight) problems.push(`missing weight ${name}`);
      else if (weight.shape.join('x') !== variable.shape.join('x')) {
        problems.push(`weight ${name} has shape [${weight.shape}], the config needs [${variable.shape}]`);
      }
    }
    for (const name of byName.keys())
      if (!this.variables.has(name)) problems.push(`unexpected weight ${name}`);
    if (problems.length > 0) throw new Error(problems.join('; '));
    for (const [name, variable] of this.variables) {
      const weight = byName.get(name)!;
      this.tf.tidy(() => variable.assign(this.tf.tensor(weight.data, weight.shape, 'float32')));
    }
  }

  /**
   * Inverted dropout: one mask tensor and one multiply (tf.dropout adds four ops per call). The
   * mask comes from TensorFlow's seeded generator, or is drawn in JS where graphs cannot run.
   */
  private dropout(x: Tensor, training: boolean): Tensor {
    const rate = this.config.dropout;
    if (!training || rate <= 0) return x;
    // A fresh seed per call: the same seed would reuse one mask for every step.
    const call = this.dropoutCalls++;
    const keep = 1 - rate;
    const mask =
      graphDropoutMask(this.tf, x.shape, keep, [this.seed, call]) ??
      this.tf.tensor(jsDropoutMask(x.size, keep, this.seed * 1_000_003 + call), x.shape, 'float32');
    return this.tf.mul(x, mask);
  }

  /** Word ids with some real words replaced by the unknown word (config.wordDropout). */
  private dropWords(batch: EncodedBatch): Int32Array {
    const rate = this.config.wordDropout;
    if (rate <= 0) return batch.wordIds;
    const random = createRandom(this.seed * 7_000_003 + this.dropoutCalls++);
    const ids = batch.wordIds.slice();
    for (let b = 0; b < batch.size; b++) {
      for (let t = 0; t < batch.lengths[b]!; t++)
        if (random() < rate) ids[b * batch.maxLength + t] = UNK_INDEX;
    }
    return ids;
  }

  /**
   * Char BiLSTM final states of distinct words, [distinct, 2 * charHidden]. For inference, over
   * the words' prefix and suffix tries in one graph run (each shared prefix or suffix computed
   * once); for training, or where graphs cannot run, bucket by bucket with gradients.
   */
  charStates(charGroups: readonly CharGroup[], training = false): Tensor2D {
    const tf = this.tf;
    if (!training && charGroups.length > 0 && this.recurrentOptions.implementation !== 'reference') {
      const states = trieBidirectionalFinalStates(
        tf,
        this.cell,
        this.charEmbedding as Tensor2D,
        charTries(charGroups, this.config.maxWordLength),
        this.directionWeights(this.charLayer.forward),
        this.directionWeights(this.charLayer.backward),
      );
      if (states) return states;
    }
    const bucketStates = charGroups.map((group) => {
      const ids = tf.tensor2d(group.charIds, [group.length, group.count], 'int32');
      const embedded = tf.gather(this.charEmbedding, ids) as Tensor3D;
      return bidirectionalFinalStates(
        embedded,
        Array.from(group.lengths),
        this.directionWeights(this.charLayer.forward),
        this.directionWeights(this.charLayer.backward),
        this.recurrentOptions,
      );
    });
    return (bucketStates.length === 1 ? bucketStates[0]! : tf.concat(bucketStates, 0)) as Tensor2D;
  }

  /**
   * Emission scores, TIME-MAJOR [T, B, K]: the whole network runs time-major, which is the fused
   * LSTM's native layout, so no layer transposes (the index arrays are transposed in JS instead).
   */
  private emissions(batch: EncodedBatch, training: boolean, sharedCharStates?: Tensor2D): Tensor3D {
    const tf = this.tf;
    const { size, maxLength } = batch;
    const shape2d: [number, number] = [maxLength, size];
    const timeMajorIds = (ids: Int32Array) =>
      tf.tensor2d(transposeRows(ids, size, maxLength), shape2d, 'int32');
    const chars = tf.gather(
      sharedCharStates ?? this.charStates(batch.charGroups, training),
      timeMajorIds(batch.tokenToDistinct),
    );
    const words = tf.gather(
      this.wordEmbedding,
      timeMajorIds(training ? this.dropWords(batch) : batch.wordIds),
    );
    const parts = [words, chars];
    if (this.casingEmbedding) parts.push(tf.gather(this.casingEmbedding, timeMajorIds(batch.casing)));
    let x = this.dropout(tf.concat(parts, 2), training) as Tensor3D;
    const lengths = Array.from(batch.lengths);
    for (const layer of this.layers) {
      x = bidirectionalTimeMajor(
        x,
        lengths,
        this.directionWeights(layer.forward),
        this.directionWeights(layer.backward),
        this.recurrentOptions,
      );
    }
    if (this.config.dropoutAt === 'input-output') x = this.dropout(x, training) as Tensor3D;
    const hidden = x.shape[2];
    return tf
      .add(tf.matMul(x.reshape([maxLength * size, hidden]), this.denseKernel), this.denseBias)
      .reshape([maxLength, size, this.numLabels]) as Tensor3D;
  }

  /** Emission scores [B, T, K]. */
  logits(batch: EncodedBatch, training: boolean, sharedCharStates?: Tensor2D): Tensor3D {
    return this.tf.tidy(
      () => this.emissions(batch, training, sharedCharStates).transpose([1, 0, 2]) as Tensor3D,
    );
  }

  /** Mean loss per real token (softmax) or per sentence (CRF). Call inside variableGrads/tidy. */
  loss(batch: EncodedBatch, training = true): Scalar {
    const tf = this.tf;
    if (!batch.tagIds) throw new Error('the batch has no tags to compute a loss');
    if (this.crf) {
      const logits = this.emissions(batch, training).transpose([1, 0, 2]) as Tensor3D;
      const tags = tf.tensor2d(batch.tagIds, [batch.size, batch.maxLength], 'int32');
      return crfLoss(logits, tags, batch.lengths, this.crf) as Scalar;
    }
    const { size, maxLength } = batch;
    const emissions = this.emissions(batch, training).reshape([maxLength * size, this.numLabels]) as Tensor2D;
    return maskedCrossEntropy(
      emissions,
      transposeRows(batch.tagIds, size, maxLength),
      timeMajorTokenWeights(batch.lengths, maxLength, 1 / Math.max(1, batch.tokenCount)),
    );
  }

  /**
   * Best labels with confidences and distributions, one entry per sentence (trimmed), with the
   * sentence's path log-probability and entropy.
   * @param sharedCharStates char BiLSTM states computed once for many batches (see
   * `encodeWords` and `charStates`); the batch's `tokenToDistinct` indexes them.
   */
  predict(batch: EncodedBatch, sharedCharStates?: Tensor2D): SentencePrediction[] {
    const tf = this.tf;
    if (this.crf) {
      // Emissions come back once; Viterbi and forward-backward run on the CPU (crf-decode.ts),
      // much faster than the same loops as hundreds of small tensor ops.
      const emissions = readFloats(tf, () => this.inferenceScores(batch, 'emissions', sharedCharStates));
      return crfPredictions(emissions, batch.lengths, batch.maxLength, this.crfScores(), this.constraints);
    }
    const probs = readFloats(tf, () => this.inferenceScores(batch, 'probabilities', sharedCharStates));
    return softmaxPredictions(probs, batch.lengths, batch.maxLength, this.numLabels);
  }

  /**
   * `[batch, time, labels]` emission scores or their softmax, for inference: one graph run
   * (inference-graph.ts) where graphs run, else the eager ops of `logits`.
   */
  private inferenceScores(
    batch: EncodedBatch,
    output: 'emissions' | 'probabilities',
    sharedCharStates?: Tensor2D,
  ): Tensor3D {
    const tf = this.tf;
    return tf.tidy(() => {
      if (this.recurrentOptions.implementation !== 'reference') {
        const { size, maxLength } = batch;
        const scores = inferenceEmissions(
          tf,
          {
            wordIds: transposeRows(batch.wordIds, size, maxLength),
            tokenRows: transposeRows(batch.tokenToDistinct, size, maxLength),
            ...(this.casingEmbedding ? { casingIds: transposeRows(batch.casing, size, maxLength) } : {}),
            lengths: batch.lengths,
            maxLength,
          },
          {
            cell: this.cell,
            wordEmbedding: this.wordEmbedding as Tensor2D,
            ...(this.casingEmbedding ? { casingEmbedding: this.casingEmbedding as Tensor2D } : {}),
            charStates: () => sharedCharStates ?? this.charStates(batch.charGroups),
            layers: this.layers.map((layer) => ({
              forward: this.directionWeights(layer.forward),
              backward: this.directionWeights(layer.backward),
            })),
            denseKernel: this.denseKernel as Tensor2D,
            denseBias: this.denseBias as Tensor1D,
          },
          output,
        );
        if (scores) return scores;
      }
      const logits = this.logits(batch, false, sharedCharStates);
      return output === 'probabilities' ? (tf.softmax(logits) as Tensor3D) : logits;
    });
  }

  /** The CRF's scores as plain arrays, for CPU decoding. */
  private crfScores(): CrfScores {
    const crf = this.crf!;
    return {
      numTags: this.numLabels,
      transitions: crf.transitions.dataSync() as Float32Array,
      start: crf.start.dataSync() as Float32Array,
      end: crf.end.dataSync() as Float32Array,
    };
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
    this.variables.clear();
  }
}

let variableCounter = 0;

/** `1 / keep` with probability `keep`, else 0. */
function jsDropoutMask(size: number, keep: number, seed: number): Float32Array {
  const random = createRandom(seed);
  const scale = 1 / keep;
  const mask = new Float32Array(size);
  for (let i = 0; i < size; i++) if (random() < keep) mask[i] = scale;
  return mask;
}

/** `gateKernel` → `gate_kernel`: weight names are snake case. */
function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** `[rows, columns]` row-major → `[columns, rows]` row-major (batch-major ↔ time-major ids). */
function transposeRows(values: Int32Array, rows: number, columns: number): Int32Array {
  const out = new Int32Array(values.length);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < columns; c++) out[c * rows + r] = values[r * columns + c]!;
  return out;
}

/** Time-major `[maxLength * size]` weights: `weight` on real tokens, 0 on padding. */
function timeMajorTokenWeights(lengths: Int32Array, maxLength: number, weight: number): Float32Array {
  const size = lengths.length;
  const weights = new Float32Array(maxLength * size);
  for (let b = 0; b < size; b++) for (let t = 0; t < lengths[b]!; t++) weights[t * size + b] = weight;
  return weights;
}

export function sequenceMask(tf: TensorflowModule, lengths: ArrayLike<number>, maxLength: number): Tensor2D {
  const size = lengths.length;
  const mask = new Float32Array(size * maxLength);
  for (let b = 0; b < size; b++) mask.fill(1, b * maxLength, b * maxLength + lengths[b]!);
  return tf.tensor2d(mask, [size, maxLength]);
}

function withRows(
  tf: TensorflowModule,
  base: Tensor,
  pretrained: { rows: Int32Array; vectors: Float32Array },
): Tensor {
  const values = base.dataSync().slice() as Float32Array;
  const dim = base.shape[1]!;
  pretrained.rows.forEach((row, i) => {
    values.set(pretrained.vectors.subarray(i * dim, (i + 1) * dim), row * dim);
  });
  base.dispose();
  return tf.tensor2d(values, base.shape as [number, number]);
}
