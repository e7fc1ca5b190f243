import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker thread running a TypeScript file from source. Node 20 does not apply `--import tsx` to
 * a worker's entry, so a tiny CommonJS bootstrap registers tsx and then requires the file.
 */
export function typeScriptWorker(file: string, options: WorkerOptions = {}): Worker {
  const bootstrap = `require('tsx/cjs'); require(${JSON.stringify(file)});`;
  return new Worker(bootstrap, { ...options, eval: true });
}
