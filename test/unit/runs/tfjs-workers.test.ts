/**
 * tensorflow/tfjs#8388 reports that tfjs-node fails in a second worker thread. With tfjs-node 4.22
 * built against TF 2.21 it works here: this keeps that true for the main thread plus four
 * successive and four concurrent workers (the trainer still keeps one long-lived worker).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadTensorflow } from '../../../src/core/backend';
import { typeScriptWorker } from './ts-worker';

const child = path.join(__dirname, 'tfjs-worker-child.ts');

function runWorker(scale: number): Promise<{ backend: string; values: number[]; tensors: number }> {
  return new Promise((resolve, reject) => {
    const worker = typeScriptWorker(child, { workerData: { scale } });
    worker.once('message', (m) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0 && code !== 1) reject(new Error(`worker exited with ${code}`));
    });
  });
}

/** [[1,2],[3,4]]·scale × [[5,6],[7,8]] worked out by hand: [[19,22],[43,50]]·scale. */
const expected = (scale: number) => [19, 22, 43, 50].map((v) => v * scale);

describe('tfjs-node in worker threads', () => {
  it('loads in the main thread, then in four successive workers, each computing correctly', async () => {
    const tf = loadTensorflow();
    const main = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync());
    assert.deepEqual(Array.from(main), [11]);
    for (const scale of [1, 2, 3, 4]) {
      const result = await runWorker(scale);
      assert.equal(result.backend, 'tensorflow');
      assert.deepEqual(result.values, expected(scale));
      assert.equal(result.tensors, 0);
    }
  });

  it('loads in four concurrent workers', async () => {
    const results = await Promise.all([5, 6, 7, 8].map(runWorker));
    results.forEach((result, i) => {
      assert.equal(result.backend, 'tensorflow');
      assert.deepEqual(result.values, expected(5 + i));
    });
  });
});
