import { createRandom, shuffled } from './random';

/**
 * Length-bucketed batches: sentences sorted by length (ties broken at random) and cut into
 * batches, so each batch pads little; then the batch order is shuffled. Seeded.
 * Returns indices into `lengths`.
 */
export function bucketedBatches(lengths: readonly number[], batchSize: number, seed: number): number[][] {
  const random = createRandom(seed);
  const jitter = lengths.map(() => random());
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || jitter[a]! - jitter[b]!);
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
  return shuffled(batches, random);
}

/** Batches for inference: sorted by length, in order; callers map results back by index. */
export function sortedBatches(lengths: readonly number[], batchSize: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
  return batches;
}
