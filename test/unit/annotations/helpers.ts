import path from 'node:path';
import { DATA_DIR } from '../data';

export const repoRoot = path.resolve(__dirname, '../../..');
export const sampleWorkspace = path.join(repoRoot, 'test/fixtures/sample-workspace');
export const fixtureNerModel = path.join(sampleWorkspace, '.spanlight/models/fixture-ner');
export const sharedData = DATA_DIR;

/** A small deterministic PRNG so random tests replay exactly (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
