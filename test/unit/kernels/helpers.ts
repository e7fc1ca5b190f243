import type { Tensor, Tensor1D, Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';
import { loadTensorflow } from '../../../src/core/backend';
import { createRandom } from '../../../src/core/encode/random';
import {
  type CellKind,
  type CellWeights,
  cellFor,
  cellOf,
  type GruWeights,
  type KernelImplementation,
  type LstmWeights,
} from '../../../src/core/kernels';
import { weightsFrom, weightTensors } from '../../../src/core/kernels/cell';

export const tf = loadTensorflow();

/** Both cells: every kernel test runs for each. */
export const CELLS: readonly CellKind[] = ['lstm', 'gru'];

export const IMPLEMENTATIONS: readonly KernelImplementation[] = ['fused', 'reference'];

/** `[seed, batch, time, input, hidden]`: small, mid-sized and single-step batches. */
export const SIZES = [
  [1, 6, 9, 5, 7],
  [2, 9, 12, 16, 10],
  [3, 3, 1, 4, 2],
] as const;

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
export function randomWeights(inputSize: number, hiddenSize: number, seed: number): LstmWeights;
export function randomWeights(inputSize: number, hiddenSize: number, seed: number, kind: 'gru'): GruWeights;
export function randomWeights(
  inputSize: number,
  hiddenSize: number,
  seed: number,
  kind: CellKind,
): CellWeights;
export function randomWeights(
  inputSize: number,
  hiddenSize: number,
  seed: number,
  kind: CellKind = 'lstm',
): CellWeights {
  const cell = cellFor(kind);
  // Each part gets its shape from a freshly initialised set; only the values are replaced.
  const shapes = tf.tidy(() => weightTensors(cell, cell.init(tf, inputSize, hiddenSize)).map((t) => t.shape));
  return weightsFrom(
    cell,
    shapes.map((shape, i) => tf.randomNormal(shape as [number], 0, 0.5, 'float32', seed + i)) as Array<
      Tensor2D | Tensor1D
    >,
  );
}

export function randomInput(batchSize: number, timeSteps: number, inputSize: number, seed: number): Tensor3D {
  return tf.randomNormal([batchSize, timeSteps, inputSize], 0, 1, 'float32', seed) as Tensor3D;
}

export function maxAbsDiff(a: Tensor, b: Tensor): number {
  return tf.tidy(() => tf.sub(a, b).abs().max().dataSync()[0]!);
}

/** `[x, ...forward weights, ...backward weights]` (as `tf.grads` passes them) → x and both directions' weights. */
export function unpackPair(kind: CellKind, params: readonly Tensor[]): [Tensor3D, CellWeights, CellWeights] {
  const cell = cellFor(kind);
  const count = cell.parts.length;
  return [
    params[0] as Tensor3D,
    weightsFrom(cell, params.slice(1, 1 + count)),
    weightsFrom(cell, params.slice(1 + count)),
  ];
}

/** A cell's weights as a flat list (parts order), e.g. for `tf.grads`. */
export function weightList(weights: CellWeights): Tensor[] {
  return weightTensors(cellOf(weights), weights);
}

export function disposeWeights(...all: CellWeights[]): void {
  for (const w of all) tf.dispose(weightList(w));
}

/** Live tensors in tfjs and native TensorFlow handles, to check that nothing leaks. */
export function liveTensors(): { tfjs: number; native: number } {
  const backend = tf.backend() as unknown as { binding: { getNumOfTensors(): number } };
  return { tfjs: tf.memory().numTensors, native: backend.binding.getNumOfTensors() };
}
