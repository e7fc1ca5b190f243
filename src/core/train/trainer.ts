import fs from 'node:fs';
import path from 'node:path';
import type { Tensor, Variable } from '@tensorflow/tfjs-node';
import { writeFileAtomic } from '../atomic';
import { loadTensorflow } from '../backend';
import { encodeBatch } from '../encode/batch';
import { bucketedBatches } from '../encode/buckets';
import { buildVocabularies, type Vocabularies } from '../encode/vocab';
import type { LstmImplementation } from '../kernels';
import { spanMetrics, tokenAccuracy } from '../metrics';
import { type ModelConfig, resolveModelConfig, resolveTrainConfig, type TrainConfig } from '../model/config';
import { loadModelFiles, type ModelCard, type NamedWeight, saveModel } from '../model/io';
import { Tagger } from '../model/tagger';
import type { TaggedSentence } from '../types';
import { ClippedAdam } from './optimizer';

/** Dev-set figures after an epoch: span F1 for entity tasks, accuracy for POS. */
export interface DevMetrics {
  /** The figure early stopping watches (F1 or accuracy, 0..1). */
  score: number;
  accuracy: number;
  f1?: number;
  precision?: number;
  recall?: number;
}

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
  signal?: AbortSignal;
  onProgress?: (progress: TrainProgress) => void;
  /** Step events are sent every this many steps (default 10). */
  progressEvery?: number;
  /** Folder for per-epoch checkpoints; with `resume`, training continues from the last one. */
  checkpointDir?: string;
  resume?: boolean;
  implementation?: LstmImplementation;
  /** Stop after this many optimiser steps in total (benchmarks). */
  maxSteps?: number;
  /** Card fields to record (description, language, training data files). */
  card?: Partial<ModelCard>;
}

export interface EpochRecord {
  epoch: number;
  loss: number;
  tokensPerSecond: number;
  seconds: number;
  dev?: DevMetrics;
}

export interface TrainResult {
  tagger: Tagger;
  history: EpochRecord[];
  bestEpoch: number;
  /** True when the signal aborted the run (the tagger holds the best weights seen so far). */
  cancelled: boolean;
  steps: number;
  tokensPerSecond: number;
  seconds: number;
}

export class TrainingCancelledError extends Error {
  constructor() {
    super('training was cancelled');
    this.name = 'TrainingCancelledError';
  }
}

const CHECKPOINT_STATE = 'trainer-state.json';

interface CheckpointState {
  epoch: number;
  bestEpoch: number;
  bestScore: number;
  history: EpochRecord[];
  steps: number;
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

/** Dev evaluation with the task's metric. */
export function evaluateTagger(
  tagger: Tagger,
  sentences: readonly TaggedSentence[],
  batchSize = 64,
): DevMetrics {
  const predicted = tagger.tag(
    sentences.map((s) => s.tokens),
    { batchSize, alternatives: 0 },
  );
  const gold = sentences.map((s) => s.tags);
  const pred = predicted.map((tokens) => tokens.map((t) => t.tag));
  const accuracy = tokenAccuracy(gold, pred).accuracy;
  if (tagger.card.config.task === 'pos') return { score: accuracy, accuracy };
  const spans = spanMetrics(gold, pred);
  return {
    score: spans.micro.f1,
    accuracy,
    f1: spans.micro.f1,
    precision: spans.micro.precision,
    recall: spans.micro.recall,
  };
}

/**
 * Trains a tagger: length-bucketed seeded batches, Adam, gradient-norm clipping, dropout, early
 * stopping on the dev metric with patience, best-epoch restore, checkpoints and resume,
 * cancellation through `signal`. The same seed gives the same loss curve.
 */
export async function trainTagger(options: TrainOptions): Promise<TrainResult> {
  const tf = loadTensorflow();
  const modelConfig = resolveModelConfig(options.model);
  const trainConfig = resolveTrainConfig(options.train);
  const trainSentences = splitLong(options.trainSentences, trainConfig.maxSentenceLength);
  const devSentences = (options.devSentences ?? []).filter((s) => s.tokens.length > 0);
  if (trainSentences.length === 0) throw new Error('no training sentences');

  const resumeFrom =
    options.resume &&
    options.checkpointDir &&
    fs.existsSync(path.join(options.checkpointDir, CHECKPOINT_STATE))
      ? options.checkpointDir
      : undefined;

  let tagger: Tagger;
  let state: CheckpointState = { epoch: 0, bestEpoch: 0, bestScore: -1, history: [], steps: 0 };
  if (resumeFrom) {
    tagger = await Tagger.load(
      resumeFrom,
      options.implementation ? { implementation: options.implementation } : {},
    );
    state = JSON.parse(
      await fs.promises.readFile(path.join(resumeFrom, CHECKPOINT_STATE), 'utf8'),
    ) as CheckpointState;
  } else {
    const vocabularies: Vocabularies = buildVocabularies(trainSentences, modelConfig, {
      ...(options.pretrained
        ? { pretrainedWords: { has: (w: string) => options.pretrained!.has(w) } as ReadonlySet<string> }
        : {}),
      ...(options.pretrained?.extraWords ? { extraWords: options.pretrained.extraWords } : {}),
    });
    let tokens = 0;
    const labelCounts: Record<string, number> = {};
    for (const s of trainSentences) {
      tokens += s.tokens.length;
      for (const tag of s.tags) labelCounts[tag] = (labelCounts[tag] ?? 0) + 1;
    }
    const card: ModelCard = {
      name: options.name,
      config: modelConfig,
      vocabularies,
      createdAt: new Date().toISOString(),
      ...options.card,
      trainingData: {
        files: options.card?.trainingData?.files ?? [],
        sentences: trainSentences.length,
        tokens,
        labelCounts,
        ...(options.card?.trainingData?.repairs !== undefined
          ? { repairs: options.card.trainingData.repairs }
          : {}),
      },
    };
    tagger = Tagger.create(card, {
      seed: trainConfig.seed,
      ...(options.implementation ? { implementation: options.implementation } : {}),
      ...(options.pretrained
        ? { pretrained: pretrainedRows(vocabularies, options.pretrained, modelConfig.wordDim) }
        : {}),
    });
  }

  const network = tagger.network;
  const variables = network.trainableVariables();
  const optimizer = new ClippedAdam(variables, {
    learningRate: trainConfig.learningRate * trainConfig.lrDecay ** state.epoch,
    clipNorm: trainConfig.clipNorm,
  });
  const batchesPerEpoch = Math.ceil(trainSentences.length / trainConfig.batchSize);
  const progressEvery = options.progressEvery ?? 10;
  let bestWeights: NamedWeight[] | undefined;
  let epochsWithoutImprovement = state.epoch - state.bestEpoch;
  let cancelled = false;
  let totalTokens = 0;
  let trainSeconds = 0;
  const runStarted = Date.now();

  // Whatever the run throws (a corrupt checkpoint, a bad batch), its tensors and the
  // optimizer's graph session are freed before the error goes on.
  try {
    if (resumeFrom) await restoreOptimizer(optimizer, resumeFrom);

    epochs: for (let epoch = state.epoch + 1; epoch <= trainConfig.epochs; epoch++) {
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
          cancelled = true;
          tf.dispose(windowLosses);
          break epochs;
        }
        if (options.maxSteps !== undefined && state.steps >= options.maxSteps) {
          tf.dispose(windowLosses);
          break epochs;
        }
        const stepStarted = process.hrtime.bigint();
        const batch = encodeBatch(
          order[b]!.map((i) => trainSentences[i]!),
          tagger.index,
          modelConfig,
        );
        const lossTensor = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => network.loss(batch, true), variables as Variable[]);
          optimizer.applyGradients(grads);
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
      if (devSentences.length > 0) record.dev = evaluateTagger(tagger, devSentences);
      state.history.push(record);
      state.epoch = epoch;
      const score = record.dev?.score ?? -record.loss;
      const best = score > state.bestScore;
      if (best) {
        state.bestScore = score;
        state.bestEpoch = epoch;
        bestWeights = network.weights();
        epochsWithoutImprovement = 0;
      } else {
        epochsWithoutImprovement++;
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
      if (options.checkpointDir) await writeCheckpoint(tagger, optimizer, options.checkpointDir, state);
      if (epochsWithoutImprovement >= trainConfig.patience) break;
      optimizer.learningRate = trainConfig.learningRate * trainConfig.lrDecay ** epoch;
    }

    if (
      bestWeights &&
      state.history.length > 0 &&
      state.bestEpoch !== state.history[state.history.length - 1]!.epoch
    ) {
      network.setWeights(bestWeights);
    }
  } catch (error) {
    optimizer.dispose();
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
  };
  Object.assign(tagger.card, { training });
  return {
    tagger,
    history: state.history,
    bestEpoch: state.bestEpoch,
    cancelled,
    steps: state.steps,
    tokensPerSecond: totalTokens / Math.max(trainSeconds, 1e-9),
    seconds: elapsed,
  };
}

function pretrainedRows(
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

async function writeCheckpoint(
  tagger: Tagger,
  optimizer: ClippedAdam,
  folder: string,
  state: CheckpointState,
): Promise<void> {
  await tagger.save(folder);
  const named: NamedWeight[] = optimizer.getWeights();
  await saveModel(path.join(folder, 'optimizer'), { ...tagger.card, name: 'optimizer-state' }, named);
  await writeFileAtomic(path.join(folder, CHECKPOINT_STATE), `${JSON.stringify(state)}\n`);
}

async function restoreOptimizer(optimizer: ClippedAdam, folder: string) {
  const optimizerFolder = path.join(folder, 'optimizer');
  if (!fs.existsSync(optimizerFolder)) return;
  const { weights } = await loadModelFiles(optimizerFolder);
  optimizer.setWeights(weights);
}
