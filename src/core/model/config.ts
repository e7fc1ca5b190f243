import type { CellKind } from '../kernels/types';
import type { TagScheme } from '../types';

/** What the tagger predicts: chunk tags for entities (span F1) or one tag per token (accuracy). */
export type TaskKind = 'entities' | 'pos';
export type OutputLayer = 'softmax' | 'crf';
export type DropoutPlacement = 'input' | 'input-output';
export type OptimizerName = 'adam' | 'sgd';

/** The network's sizes. Every size in the model comes from here. */
export interface ModelConfig {
  task: TaskKind;
  output: OutputLayer;
  /** Scheme of the chunk tags for entity tasks; 'none' for POS. */
  tagScheme: TagScheme | 'none';
  /**
   * The recurrent cell of the char layer and of the word layers: 'lstm' (BlockLSTMV2) or 'gru'
   * (GRUBlockCell). Models saved before the choice existed have no field and load as 'lstm'.
   */
  cell: CellKind;
  /** Word embedding size (100 to match the pretrained wink vectors). */
  wordDim: number;
  /** Lowercase words before the vocabulary lookup (characters keep their case). */
  lowercase: boolean;
  /** Train words seen fewer times than this map to the unknown word. */
  minWordFrequency: number;
  charDim: number;
  /** Char BiLSTM (or BiGRU) units per direction. */
  charHidden: number;
  /** Longer words are truncated to this many characters for the char BiLSTM. */
  maxWordLength: number;
  /** Size of the embedding of the word's casing class; 0 disables the feature. */
  casingDim: number;
  /** Word-level BiLSTM (or BiGRU) units per direction. */
  hidden: number;
  /** Number of stacked word-level bidirectional layers (1 to 4). */
  layers: number;
  dropout: number;
  /**
   * Where dropout applies: on the word representations entering the BiLSTM only (`input`, as
   * Lample et al. 2016), or there and on the BiLSTM's output too (`input-output`, as Ma & Hovy 2016).
   */
  dropoutAt: DropoutPlacement;
  /**
   * Training only: the chance that a word is replaced by the unknown word, so the network learns
   * to lean on characters for rare and unseen words. 0 disables it.
   */
  wordDropout: number;
}

/** How the network is optimised. */
export interface TrainConfig {
  epochs: number;
  /** Early stopping never ends a run before this many epochs. */
  minEpochs: number;
  batchSize: number;
  /** Adam, or SGD with momentum (Ma & Hovy 2016: lr 0.015, momentum 0.9, decay 0.05, clip 5). */
  optimizer: OptimizerName;
  learningRate: number;
  /** SGD's momentum (ignored by Adam). */
  momentum: number;
  /** Gradients are rescaled so that their global norm is at most this. 0 disables clipping. */
  clipNorm: number;
  /** Stop after this many epochs without a better dev metric (only with a dev set). */
  patience: number;
  seed: number;
  /** The learning rate is multiplied by this after every epoch (1: constant). */
  lrDecay: number;
  /** Inverse-time decay ρ: epoch e (0-based) runs at lr / (1 + ρ·e) (Ma & Hovy's 0.05; 0: off). */
  lrTimeDecay: number;
  /** Sentences longer than this are split for training (memory bound). */
  maxSentenceLength: number;
}

export const DEFAULT_MODEL_CONFIG: ModelConfig = {
  task: 'pos',
  output: 'softmax',
  tagScheme: 'none',
  cell: 'lstm',
  wordDim: 100,
  lowercase: true,
  minWordFrequency: 2,
  charDim: 30,
  charHidden: 50,
  maxWordLength: 20,
  casingDim: 0,
  hidden: 100,
  layers: 2,
  dropout: 0.5,
  dropoutAt: 'input-output',
  wordDropout: 0,
};

export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  epochs: 10,
  minEpochs: 5,
  batchSize: 32,
  optimizer: 'adam',
  learningRate: 1e-3,
  momentum: 0.9,
  clipNorm: 5,
  patience: 3,
  seed: 1,
  lrDecay: 1,
  lrTimeDecay: 0,
  maxSentenceLength: 200,
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

type Check<T> = { [K in keyof T]: (value: unknown) => string | undefined };

const integerIn = (min: number, max: number) => (v: unknown) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
    ? undefined
    : `must be an integer from ${min} to ${max}`;
const numberIn =
  (min: number, max: number, minExclusive = false) =>
  (v: unknown) =>
    typeof v === 'number' && Number.isFinite(v) && (minExclusive ? v > min : v >= min) && v <= max
      ? undefined
      : `must be a number ${minExclusive ? 'above' : 'from'} ${min}${minExclusive ? ' and at most' : ' to'} ${max}`;
const oneOf =
  (...options: string[]) =>
  (v: unknown) =>
    typeof v === 'string' && options.includes(v) ? undefined : `must be one of ${options.join(', ')}`;
const boolean = (v: unknown) => (typeof v === 'boolean' ? undefined : 'must be true or false');

const modelChecks: Check<ModelConfig> = {
  task: oneOf('entities', 'pos'),
  output: oneOf('softmax', 'crf'),
  tagScheme: oneOf('IOB1', 'IOB2', 'BIOES', 'none'),
  cell: oneOf('lstm', 'gru'),
  wordDim: integerIn(1, 1024),
  lowercase: boolean,
  minWordFrequency: integerIn(1, 1000),
  charDim: integerIn(1, 512),
  charHidden: integerIn(1, 1024),
  maxWordLength: integerIn(1, 100),
  casingDim: integerIn(0, 64),
  hidden: integerIn(1, 2048),
  layers: integerIn(1, 4),
  dropout: numberIn(0, 0.9),
  dropoutAt: oneOf('input', 'input-output'),
  wordDropout: numberIn(0, 0.5),
};

const trainChecks: Check<TrainConfig> = {
  epochs: integerIn(1, 1000),
  minEpochs: integerIn(1, 1000),
  batchSize: integerIn(1, 4096),
  optimizer: oneOf('adam', 'sgd'),
  learningRate: numberIn(0, 1, true),
  momentum: numberIn(0, 0.999),
  clipNorm: numberIn(0, 1e6),
  patience: integerIn(1, 1000),
  seed: integerIn(0, 2 ** 31 - 1),
  lrDecay: numberIn(0.1, 1),
  lrTimeDecay: numberIn(0, 10),
  maxSentenceLength: integerIn(1, 10_000),
};

function resolve<T extends object>(defaults: T, checks: Check<T>, partial: unknown, what: string): T {
  const problems: string[] = [];
  if (partial !== undefined && (typeof partial !== 'object' || partial === null || Array.isArray(partial))) {
    throw new ConfigError([`${what} must be an object`]);
  }
  const given = (partial ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!(key in checks)) problems.push(`${what}.${key} is not a known setting`);
  }
  const result = { ...defaults, ...given } as T;
  for (const key of Object.keys(checks) as Array<keyof T>) {
    const problem = checks[key](result[key]);
    if (problem) problems.push(`${what}.${String(key)} ${problem} (got ${JSON.stringify(result[key])})`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return result;
}

/** Fills defaults and validates; throws a ConfigError listing every problem. */
export function resolveModelConfig(partial?: Partial<ModelConfig> | unknown): ModelConfig {
  const config = resolve(DEFAULT_MODEL_CONFIG, modelChecks, partial, 'model');
  if (config.task === 'pos' && config.tagScheme !== 'none') {
    throw new ConfigError([`model.tagScheme must be "none" for a POS task (got ${config.tagScheme})`]);
  }
  if (config.task === 'entities' && config.tagScheme === 'none') {
    throw new ConfigError(['model.tagScheme must be IOB1, IOB2 or BIOES for an entity task']);
  }
  return config;
}

export function resolveTrainConfig(partial?: Partial<TrainConfig> | unknown): TrainConfig {
  return resolve(DEFAULT_TRAIN_CONFIG, trainChecks, partial, 'train');
}
