/**
 * Owns the one long-lived training worker and runs jobs on it one at a time. The worker starts on
 * the first job and stays up for the next ones (tfjs-node loads once); if it dies, the current job
 * fails and the next job starts a new one. No `vscode` import: tests and the benchmark drive it too.
 */
import { type ChildProcess, fork } from 'node:child_process';
import crypto from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { applyTensorflowEnvironment } from '../../core/backend';
import type { RetrainRequest } from '../../core/loop/retrain';
import type { RetrainResult } from '../../core/loop/versions';
import type { RunConfig, RunEvent, RunOutcome } from '../../core/runs/types';
import type { CheckedMessage } from './job';
import type { FromWorker, ToWorker, TrainingJob } from './worker-protocol';

/** What a worker thread and a forked process have in common, as the host uses it. */
export interface WorkerLike {
  post(message: ToWorker): void;
  onMessage(listener: (message: FromWorker) => void): void;
  /** Called once when the worker dies or fails to start. */
  onExit(listener: (reason: string) => void): void;
  terminate(): void;
}

export function threadWorker(worker: Worker): WorkerLike {
  return {
    post: (m) => worker.postMessage(m),
    onMessage: (l) => worker.on('message', l),
    onExit: (l) => {
      let told = false;
      const once = (reason: string) => {
        if (!told) l(reason);
        told = true;
      };
      // A missing native TensorFlow is said plainly; other errors keep their stack for the log.
      worker.on('error', (err) =>
        once(
          `the training worker failed: ${err.name === 'BackendUnavailableError' ? err.message : (err.stack ?? err.message)}`,
        ),
      );
      worker.on('exit', (code) => once(`the training worker exited with code ${code}`));
    },
    terminate: () => void worker.terminate(),
  };
}

export function processWorker(child: ChildProcess): WorkerLike {
  return {
    post: (m) => child.send(m),
    onMessage: (l) => child.on('message', (m) => l(m as FromWorker)),
    onExit: (l) => {
      let told = false;
      const once = (reason: string) => {
        if (!told) l(reason);
        told = true;
      };
      child.on('error', (err) => once(`the training process failed: ${err.message}`));
      child.on('exit', (code, signal) => once(`the training process exited (${signal ?? code})`));
    },
    terminate: () => void child.kill(),
  };
}

/** The bundled worker as a thread (default) or, as a fallback, a forked Node process. */
export function bundledWorkerFactory(
  script: string,
  mode: 'thread' | 'process' = 'thread',
): () => WorkerLike {
  // Before the worker loads TensorFlow, in this (main) thread: see applyTensorflowEnvironment.
  applyTensorflowEnvironment();
  return mode === 'thread'
    ? () => threadWorker(new Worker(script))
    : () => processWorker(fork(script, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] }));
}

export interface JobListener {
  /** Corpus read; with problems, resolve true to train on the valid part. */
  checked?(check: CheckedMessage): Promise<boolean> | boolean;
  runStarted?(config: RunConfig): void;
  event?(event: RunEvent): void;
}

export type JobResult =
  | { status: 'finished'; outcome: RunOutcome; config?: RunConfig }
  /** A retrain's candidate (undefined: cancelled). */
  | { status: 'retrained'; result: RetrainResult | undefined }
  | { status: 'declined' }
  | { status: 'failed'; message: string; userError: boolean; config?: RunConfig };

export interface JobHandle {
  readonly jobId: string;
  readonly done: Promise<JobResult>;
  /** Asks the worker to stop after the current step; the best weights so far are kept. */
  cancel(): void;
}

interface ActiveJob {
  jobId: string;
  listener: JobListener;
  config?: RunConfig;
  resolve(result: JobResult): void;
}

export class TrainingWorkerHost {
  private worker: WorkerLike | undefined;
  private active: ActiveJob | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  tensorflowVersion: string | undefined;
  /** Workers started so far (one, unless a worker died). */
  workersStarted = 0;

  constructor(private readonly createWorker: () => WorkerLike) {}

  get busy(): boolean {
    return this.active !== undefined;
  }

  /** Queues a training job; it starts when the previous one is done. */
  start(job: Omit<TrainingJob, 'jobId'>, listener: JobListener = {}): JobHandle {
    return this.enqueue((jobId) => ({ type: 'start', job: { ...job, jobId } }), listener);
  }

  /** Queues a model-in-the-loop retrain (core/loop/retrain.ts); its result is the candidate. */
  retrain(request: RetrainRequest, listener: Pick<JobListener, 'event'> = {}): JobHandle {
    return this.enqueue((jobId) => ({ type: 'retrain', job: { jobId, request } }), listener);
  }

  private enqueue(message: (jobId: string) => ToWorker, listener: JobListener): JobHandle {
    const jobId = crypto.randomUUID();
    let cancelled = false;
    const done = this.queue.then(
      () =>
        new Promise<JobResult>((resolve) => {
          if (this.disposed || cancelled) {
            resolve({ status: 'declined' });
            return;
          }
          this.active = { jobId, listener, resolve };
          this.ensureWorker().post(message(jobId));
        }),
    );
    this.queue = done;
    return {
      jobId,
      done,
      cancel: () => {
        cancelled = true;
        if (this.active?.jobId === jobId) this.worker?.post({ type: 'cancel', jobId });
      },
    };
  }

  private ensureWorker(): WorkerLike {
    if (this.worker) return this.worker;
    const worker = this.createWorker();
    this.workersStarted++;
    worker.onMessage((m) => this.receive(m));
    worker.onExit((reason) => {
      if (this.worker === worker) this.worker = undefined;
      this.finish({ status: 'failed', message: reason, userError: false });
    });
    this.worker = worker;
    return worker;
  }

  private finish(result: JobResult): void {
    const active = this.active;
    if (!active) return;
    this.active = undefined;
    active.resolve(
      active.config && (result.status === 'finished' || result.status === 'failed')
        ? { ...result, config: active.config }
        : result,
    );
  }

  private receive(message: FromWorker): void {
    if (message.type === 'ready') {
      this.tensorflowVersion = message.tensorflowVersion;
      return;
    }
    const active = this.active;
    if (!active || active.jobId !== message.jobId) return;
    switch (message.type) {
      case 'checked': {
        const answer = active.listener.checked?.(message) ?? true;
        if (message.problems.length === 0) return;
        void Promise.resolve(answer).then(
          (proceed) => this.worker?.post({ type: 'proceed', jobId: active.jobId, proceed }),
          () => this.worker?.post({ type: 'proceed', jobId: active.jobId, proceed: false }),
        );
        return;
      }
      case 'runStarted':
        active.config = message.config;
        active.listener.runStarted?.(message.config);
        return;
      case 'event':
        active.listener.event?.(message.event);
        return;
      case 'finished':
        this.finish({ status: 'finished', outcome: message.outcome });
        return;
      case 'retrained':
        this.finish({ status: 'retrained', result: message.result ?? undefined });
        return;
      case 'declined':
        this.finish({ status: 'declined' });
        return;
      case 'failed':
        this.finish({ status: 'failed', message: message.message, userError: message.userError });
        return;
      default: {
        const unknown: never = message;
        throw new Error(`unknown worker message ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** Cancels the running job and ends the worker. */
  dispose(): void {
    this.disposed = true;
    if (this.active) this.worker?.post({ type: 'cancel', jobId: this.active.jobId });
    this.worker?.terminate();
    this.worker = undefined;
    this.finish({ status: 'failed', message: 'the training worker was stopped', userError: false });
  }
}
