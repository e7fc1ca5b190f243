/**
 * One editor training job: the core pipeline (src/core/train/pipeline.ts) with the run recorded
 * in `.spanlight/runs/<id>/` for the dashboard. It runs inside the training worker
 * (train-worker.ts) and imports no `vscode`; the hooks carry its questions and progress out.
 */
import path from 'node:path';
import { newRunId, RunWriter } from '../../core/runs/store';
import type { EvaluationEvent, RunConfig, RunEvent, RunOutcome } from '../../core/runs/types';
import { runTraining, TrainingInputError, type TrainingOutcome } from '../../core/train/pipeline';
import type { TrainProgress } from '../../core/train/trainer';
import { assertSpanlightWrite, isInside, OutsideFolderError } from '../../core/workspace-paths';
import type { FromWorker, TrainingJob } from './worker-protocol';

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

/** A folder name from a model name: letters, digits, dot, dash and underscore. */
export function modelFolderName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '') || 'model';
}

const relativeTo = (root: string | undefined, file: string) =>
  root && isInside(root, file) ? path.relative(root, file) : file;

function evaluationEvent(outcome: TrainingOutcome): EvaluationEvent | undefined {
  const evaluation = outcome.evaluation;
  if (!evaluation) return undefined;
  return {
    kind: 'evaluation',
    split: evaluation.split,
    accuracy: evaluation.accuracy,
    ...(evaluation.f1 !== undefined ? { f1: evaluation.f1 } : {}),
    perLabel: evaluation.perLabel,
    confusion: evaluation.confusion,
  };
}

/** A trainer progress report as the run event the dashboard and the status bar read. */
export function runEventOf(p: TrainProgress, elapsed: number): RunEvent {
  if (p.kind === 'step')
    return {
      kind: 'step',
      epoch: p.epoch,
      step: p.step,
      stepsPerEpoch: p.stepsPerEpoch,
      globalStep: (p.epoch - 1) * p.stepsPerEpoch + p.step,
      loss: p.loss,
      tokensPerSecond: p.tokensPerSecond,
      eta: p.eta,
      elapsed,
    };
  return {
    kind: 'epoch',
    epoch: p.epoch,
    loss: p.loss,
    tokensPerSecond: p.tokensPerSecond,
    seconds: p.seconds,
    ...(p.devMetrics ? { dev: p.devMetrics } : {}),
    best: p.best ?? false,
    elapsed,
  };
}

/**
 * Reads, checks, trains, evaluates and saves, recording the run. Returns the outcome, or
 * undefined when the user chose not to train on a corpus with problems. Throws `JobUserError`
 * for fixable input problems.
 */
export async function runTrainingJob(job: TrainingJob, hooks: JobHooks): Promise<RunOutcome | undefined> {
  const workspaceRoots = job.workspaceRoot ? [job.workspaceRoot] : [];
  for (const root of [job.runsRoot, job.modelsRoot]) {
    await assertSpanlightWrite(workspaceRoots, root).catch((err: Error) => {
      throw err instanceof OutsideFolderError ? new JobUserError(err.message) : err;
    });
  }
  const modelFolder = path.join(job.modelsRoot, modelFolderName(job.name));
  let writer: RunWriter | undefined;
  const emit = (event: RunEvent) => {
    void writer?.append(event);
    hooks.event(event);
  };
  const started = Date.now();
  const elapsed = () => (Date.now() - started) / 1000;
  try {
    const outcome = await runTraining(
      {
        name: job.name,
        out: modelFolder,
        trainFiles: job.trainFiles,
        devFiles: job.devFiles,
        ...(job.devRatio !== undefined ? { devRatio: job.devRatio } : {}),
        ...(job.format ? { format: job.format } : {}),
        ...(job.task ? { task: job.task } : {}),
        ...(job.labelMap ? { labelMap: job.labelMap } : {}),
        ...(job.preset !== 'custom' ? { preset: job.preset } : {}),
        ...(job.preset === 'custom' && job.configFile ? { configFile: job.configFile } : {}),
        ...(job.model ? { model: job.model } : {}),
        ...(job.train ? { train: job.train } : {}),
        vectors: job.vectors,
        ...(job.initFrom ? { initFrom: job.initFrom } : {}),
        ...(job.compareWith ? { compareWith: job.compareWith } : {}),
        ...(job.progressEvery ? { progressEvery: job.progressEvery } : {}),
        ...(job.maxSteps ? { maxSteps: job.maxSteps } : {}),
      },
      {
        signal: hooks.signal,
        checked: (check) =>
          hooks.checked({
            type: 'checked',
            jobId: job.jobId,
            problems: check.problems,
            omittedProblems: check.omittedProblems,
            train: check.train,
            dev: check.dev,
            warnings: check.warnings,
          }),
        started: async (plan) => {
          const config: RunConfig = {
            id: newRunId(job.runsRoot, job.name),
            name: job.name,
            task: plan.task,
            scheme: plan.scheme,
            preset: plan.preset,
            createdAt: new Date().toISOString(),
            trainFiles: job.trainFiles.map((f) => relativeTo(job.workspaceRoot, f)),
            devFiles: job.devFiles.map((f) => relativeTo(job.workspaceRoot, f)),
            ...(plan.devRatio ? { devRatio: plan.devRatio } : {}),
            vectors: job.vectors,
            ...(job.labelMap ? { labelMap: job.labelMap } : {}),
            ...(job.initFrom ? { initFrom: relativeTo(job.workspaceRoot, job.initFrom) } : {}),
            model: plan.model,
            train: plan.train,
            data: plan.data,
            modelFolder,
          };
          writer = await RunWriter.create(job.runsRoot, config);
          hooks.runStarted(config);
        },
        progress: (p) => emit(runEventOf(p, elapsed())),
      },
    );
    if (!outcome) return undefined;
    const evaluation = evaluationEvent(outcome);
    if (evaluation) emit(evaluation);
    const { training } = outcome;
    const result: RunOutcome = {
      status: training.cancelled ? 'cancelled' : 'completed',
      finishedAt: new Date().toISOString(),
      epochs: training.history.length,
      bestEpoch: training.bestEpoch,
      tokensPerSecond: training.tokensPerSecond,
      seconds: training.seconds,
      ...(outcome.folder ? { modelFolder: outcome.folder } : {}),
      verdict: outcome.verdict,
      ...(outcome.comparison ? { comparison: outcome.comparison } : {}),
    };
    await writer?.finish(result);
    return result;
  } catch (err) {
    const failure: RunOutcome = {
      status: 'failed',
      finishedAt: new Date().toISOString(),
      epochs: 0,
      bestEpoch: 0,
      tokensPerSecond: 0,
      seconds: elapsed(),
      error: (err as Error).message,
    };
    await writer?.finish(failure).catch(() => undefined);
    if (err instanceof TrainingInputError) throw new JobUserError(err.message);
    throw err;
  }
}
