import type { Tensor, Tensor1D, Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';
import { loadTensorflow } from '../../../src/core/backend';
import { createRandom } from '../../../src/core/encode/random';
import type { LstmWeights } from '../../../src/core/kernels';

export const tf = loadTensorflow();

/** Seeded PRNG shared with the core (mulberry32), so failures reproduce. */
export const seededRandom = createRandom;

/** Lengths in `[0, timeSteps]` that always include one full-length row. */
export function randomLengths(batchSize: number, timeSteps: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: batchSize }, (_, row) =>
    row === 0 ? timeSteps : Math.floor(random() * (timeSteps + 1)),
  );
}

/** Weights with values large enough that every gate is away from saturation and from 0.5. */
export function randomWeights(inputSize: number, hiddenSize: number, seed: number): LstmWeights {
  return {
    kernel: tf.randomNormal([inputSize + hiddenSize, 4 * hiddenSize], 0, 0.5, 'float32', seed) as Tensor2D,
    bias: tf.randomNormal([4 * hiddenSize], 0, 0.5, 'float32', seed + 1) as Tensor1D,
  };
}

export function randomInput(batchSize: number, timeSteps: number, inputSize: number, seed: number): Tensor3D {
  return tf.randomNormal([batchSize, timeSteps, inputSize], 0, 1, 'float32', seed) as Tensor3D;
}

export function maxAbsDiff(a: Tensor, b: Tensor): number {
  return tf.tidy(() => tf.sub(a, b).abs().max().dataSync()[0]!);
}

export function disposeWeights(...all: LstmWeights[]): void {
  for (const w of all) tf.dispose([w.kernel, w.bias]);
}

/** Live tensors in tfjs and native TensorFlow handles, to check that nothing leaks. */
export function liveTensors(): { tfjs: number; native: number } {
  const backend = tf.backend() as unknown as { binding: { getNumOfTensors(): number } };
  return { tfjs: tf.memory().numTensors, native: backend.binding.getNumOfTensors() };
}
