/**
 * The training worker: one long-lived thread (or forked process, the fallback) that loads
 * tfjs-node once and runs training jobs one after another, so the extension host's event loop
 * stays free for tagging. Bundled to dist/train-worker.js.
 */
import { parentPort } from 'node:worker_threads';
import { loadTensorflow } from '../../core/backend';
import { RetrainInputError, retrain } from '../../core/loop/retrain';
import { TrainingInputError } from '../../core/train/pipeline';
import { JobUserError, runEventOf, runTrainingJob } from './job';
import type { FromWorker, RetrainJob, ToWorker, TrainingJob } from './worker-protocol';

interface Port {
  post(message: FromWorker): void;
  onMessage(listener: (message: ToWorker) => void): void;
}

function connect(): Port {
  if (parentPort) {
    const port = parentPort;
    return { post: (m) => port.postMessage(m), onMessage: (l) => port.on('message', l) };
  }
  if (process.send) {
    return {
      post: (m) => process.send?.(m),
      onMessage: (l) => process.on('message', (m) => l(m as ToWorker)),
    };
  }
  throw new Error('train-worker must run as a worker thread or a forked process');
}

interface Running {
  jobId: string;
  controller: AbortController;
  /** Resolves a pending `checked` question. */
  answer?: (proceed: boolean) => void;
}

const port = connect();
let running: Running | undefined;

/**
 * Runs one job at a time: `work` trains and returns the message that ends the job; errors end it
 * as `failed`, user errors (bad corpus, too few sentences) marked as such.
 */
async function run(jobId: string, work: (current: Running) => Promise<FromWorker>): Promise<void> {
  const current: Running = { jobId, controller: new AbortController() };
  running = current;
  try {
    port.post(await work(current));
  } catch (err) {
    const userError =
      err instanceof JobUserError || err instanceof RetrainInputError || err instanceof TrainingInputError;
    port.post({
      type: 'failed',
      jobId,
      message: err instanceof Error ? (userError ? err.message : (err.stack ?? err.message)) : String(err),
      userError,
    });
  } finally {
    if (running === current) running = undefined;
  }
}

function train(job: TrainingJob): Promise<void> {
  return run(job.jobId, async (current) => {
    const outcome = await runTrainingJob(job, {
      signal: current.controller.signal,
      checked: (check) => {
        port.post(check);
        if (check.problems.length === 0) return Promise.resolve(true);
        return new Promise<boolean>((resolve) => {
          current.answer = resolve;
        });
      },
      runStarted: (config) => port.post({ type: 'runStarted', jobId: job.jobId, config }),
      event: (event) => port.post({ type: 'event', jobId: job.jobId, event }),
    });
    return outcome ? { type: 'finished', jobId: job.jobId, outcome } : { type: 'declined', jobId: job.jobId };
  });
}

function retrainModel(job: RetrainJob): Promise<void> {
  return run(job.jobId, async (current) => {
    const started = Date.now();
    const result = await retrain(job.request, {
      signal: current.controller.signal,
      progress: (p) =>
        port.post({ type: 'event', jobId: job.jobId, event: runEventOf(p, (Date.now() - started) / 1000) }),
    });
    return { type: 'retrained', jobId: job.jobId, result: result ?? null };
  });
}

/** Refuses a job while another runs (the host queues them, so this is a safeguard). */
function busy(jobId: string): boolean {
  if (!running) return false;
  port.post({
    type: 'failed',
    jobId,
    message: `the worker is busy with job ${running.jobId}`,
    userError: false,
  });
  return true;
}

port.onMessage((message) => {
  switch (message.type) {
    case 'start':
      if (!busy(message.job.jobId)) void train(message.job);
      return;
    case 'retrain':
      if (!busy(message.job.jobId)) void retrainModel(message.job);
      return;
    case 'proceed':
      if (running?.jobId === message.jobId) running.answer?.(message.proceed);
      return;
    case 'cancel':
      if (running?.jobId === message.jobId) {
        running.controller.abort();
        running.answer?.(false);
      }
      return;
    default: {
      const unknown: never = message;
      throw new Error(`unknown message ${JSON.stringify(unknown)}`);
    }
  }
});

const tf = loadTensorflow();
const binding = (tf.backend() as unknown as { binding?: { TF_Version?: string } }).binding;
port.post({ type: 'ready', tensorflowVersion: binding?.TF_Version ?? 'unknown' });
