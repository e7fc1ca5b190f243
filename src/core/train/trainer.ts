import type { Tensor, Variable } from '@tensorflow/tfjs-node';
import { loadTensorflow } from '../backend';
import { encodeBatch } from '../encode/batch';
import { bucketedBatches } from '../encode/buckets';
import { buildVocabularies, type Vocabularies } from '../encode/vocab';
import type { KernelImplementation } from '../kernels';
import { type ModelConfig, resolveModelConfig, resolveTrainConfig, type TrainConfig } from '../model/config';
import { loadModelFiles, type ModelCard, type NamedWeight } from '../model/io';
import { Tagger } from '../model/tagger';
import type { TaggedSentence } from '../types';
import {
  type EpochRecord,
  findResumePoint,
  readOptimizerState,
  type TrainerState,
  writeCheckpoint,
} from './checkpoint';
import { type DevMetrics, evaluateTagger } from './evaluate';
import { ClippedAdam, ClippedSgd, type TrainingOptimizer } from './optimizer';

export type { EpochRecord } from './checkpoint';
export type { DevMetrics } from './evaluate';
export { evaluateTagger } from './evaluate';

export interface TrainProgress {
  kind: 'step' | 'epoch';
  epoch: number;
  /** Step within the epoch (1-based) and steps per epoch. */
  step: number;
  stepsPerEpoch: number;
  /** Mean loss over the last reported steps (step events) or the epoch (epoch events). */
  loss: number;
  tokensPerSecond: number;
  /** Real tokens and training seconds (steps only, no evaluation) that `tokensPerSecond` covers. */
  tokens: number;
  seconds: number;
  /** Seconds left for the whole run at the current speed (all epochs). */
  eta: number;
  devMetrics?: DevMetrics;
  /** True on the epoch event of a new best dev score. */
  best?: boolean;
}

export interface PretrainedVectors {
  /** Word → vector of `dimensions` floats. */
  lookup(word: string): Float32Array | undefined;
  dimensions: number;
  /** Words to add to the vocabulary beyond the training data (e.g. the most frequent ones). */
  extraWords?: Iterable<string>;
  has(word: string): boolean;
}

export interface TrainOptions {
  name: string;
  model?: Partial<ModelConfig>;
  train?: Partial<TrainConfig>;
  trainSentences: readonly TaggedSentence[];
  devSentences?: readonly TaggedSentence[];
  pretrained?: PretrainedVectors;
  /**
   * Start from this tagger's weights (fine-tuning; see fine-tune.ts) instead of a fresh network;
   * `model` is then ignored. The trainer owns it from here on. With a dev set it is scored
   * first, as epoch 0, and kept when no epoch beats it (unless `initialCannotWin`).
   */
  initial?: Tagger;
  /**
   * The starting model is scored but never kept: it cannot tag some of the data's labels (a
   * fine-tuning run that adds types must learn them, even when the old types score a little
   * lower on dev for it).
   */
  initialCannotWin?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: TrainProgress) => void;
  /** Things the user should know that do not stop the run (a damaged checkpoint skipped…). */
  onWarning?: (message: string) => void;
  /** Step events are sent every this many steps (default 10). */
  progressEvery?: number;
  /** Folder for per-epoch checkpoints; with `resume`, training continues from the last one. */
  checkpointDir?: string;
  resume?: boolean;
  implementation?: KernelImplementation;
  /** Stop after this many optimiser steps in total (benchmarks). */
  maxSteps?: number;
  /** Card fields to record (description, language, training data files). */
  card?: Partial<ModelCard>;
}

/** Why a run ended. */
export type StopReason = 'epochs' | 'early-stopping' | 'cancelled' | 'max-steps';

export interface TrainResult {
  tagger: Tagger;
  history: EpochRecord[];
  /** The epoch whose weights the tagger holds (0: the starting model of a fine-tuning run). */
  bestEpoch: number;
  /** True when the signal aborted the run (the tagger holds the best weights seen so far). */
  cancelled: boolean;
  stopReason: StopReason;
  /** The starting model's dev score, when fine-tuning with a dev set. */
  initialDev?: DevMetrics;
  steps: number;
  tokensPerSecond: number;
  seconds: number;
}

/** Splits sentences longer than `max` tokens so one huge line cannot blow the memory bound. */
function splitLong(sentences: readonly TaggedSentence[], max: number): TaggedSentence[] {
  const out: TaggedSentence[] = [];
  for (const s of sentences) {
    if (s.tokens.length === 0) continue;
    for (let i = 0; i < s.tokens.length; i += max) {
      out.push({ tokens: s.tokens.slice(i, i + max), tags: s.tags.slice(i, i + max) });
    }
  }
  return out;
}

/** The learning rate of epoch `epoch` (1-based): step decay × inverse-time decay. */
export function learningRateAt(config: TrainConfig, epoch: number): number {
  const e = epoch - 1;
  return (config.learningRate * config.lrDecay ** e) / (1 + config.lrTimeDecay * e);
}

function createOptimizer(variables: Variable[], config: TrainConfig, epoch: number): TrainingOptimizer {
  const learningRate = learningRateAt(config, epoch);
  return config.optimizer === 'sgd'
    ? new ClippedSgd(variables, { learningRate, momentum: config.momentum, clipNorm: config.clipNorm })
    : new ClippedAdam(variables, { learningRate, clipNorm: config.clipNorm });
}

/**
 * Whether early stopping ends the run after this epoch: only with a dev set, never before
 * `minEpochs`, never while the best dev score is still 0 (nothing learned yet: stopping would
 * hand over a useless model), and then after `patience` epochs without a better dev score.
 */
export function shouldStopEarly(config: TrainConfig, state: TrainerState, hasDev: boolean): boolean {
  return (
    hasDev && state.epoch >= config.minEpochs && state.bestScore > 0 && state.sinceBest >= config.patience
  );
}

/** A new tagger for `trainSentences`: vocabularies from the data, a fresh network. */
function createTagger(
  options: TrainOptions,
  trainSentences: readonly TaggedSentence[],
  modelConfig: ModelConfig,
  seed: number,
): Tagger {
  const vocabularies: Vocabularies = buildVocabularies(trainSentences, modelConfig, {
    ...(options.pretrained
      ? { pretrainedWords: { has: (w: string) => options.pretrained!.has(w) } as ReadonlySet<string> }
      : {}),
    ...(options.pretrained?.extraWords ? { extraWords: options.pretrained.extraWords } : {}),
  });
  const card: ModelCard = {
    name: options.name,
    config: modelConfig,
    vocabularies,
    createdAt: new Date().toISOString(),
    ...options.card,
  };
  return Tagger.create(card, {
    seed,
    ...(options.implementation ? { implementation: options.implementation } : {}),
    ...(options.pretrained
      ? { pretrained: pretrainedRows(vocabularies, options.pretrained, modelConfig.wordDim) }
      : {}),
  });
}

/** Counts of the data a tagger was trained on, for its card. */
function trainingDataSummary(
  sentences: readonly TaggedSentence[],
  given: ModelCard['trainingData'],
): NonNullable<ModelCard['trainingData']> {
  let tokens = 0;
  const labelCounts: Record<string, number> = Object.create(null);
  for (const s of sentences) {
    tokens += s.tokens.length;
    for (const tag of s.tags) labelCounts[tag] = (labelCounts[tag] ?? 0) + 1;
  }
  return {
    files: given?.files ?? [],
    sentences: sentences.length,
    tokens,
    labelCounts: { ...labelCounts },
    ...(given?.repairs !== undefined ? { repairs: given.repairs } : {}),
  };
}

/**
 * Trains a tagger: length-bucketed seeded batches, Adam or momentum SGD with gradient-norm
 * clipping and learning-rate decay, dropout, model selection on the dev metric with early
 * stopping (see `shouldStopEarly`), best-epoch restore, checkpoints (one verified unit per epoch)
 * and resume, cancellation through `signal`. The same seed gives the same loss curve.
 */
export async function trainTagger(options: TrainOptions): Promise<TrainResult> {
  const tf = loadTensorflow();
  const trainConfig = resolveTrainConfig(options.train);
  const trainSentences = splitLong(options.trainSentences, trainConfig.maxSentenceLength);
  const devSentences = (options.devSentences ?? []).filter((s) => s.tokens.length > 0);
  const hasDev = devSentences.length > 0;
  if (trainSentences.length === 0) {
    options.initial?.dispose();
    throw new Error('no training sentences');
  }
  const resumePoint =
    options.resume && options.checkpointDir ? await findResumePoint(options.checkpointDir) : undefined;
  for (const warning of resumePoint?.warnings ?? []) options.onWarning?.(warning);

  let tagger: Tagger;
  let state: TrainerState = {
    epoch: 0,
    bestEpoch: 0,
    bestScore: Number.NEGATIVE_INFINITY,
    history: [],
    steps: 0,
    sinceBest: 0,
  };
  let bestWeights: NamedWeight[] | undefined;
  let initialDev: DevMetrics | undefined;
  if (resumePoint) {
    options.initial?.dispose();
    tagger = await Tagger.load(
      resumePoint.folder,
      options.implementation ? { implementation: options.implementation } : {},
    );
    state = resumePoint.state;
    if (resumePoint.bestFolder) bestWeights = (await loadModelFiles(resumePoint.bestFolder)).weights;
  } else if (options.initial) {
    tagger = options.initial;
    if (hasDev) {
      initialDev = evaluateTagger(tagger, devSentences);
      if (!options.initialCannotWin) {
        state.bestScore = initialDev.score;
        bestWeights = tagger.network.weights();
      }
    }
  } else {
    tagger = createTagger(options, trainSentences, resolveModelConfig(options.model), trainConfig.seed);
  }
  const modelConfig = tagger.card.config;
  if (!resumePoint) {
    tagger.card.trainingData = trainingDataSummary(trainSentences, options.card?.trainingData);
  }

  const network = tagger.network;
  const variables = network.trainableVariables();
  let optimizer: TrainingOptimizer | undefined;
  const batchesPerEpoch = Math.ceil(trainSentences.length / trainConfig.batchSize);
  const progressEvery = options.progressEvery ?? 10;
  let stopReason: StopReason = 'epochs';
  let totalTokens = 0;
  let trainSeconds = 0;
  const runStarted = Date.now();

  // Whatever the run throws (a corrupt checkpoint, a bad batch), its tensors and the
  // optimizer's graph session are freed before the error goes on.
  try {
    optimizer = createOptimizer(variables, trainConfig, state.epoch + 1);
    if (resumePoint) optimizer.setWeights(await readOptimizerState(resumePoint.folder));

    epochs: for (let epoch = state.epoch + 1; epoch <= trainConfig.epochs; epoch++) {
      optimizer.learningRate = learningRateAt(trainConfig, epoch);
      const order = bucketedBatches(
        trainSentences.map((s) => s.tokens.length),
        trainConfig.batchSize,
        trainConfig.seed * 100_003 + epoch,
      );
      const epochStarted = process.hrtime.bigint();
      let epochTokens = 0;
      let windowTokens = 0;
      let windowSeconds = 0;
      // Losses stay on the native side and are read once per progress window.
      let windowLosses: Tensor[] = [];
      let epochLossSum = 0;
      let epochLossCount = 0;
      for (let b = 0; b < order.length; b++) {
        if (options.signal?.aborted) {
          stopReason = 'cancelled';
          tf.dispose(windowLosses);
          break epochs;
        }
        if (options.maxSteps !== undefined && state.steps >= options.maxSteps) {
          stopReason = 'max-steps';
          tf.dispose(windowLosses);
          break epochs;
        }
        const stepStarted = process.hrtime.bigint();
        const batch = encodeBatch(
          order[b]!.map((i) => trainSentences[i]!),
          tagger.index,
          modelConfig,
        );
        const activeOptimizer = optimizer;
        const lossTensor = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => network.loss(batch, true), variables as Variable[]);
          activeOptimizer.applyGradients(grads);
          return value;
        });
        windowLosses.push(lossTensor);
        const stepSeconds = Number(process.hrtime.bigint() - stepStarted) / 1e9;
        trainSeconds += stepSeconds;
        windowSeconds += stepSeconds;
        totalTokens += batch.tokenCount;
        state.steps++;
        epochTokens += batch.tokenCount;
        windowTokens += batch.tokenCount;
        const lastOfEpoch = b === order.length - 1;
        if (windowLosses.length >= progressEvery || lastOfEpoch) {
          const readStarted = process.hrtime.bigint();
          const stacked = tf.stack(windowLosses);
          const losses = Array.from(stacked.dataSync() as Float32Array);
          stacked.dispose();
          tf.dispose(windowLosses);
          windowLosses = [];
          const windowLoss = losses.reduce((a, v) => a + v, 0) / losses.length;
          epochLossSum += losses.reduce((a, v) => a + v, 0);
          epochLossCount += losses.length;
          const now = process.hrtime.bigint();
          // Reading the losses waits for queued work, so it counts as training time.
          windowSeconds += Number(now - readStarted) / 1e9;
          const tokensPerSecond = windowTokens / Math.max(windowSeconds, 1e-9);
          const epochSeconds = Number(now - epochStarted) / 1e9;
          const stepsLeft = (trainConfig.epochs - epoch) * batchesPerEpoch + (order.length - b - 1);
          options.onProgress?.({
            kind: 'step',
            epoch,
            step: b + 1,
            stepsPerEpoch: order.length,
            loss: windowLoss,
            tokensPerSecond,
            tokens: windowTokens,
            seconds: windowSeconds,
            eta: (epochSeconds / (b + 1)) * stepsLeft,
          });
          windowTokens = 0;
          windowSeconds = 0;
          // Let cancellation messages and other events through between windows.
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      const epochSeconds = Number(process.hrtime.bigint() - epochStarted) / 1e9;
      const record: EpochRecord = {
        epoch,
        loss: epochLossSum / Math.max(1, epochLossCount),
        tokensPerSecond: epochTokens / Math.max(epochSeconds, 1e-9),
        seconds: epochSeconds,
      };
      if (hasDev) record.dev = evaluateTagger(tagger, devSentences);
      state.history.push(record);
      state.epoch = epoch;
      // Without a dev set the lowest training loss is kept; there is then no early stopping.
      const score = record.dev?.score ?? -record.loss;
      const best = score > state.bestScore;
      if (best) {
        state.bestScore = score;
        state.bestEpoch = epoch;
        state.sinceBest = 0;
        bestWeights = network.weights();
      } else {
        state.sinceBest++;
      }
      options.onProgress?.({
        kind: 'epoch',
        epoch,
        step: order.length,
        stepsPerEpoch: order.length,
        loss: record.loss,
        tokensPerSecond: record.tokensPerSecond,
        tokens: epochTokens,
        seconds: epochSeconds,
        eta: epochSeconds * (trainConfig.epochs - epoch),
        ...(record.dev ? { devMetrics: record.dev } : {}),
        best,
      });
      if (options.checkpointDir) await writeCheckpoint(options.checkpointDir, { tagger, optimizer, state });
      if (shouldStopEarly(trainConfig, state, hasDev)) {
        stopReason = 'early-stopping';
        break;
      }
    }

    const last = state.history.at(-1)?.epoch ?? state.epoch;
    if (bestWeights && state.bestEpoch !== last) network.setWeights(bestWeights);
  } catch (error) {
    optimizer?.dispose();
    tagger.dispose();
    throw error;
  }
  optimizer.dispose();
  const elapsed = (Date.now() - runStarted) / 1000;
  const training = {
    ...(tagger.card.training ?? {}),
    trainConfig,
    bestEpoch: state.bestEpoch,
    epochs: state.history,
    steps: state.steps,
    seconds: elapsed,
    stopReason,
  };
  Object.assign(tagger.card, { training });
  return {
    tagger,
    history: state.history,
    bestEpoch: state.bestEpoch,
    cancelled: stopReason === 'cancelled',
    stopReason,
    ...(initialDev ? { initialDev } : {}),
    steps: state.steps,
    tokensPerSecond: totalTokens / Math.max(trainSeconds, 1e-9),
    seconds: elapsed,
  };
}

export function pretrainedRows(
  vocabularies: Vocabularies,
  pretrained: PretrainedVectors,
  dim: number,
): { rows: Int32Array; vectors: Float32Array } {
  if (pretrained.dimensions !== dim) {
    throw new Error(
      `pretrained vectors have ${pretrained.dimensions} dimensions, the model's word embedding ${dim}`,
    );
  }
  const rows: number[] = [];
  const vectors: Float32Array[] = [];
  vocabularies.words.forEach((word, i) => {
    const vector = i > 1 ? pretrained.lookup(word) : undefined;
    if (vector) {
      rows.push(i);
      vectors.push(vector);
    }
  });
  const flat = new Float32Array(rows.length * dim);
  vectors.forEach((v, i) => {
    flat.set(v, i * dim);
  });
  return { rows: Int32Array.from(rows), vectors: flat };
}
