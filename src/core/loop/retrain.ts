/**
 * One retrain of the model-in-the-loop: the version in use fine-tuned on all reviewed sentences
 * of its task (warm start: a few epochs from its weights, its vocabularies and labels extended
 * by the sentences'), judged on the held-out reviewed sentences against the version in use.
 * Through THE training pipeline (core/train/pipeline.ts), like every training run. It only
 * trains the candidate; `recordRetrain` (versions.ts) keeps it or not, in the process that owns
 * the history.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatProblem, writeCorpus } from '../corpus';
import type { TaskKind, TrainConfig } from '../model/config';
import { devMetricsOf } from '../train/evaluate';
import { runTraining, type TrainingHooks } from '../train/pipeline';
import { HELD_OUT_SHARE, type ReviewedSentence, splitReviewed } from './reviewed';
import { CANDIDATE_FOLDER, type HeldOutScore, type RetrainResult } from './versions';

/**
 * Fine-tuning from the version in use: up to ten epochs in small batches, the best epoch on the
 * held-out sentences kept. Few sentences make few steps (40 make 5 batches of 8 an epoch), so
 * three epochs run before early stopping may end it, and it waits three without a better one:
 * with six epochs and patience 2, most retrains of the first 200 sentences stopped before any
 * epoch beat the version in use (bench:loop from en-ner-without-pool, 3 seeds: F1 at 200
 * reviewed sentences 69.2 → 70.3, at 400 72.0 → 72.4; random's unchanged within noise).
 */
export const RETRAIN_SETTINGS: Partial<TrainConfig> = {
  epochs: 10,
  minEpochs: 3,
  patience: 3,
};

/**
 * Batches of 8 to 32 sentences, about ten a pass: few sentences still make enough steps to
 * learn from, many make fewer, larger steps (a batch of 32 trains twice as many tokens a second
 * as one of 8).
 */
export function retrainBatchSize(trainSentences: number): number {
  return Math.min(32, Math.max(8, Math.floor(trainSentences / 10)));
}

/** A first model, when the task has none: the accurate preset, with more epochs than a fine-tune needs. */
export const FIRST_MODEL_SETTINGS: Partial<TrainConfig> = {
  epochs: 20,
  minEpochs: 6,
  patience: 5,
};

/** Below this many reviewed sentences a retrain cannot both learn and be judged. */
export const MIN_REVIEWED_SENTENCES = 5;

export interface RetrainRequest {
  /** The task's name, as the model is named (`entities v3`). */
  task: string;
  /** `.spanlight/models/<task>/`: the candidate is written to its `candidate` folder. */
  taskFolder: string;
  /** The number the candidate gets if kept (`nextVersionNumber` of the history). */
  version: number;
  /** The version in use, fine-tuned; without one, a model is trained from scratch. */
  base?: { folder: string; version: number };
  /** What a model trained from scratch tags (default: detected from the tags). */
  kind?: TaskKind;
  reviewed: readonly ReviewedSentence[];
  /** Judge on these corpus files instead of held-out reviewed sentences (then all reviewed sentences train). */
  devFiles?: readonly string[];
  heldOutShare?: number;
  /** Settings over RETRAIN_SETTINGS (or FIRST_MODEL_SETTINGS without a base). */
  train?: Partial<TrainConfig>;
  /** Pretrained word vectors for a model trained from scratch. */
  vectors?: boolean;
  progressEvery?: number;
}

export class RetrainInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetrainInputError';
  }
}

/**
 * Trains a candidate; undefined when cancelled (nothing is left behind). Throws
 * RetrainInputError when there is too little to learn from, and the pipeline's
 * TrainingInputError for data it refuses.
 */
export async function retrain(
  request: RetrainRequest,
  hooks: TrainingHooks = {},
): Promise<RetrainResult | undefined> {
  const reviewed = request.reviewed.filter((s) => s.tokens.length > 0);
  if (reviewed.length < MIN_REVIEWED_SENTENCES)
    throw new RetrainInputError(
      `${reviewed.length} reviewed sentence${reviewed.length === 1 ? '' : 's'}: review at least ${MIN_REVIEWED_SENTENCES} to update the model`,
    );
  const named = request.devFiles !== undefined && request.devFiles.length > 0;
  const split = named
    ? { train: reviewed, heldOut: [] as ReviewedSentence[] }
    : splitReviewed(reviewed, request.heldOutShare ?? HELD_OUT_SHARE);
  const work = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'spanlight-retrain-'));
  const candidate = path.join(request.taskFolder, CANDIDATE_FOLDER);
  try {
    const trainFile = path.join(work, 'reviewed-train.jsonl');
    const heldOutFile = path.join(work, 'reviewed-held-out.jsonl');
    const plain = (s: ReviewedSentence) => ({ tokens: s.tokens, tags: s.tags });
    await writeCorpus(trainFile, split.train.map(plain), 'jsonl');
    if (!named) await writeCorpus(heldOutFile, split.heldOut.map(plain), 'jsonl');
    const devFiles = named ? [...request.devFiles!] : [heldOutFile];
    const base = request.base;
    const outcome = await runTraining(
      {
        name: `${request.task} v${request.version}`,
        out: candidate,
        trainFiles: [trainFile],
        devFiles,
        // No one format: the reviewed sentences are JSONL, a dev file the user names is whatever it is.
        ...(base ? { initFrom: base.folder, compareWith: base.folder } : { preset: 'accurate' as const }),
        ...(request.kind && !base ? { task: request.kind } : {}),
        train: {
          ...(base ? RETRAIN_SETTINGS : FIRST_MODEL_SETTINGS),
          batchSize: retrainBatchSize(split.train.length),
          ...request.train,
        },
        ...(request.vectors && !base ? { vectors: true } : {}),
        ...(request.progressEvery ? { progressEvery: request.progressEvery } : {}),
        card: {
          description: `${request.task}: ${base ? `version ${base.version}` : 'a new model'} trained on ${split.train.length} reviewed sentences, judged on ${named ? devFiles.map((f) => path.basename(f)).join(', ') : `${split.heldOut.length} held-out reviewed sentences`}.`,
        },
      },
      {
        // A dev file the user named with problems: say where, rather than train on part of it.
        checked: (check) => {
          const first = check.problems[0];
          if (first)
            throw new RetrainInputError(
              `${check.problems.length + check.omittedProblems} problem${check.problems.length + check.omittedProblems === 1 ? '' : 's'} in the data; first: ${formatProblem(first)}`,
            );
          return true;
        },
        ...hooks,
      },
    );
    if (!outcome || outcome.training.cancelled || !outcome.folder || !outcome.evaluation) {
      await fs.promises.rm(candidate, { recursive: true, force: true });
      return undefined;
    }
    const sentences = outcome.evaluation.sentences;
    const heldOut: HeldOutScore = { sentences, ...devMetricsOf(outcome.evaluation) };
    const comparison = outcome.comparison;
    return {
      folder: candidate,
      version: request.version,
      name: `${request.task} v${request.version}`,
      basedOn: base?.version ?? 0,
      reviewedSentences: reviewed.length,
      trainSentences: split.train.length,
      heldOut,
      ...(comparison?.comparable ? { current: { sentences, ...comparison.current } } : {}),
      training: {
        seconds: outcome.training.seconds,
        epochs: outcome.training.history.length,
        bestEpoch: outcome.training.bestEpoch,
      },
    };
  } catch (err) {
    await fs.promises.rm(candidate, { recursive: true, force: true });
    throw err;
  } finally {
    await fs.promises.rm(work, { recursive: true, force: true });
  }
}
