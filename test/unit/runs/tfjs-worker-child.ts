// Loaded in a worker thread by tfjs-workers.test.ts: loads tfjs-node there and checks a product.
import { parentPort, workerData } from 'node:worker_threads';
import { loadTensorflow } from '../../../src/core/backend';

const tf = loadTensorflow();
const scale = (workerData as { scale: number }).scale;
const product = tf.tidy(() =>
  tf.matMul(
    tf
      .tensor2d([
        [1, 2],
        [3, 4],
      ])
      .mul(scale),
    tf.tensor2d([
      [5, 6],
      [7, 8],
    ]),
  ),
);
const values = Array.from(product.dataSync());
product.dispose();
parentPort?.postMessage({ backend: tf.getBackend(), values, tensors: tf.memory().numTensors });
