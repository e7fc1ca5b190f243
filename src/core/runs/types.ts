/**
 * What a training run records: its configuration, its events (steps, epochs, the final
 * evaluation) and its outcome. The extension, the training worker and the dashboard webview share
 * these types; this file imports types only, so the browser bundle can use it too.
 */
import type { CellKind } from '../kernels/types';
import type { ConfusionMatrix } from '../metrics/tokens';
import type { ModelConfig, TaskKind, TrainConfig } from '../model/config';
import type { DevMetrics, LabelScores } from '../train/evaluate';
import type { Comparison, Verdict } from '../train/pipeline';
import type { DataSummary } from '../train/prepare';
import type { TagScheme } from '../types';

export interface RunConfig {
  id: string;
  /** The model's name; it is saved to `<models>/<name>/`. */
  name: string;
  task: TaskKind;
  scheme: TagScheme | 'none';
  preset: string;
  createdAt: string;
  /** Corpus files, relative to the workspace when inside it. */
  trainFiles: string[];
  devFiles: string[];
  /** Share of the training sentences held out as dev when there is no dev file. */
  devRatio?: number;
  vectors: boolean;
  /** Chunk types renamed before training. */
  labelMap?: Record<string, string>;
  /** The model this run fine-tunes (its folder). */
  initFrom?: string;
  model: Partial<ModelConfig>;
  train: Partial<TrainConfig>;
  data: { train: DataSummary; dev: DataSummary; repairs: number; problems: number };
  /** Where the model is written. */
  modelFolder: string;
}

export interface StepEvent {
  kind: 'step';
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  /** Steps since the start of the run (the x axis of the loss curve). */
  globalStep: number;
  loss: number;
  tokensPerSecond: number;
  eta: number;
  /** Seconds since the run started. */
  elapsed: number;
}

export interface EpochEvent {
  kind: 'epoch';
  epoch: number;
  loss: number;
  tokensPerSecond: number;
  seconds: number;
  dev?: DevMetrics;
  best: boolean;
  elapsed: number;
}

export type { Comparison, LabelScores, Verdict };

/** The best model on the dev set (or the training set when there is none), after training. */
export interface EvaluationEvent {
  kind: 'evaluation';
  split: 'dev' | 'train';
  accuracy: number;
  f1?: number;
  perLabel: Record<string, LabelScores>;
  confusion: ConfusionMatrix;
}

export type RunEvent = StepEvent | EpochEvent | EvaluationEvent;

export type RunStatus = 'running' | 'completed' | 'cancelled' | 'failed' | 'interrupted';

export interface RunOutcome {
  status: Exclude<RunStatus, 'running' | 'interrupted'>;
  finishedAt: string;
  /** Epochs trained and the one whose weights were kept. */
  epochs: number;
  bestEpoch: number;
  tokensPerSecond: number;
  seconds: number;
  /** Set when a model was written (completed, or cancelled after at least one epoch). */
  modelFolder?: string;
  error?: string;
  /** Whether the model is worth using (a dev F1 of 0 is a failure, with its likely cause). */
  verdict?: Verdict;
  /** The new model against the one in use, on the same dev data. */
  comparison?: Comparison;
}

/** One line of the runs list. */
export interface RunSummary {
  id: string;
  name: string;
  task: TaskKind;
  preset: string;
  /** The network's recurrent cell, for telling compared runs apart (absent in older saved page state: LSTM). */
  cell?: CellKind;
  createdAt: string;
  status: RunStatus;
  epochs: number;
  /** Best dev score (F1 for entities, accuracy for POS) seen, if any. */
  bestScore?: number;
  modelFolder?: string;
}

/** A run as stored: everything the dashboard needs to draw it. */
export interface RunRecord {
  config: RunConfig;
  events: RunEvent[];
  outcome?: RunOutcome;
}
