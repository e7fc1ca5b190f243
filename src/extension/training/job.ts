/**
 * One training job from corpus files to a saved model and a recorded run. It runs inside the
 * training worker (train-worker.ts) and imports no `vscode`; the hooks carry its questions and
 * progress out.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readCorpus } from '../../core/corpus';
import { spanMetrics } from '../../core/metrics';
import { confusionMatrix, tokenAccuracy } from '../../core/metrics/tokens';
import { writeModelCard } from '../../core/model/card';
import type { ModelConfig, TrainConfig } from '../../core/model/config';
import type { Tagger } from '../../core/model/tagger';
import { newRunId, RunWriter } from '../../core/runs/store';
import type { EvaluationEvent, LabelScores, RunConfig, RunEvent, RunOutcome } from '../../core/runs/types';
import {
  prepareTrainingData,
  presetFor,
  splitDev,
  summarizeData,
  TrainingDataError,
} from '../../core/train/prepare';
import { trainTagger } from '../../core/train/trainer';
import type { TaggedSentence } from '../../core/types';
import { assertSpanlightWrite, isInside, OutsideFolderError } from '../../core/workspace-paths';
import type { FromWorker, JobProblem, TrainingJob } from './worker-protocol';

/** A problem the user can fix: bad corpus, bad config file, no sentences. */
export class JobUserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobUserError';
  }
}

export type CheckedMessage = Extract<FromWorker, { type: 'checked' }>;

export interface JobHooks {
  signal: AbortSignal;
  /** Called once the corpus is read; with problems, training goes on only if this resolves true. */
  checked(check: CheckedMessage): Promise<boolean>;
  runStarted(config: RunConfig): void;
  event(event: RunEvent): void;
}

/** Sentences held out of the evaluation when there is no dev set (keeps it to seconds). */
const MAX_TRAIN_EVALUATION = 2000;

async function readFiles(
  files: readonly string[],
  job: TrainingJob,
): Promise<{ sentences: TaggedSentence[]; problems: JobProblem[]; omitted: number }> {
  const sentences: TaggedSentence[] = [];
  const problems: JobProblem[] = [];
  let omitted = 0;
  for (const file of files) {
    const result = await readCorpus(file, job.format ? { format: job.format } : {});
    sentences.push(...result.sentences);
    problems.push(...result.problems);
    omitted += result.omittedProblems;
  }
  return { sentences, problems, omitted };
}

async function readConfigFile(
  file: string | undefined,
): Promise<{ model?: Partial<ModelConfig>; train?: Partial<TrainConfig> }> {
  if (!file) return {};
  try {
    const parsed = JSON.parse(await fs.promises.readFile(file, 'utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not a JSON object with "model" and "train" settings');
    return parsed as { model?: Partial<ModelConfig>; train?: Partial<TrainConfig> };
  } catch (err) {
    throw new JobUserError(`${file}:1: cannot read the training config (${(err as Error).message})`);
  }
}

/** A folder name from a model name: letters, digits, dot, dash and underscore. */
export function modelFolderName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '') || 'model';
}

/** Scores per label of the best model: chunk types for entities, tags for POS. */
export function evaluateLabels(
  tagger: Tagger,
  sentences: readonly TaggedSentence[],
  split: 'dev' | 'train',
): EvaluationEvent {
  const predicted = tagger.tag(
    sentences.map((s) => s.tokens),
    { batchSize: 64, alternatives: 0 },
  );
  const gold = sentences.map((s) => s.tags);
  const pred = predicted.map((tokens) => tokens.map((t) => t.tag));
  const tokens = tokenAccuracy(gold, pred);
  const confusion = confusionMatrix(gold, pred);
  if (tagger.card.config.task === 'pos') {
    const perLabel: Record<string, LabelScores> = {};
    for (const [tag, c] of Object.entries(tokens.perTag))
      perLabel[tag] = { precision: c.precision, recall: c.recall, f1: c.f1, support: c.gold };
    return { kind: 'evaluation', split, accuracy: tokens.accuracy, perLabel, confusion };
  }
  const spans = spanMetrics(gold, pred);
  const perLabel: Record<string, LabelScores> = {};
  for (const [label, s] of Object.entries(spans.perLabel))
    perLabel[label] = { precision: s.precision, recall: s.recall, f1: s.f1, support: s.support };
  return {
    kind: 'evaluation',
    split,
    accuracy: tokens.accuracy,
    f1: spans.micro.f1,
    perLabel,
    confusion: confusion.byType ?? confusion,
  };
}

/** Writes the model next to its final place, then swaps it in, so readers never see half a model. */
async function saveModelAtomically(
  tagger: Tagger,
  folder: string,
  cardUpdates: Parameters<Tagger['save']>[1],
): Promise<void> {
  const suffix = crypto.randomBytes(4).toString('hex');
  const parent = path.dirname(folder);
  const temp = path.join(parent, `.${path.basename(folder)}.tmp-${suffix}`);
  const old = path.join(parent, `.${path.basename(folder)}.old-${suffix}`);
  await tagger.save(temp, cardUpdates);
  await writeModelCard(temp);
  try {
    await fs.promises.rename(folder, old);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await fs.promises.rename(temp, folder);
  await fs.promises.rm(old, { recursive: true, force: true });
}

const relativeTo = (root: string | undefined, file: string) =>
  root && isInside(root, file) ? path.relative(root, file) : file;

/**
 * Reads, checks, trains, evaluates and saves. Returns the outcome, or undefined when the user
 * chose not to train on a corpus with problems. Throws `JobUserError` for fixable input problems.
 */
export async function runTrainingJob(job: TrainingJob, hooks: JobHooks): Promise<RunOutcome | undefined> {
  const workspaceRoots = job.workspaceRoot ? [job.workspaceRoot] : [];
  for (const root of [job.runsRoot, job.modelsRoot]) {
    await assertSpanlightWrite(workspaceRoots, root).catch((err: Error) => {
      throw err instanceof OutsideFolderError ? new JobUserError(err.message) : err;
    });
  }
  const [trainRead, devRead, fileConfig] = await Promise.all([
    readFiles(job.trainFiles, job),
    readFiles(job.devFiles, job),
    readConfigFile(job.preset === 'custom' ? job.configFile : undefined),
  ]);
  let trainSentences = trainRead.sentences;
  let devSentences = devRead.sentences;
  if (devSentences.length === 0 && job.devRatio !== undefined && job.devRatio > 0) {
    const split = splitDev(trainSentences, job.devRatio, job.train?.seed ?? 1);
    trainSentences = split.train;
    devSentences = split.dev;
  }
  let prepared: ReturnType<typeof prepareTrainingData>;
  try {
    prepared = prepareTrainingData(trainSentences, devSentences, [], {
      ...(job.task ? { task: job.task } : {}),
      ...(fileConfig.model?.tagScheme && fileConfig.model.tagScheme !== 'none'
        ? { scheme: fileConfig.model.tagScheme }
        : {}),
    });
  } catch (err) {
    if (err instanceof TrainingDataError) {
      const first = [...trainRead.problems, ...devRead.problems][0];
      throw new JobUserError(
        first ? `${err.message}; first problem: ${first.path}:${first.line}: ${first.message}` : err.message,
      );
    }
    throw err;
  }
  const problems = [...trainRead.problems, ...devRead.problems];
  const check: CheckedMessage = {
    type: 'checked',
    jobId: job.jobId,
    problems,
    omittedProblems: trainRead.omitted + devRead.omitted,
    train: summarizeData(prepared.train, prepared.task),
    dev: summarizeData(prepared.dev, prepared.task),
  };
  const proceed = await hooks.checked(check);
  if (problems.length > 0 && !proceed) return undefined;
  if (hooks.signal.aborted) return undefined;

  const preset = job.preset === 'custom' ? { model: {}, train: {} } : presetFor(job.preset, prepared.task);
  const model: Partial<ModelConfig> = {
    ...preset.model,
    ...fileConfig.model,
    ...job.model,
    task: prepared.task,
    tagScheme: prepared.scheme,
  };
  const train: Partial<TrainConfig> = { ...preset.train, ...fileConfig.train, ...job.train };
  const modelFolder = path.join(job.modelsRoot, modelFolderName(job.name));
  const config: RunConfig = {
    id: newRunId(job.runsRoot, job.name),
    name: job.name,
    task: prepared.task,
    scheme: prepared.scheme,
    preset: job.preset,
    createdAt: new Date().toISOString(),
    trainFiles: job.trainFiles.map((f) => relativeTo(job.workspaceRoot, f)),
    devFiles: job.devFiles.map((f) => relativeTo(job.workspaceRoot, f)),
    ...(job.devFiles.length === 0 && job.devRatio ? { devRatio: job.devRatio } : {}),
    vectors: job.vectors,
    model,
    train,
    data: {
      train: check.train,
      dev: check.dev,
      repairs: prepared.repairs,
      problems: problems.length + check.omittedProblems,
    },
    modelFolder,
  };
  const writer = await RunWriter.create(job.runsRoot, config);
  hooks.runStarted(config);
  const emit = (event: RunEvent) => {
    void writer.append(event);
    hooks.event(event);
  };
  const started = Date.now();
  const elapsed = () => (Date.now() - started) / 1000;
  let tagger: Tagger | undefined;
  try {
    const pretrained = job.vectors ? (await import('../../core/train/vectors')).loadWinkVectors() : undefined;
    const result = await trainTagger({
      name: job.name,
      model,
      train,
      trainSentences: prepared.train,
      devSentences: prepared.dev,
      signal: hooks.signal,
      ...(pretrained ? { pretrained } : {}),
      ...(job.progressEvery ? { progressEvery: job.progressEvery } : {}),
      ...(job.maxSteps ? { maxSteps: job.maxSteps } : {}),
      card: {
        trainingData: {
          files: config.trainFiles.map((f) => path.basename(f)),
          sentences: 0,
          tokens: 0,
          repairs: prepared.repairs,
        },
      },
      onProgress: (p) => {
        if (p.kind === 'step') {
          emit({
            kind: 'step',
            epoch: p.epoch,
            step: p.step,
            stepsPerEpoch: p.stepsPerEpoch,
            globalStep: (p.epoch - 1) * p.stepsPerEpoch + p.step,
            loss: p.loss,
            tokensPerSecond: p.tokensPerSecond,
            eta: p.eta,
            elapsed: elapsed(),
          });
        } else {
          emit({
            kind: 'epoch',
            epoch: p.epoch,
            loss: p.loss,
            tokensPerSecond: p.tokensPerSecond,
            seconds: p.seconds,
            ...(p.devMetrics ? { dev: p.devMetrics } : {}),
            best: p.best ?? false,
            elapsed: elapsed(),
          });
        }
      },
    });
    tagger = result.tagger;
    const trained = result.history.length > 0;
    if (trained) {
      const split = prepared.dev.length > 0 ? 'dev' : 'train';
      const evaluation = evaluateLabels(
        tagger,
        split === 'dev' ? prepared.dev : prepared.train.slice(0, MAX_TRAIN_EVALUATION),
        split,
      );
      emit(evaluation);
      await saveModelAtomically(tagger, modelFolder, {
        metrics: {
          [split]: {
            accuracy: evaluation.accuracy,
            ...(evaluation.f1 !== undefined ? { f1: evaluation.f1 } : {}),
          },
          trainTokensPerSecond: result.tokensPerSecond,
          trainingSeconds: result.seconds,
        },
      });
    }
    const outcome: RunOutcome = {
      status: result.cancelled ? 'cancelled' : 'completed',
      finishedAt: new Date().toISOString(),
      epochs: result.history.length,
      bestEpoch: result.bestEpoch,
      tokensPerSecond: result.tokensPerSecond,
      seconds: result.seconds,
      ...(trained ? { modelFolder } : {}),
    };
    await writer.finish(outcome);
    return outcome;
  } catch (err) {
    const outcome: RunOutcome = {
      status: 'failed',
      finishedAt: new Date().toISOString(),
      epochs: 0,
      bestEpoch: 0,
      tokensPerSecond: 0,
      seconds: elapsed(),
      error: (err as Error).message,
    };
    await writer.finish(outcome).catch(() => undefined);
    throw err;
  } finally {
    tagger?.dispose();
  }
}
