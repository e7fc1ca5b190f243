/**
 * The reviewed sentences a retrain learns from, and the share of them held out to judge it. A
 * sentence is held out or not by a hash of its key (its document and text), so it stays on the
 * same side from one retrain to the next: versions are judged on sentences none of them trained
 * on, and the held-out set only grows.
 */

/** A sentence the annotator has reviewed: its tokens and their tags as the annotator left them. */
export interface ReviewedSentence {
  /** Stable identity: the same sentence gives the same key in every retrain. */
  key: string;
  tokens: string[];
  tags: string[];
}

/** Share of the reviewed sentences held out to judge retrained models. */
export const HELD_OUT_SHARE = 0.2;

/** A sentence key's place in [0, 1): FNV-1a over its UTF-16 code units, well spread for similar keys. */
export function keyPosition(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // A final avalanche (murmur3's fmix32): keys differing in their last character land far apart.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 2 ** 32;
}

/**
 * Splits reviewed sentences into those to train on and those held out (`share` of them, by key).
 * With two or more sentences each side gets at least one: the one whose key comes first is held
 * out when the hash held none, the last held-out one trains when it held all.
 */
export function splitReviewed<T extends { key: string }>(
  sentences: readonly T[],
  share = HELD_OUT_SHARE,
): { train: T[]; heldOut: T[] } {
  const train: T[] = [];
  const heldOut: T[] = [];
  for (const sentence of sentences) (keyPosition(sentence.key) < share ? heldOut : train).push(sentence);
  if (sentences.length >= 2 && heldOut.length === 0) {
    const first = train.reduce((a, b) => (keyPosition(b.key) < keyPosition(a.key) ? b : a));
    return { train: train.filter((s) => s !== first), heldOut: [first] };
  }
  if (sentences.length >= 2 && train.length === 0) {
    const last = heldOut.reduce((a, b) => (keyPosition(b.key) > keyPosition(a.key) ? b : a));
    return { train: [last], heldOut: heldOut.filter((s) => s !== last) };
  }
  return { train, heldOut };
}
