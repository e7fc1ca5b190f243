/**
 * The training worker: one long-lived thread (or forked process, the fallback) that loads
 * tfjs-node once and runs training jobs one after another, so the extension host's event loop
 * stays free for tagging. Bundled to dist/train-worker.js.
 */
import { parentPort } from 'node:worker_threads';
import { loadTensorflow } from '../../core/backend';
import { JobUserError, runTrainingJob } from './job';
import type { FromWorker, ToWorker, TrainingJob } from './worker-protocol';

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

async function run(job: TrainingJob): Promise<void> {
  const current: Running = { jobId: job.jobId, controller: new AbortController() };
  running = current;
  try {
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
    if (outcome) port.post({ type: 'finished', jobId: job.jobId, outcome });
    else port.post({ type: 'declined', jobId: job.jobId });
  } catch (err) {
    port.post({
      type: 'failed',
      jobId: job.jobId,
      message:
        err instanceof Error
          ? err instanceof JobUserError
            ? err.message
            : (err.stack ?? err.message)
          : String(err),
      userError: err instanceof JobUserError,
    });
  } finally {
    if (running === current) running = undefined;
  }
}

port.onMessage((message) => {
  switch (message.type) {
    case 'start':
      if (running) {
        port.post({
          type: 'failed',
          jobId: message.job.jobId,
          message: `the worker is busy with job ${running.jobId}`,
          userError: false,
        });
        return;
      }
      void run(message.job);
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
