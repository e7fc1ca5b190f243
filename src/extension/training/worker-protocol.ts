/**
 * Messages between the extension host and the training worker (train-worker.ts). One worker
 * handles successive jobs; each message names its job. No `vscode` import: the worker, tests and
 * the benchmark use this file too.
 */

import type { CorpusFormat } from '../../core/corpus';
import type { RetrainRequest } from '../../core/loop/retrain';
import type { RetrainResult } from '../../core/loop/versions';
import type { ModelConfig, TaskKind, TrainConfig } from '../../core/model/config';
import type { RunConfig, RunEvent, RunOutcome } from '../../core/runs/types';
import type { DataSummary } from '../../core/train/prepare';
import type { PresetName } from '../../core/train/presets';

export interface TrainingJob {
  jobId: string;
  name: string;
  /** Detected from the tags when absent. */
  task?: TaskKind;
  preset: PresetName | 'custom';
  /** A JSON file with `{ model, train }` overrides (the custom preset). */
  configFile?: string;
  trainFiles: string[];
  devFiles: string[];
  /** Hold out this share of the training sentences when there is no dev file. */
  devRatio?: number;
  format?: CorpusFormat;
  vectors: boolean;
  /** Chunk types renamed before training (`{ person: 'PER' }`); `O` drops a type. */
  labelMap?: Record<string, string>;
  /** Fine-tune this model folder instead of training from scratch. */
  initFrom?: string;
  /** The model in use for this task: the new one is compared with it on the dev data. */
  compareWith?: string;
  /** Settings applied over the preset and config file (epochs, patience; tests, benchmarks). */
  model?: Partial<ModelConfig>;
  train?: Partial<TrainConfig>;
  /** `.spanlight/runs` and `.spanlight/models` of the workspace. */
  runsRoot: string;
  modelsRoot: string;
  /** Workspace folder: stored file names are made relative to it. */
  workspaceRoot?: string;
  progressEvery?: number;
  maxSteps?: number;
}

/** A corpus problem, located. */
export interface JobProblem {
  path: string;
  line: number;
  message: string;
}

/** A model-in-the-loop retrain (core/loop/retrain.ts): trains a candidate, recorded by the caller. */
export interface RetrainJob {
  jobId: string;
  request: RetrainRequest;
}

export type ToWorker =
  | { type: 'start'; job: TrainingJob }
  | { type: 'retrain'; job: RetrainJob }
  /** The answer to `checked`: train on the valid sentences, or give up. */
  | { type: 'proceed'; jobId: string; proceed: boolean }
  | { type: 'cancel'; jobId: string };

export type FromWorker =
  /** Posted once, when tfjs-node is loaded and the worker takes jobs. */
  | { type: 'ready'; tensorflowVersion: string }
  /** The corpus was read; with problems, training waits for `proceed`. */
  | {
      type: 'checked';
      jobId: string;
      problems: JobProblem[];
      omittedProblems: number;
      train: DataSummary;
      dev: DataSummary;
      /** Things worth knowing before training (a small dev set…). */
      warnings: string[];
    }
  | { type: 'runStarted'; jobId: string; config: RunConfig }
  | { type: 'event'; jobId: string; event: RunEvent }
  | { type: 'finished'; jobId: string; outcome: RunOutcome }
  /** A retrain ended: its candidate, or null when it was cancelled. */
  | { type: 'retrained'; jobId: string; result: RetrainResult | null }
  /** The user chose not to train on a corpus with problems (or cancelled before training). */
  | { type: 'declined'; jobId: string }
  /** The job could not run; `userError` marks problems the user can fix (bad corpus, config). */
  | { type: 'failed'; jobId: string; message: string; userError: boolean };
