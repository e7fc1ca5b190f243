import type { ModelConfig } from '../model/config';
import { casingClass, normalizeWord, PAD_INDEX, UNK_INDEX, type VocabularyIndex } from './vocab';

/**
 * Distinct words of a batch that the char BiLSTM reads in one call, padded to the longest.
 * Buckets hold words of neighbouring lengths (see `chooseCharBuckets`): a few calls with a little
 * padding cost less than one call per exact length.
 */
export interface CharGroup {
  /** Time steps of this bucket: its longest word's char count. */
  length: number;
  count: number;
  /** Each word's own char count, `[count]`, all ≥ 1. */
  lengths: Int32Array;
  /** TIME-MAJOR `[length, count]` char ids (step `t` of word `w` at `t * count + w`); padding is 0. */
  charIds: Int32Array;
}

/** Relative costs of the char BiLSTM, in units of one word × one char step. */
export interface CharBucketCosts {
  /** Fixed cost of one bucket (op calls, tensor set-up). */
  perBucket: number;
  /** Cost of one time step whatever the number of words (one recurrent step of the kernel). */
  perStep: number;
}

/**
 * Chosen by timing the char BiLSTM forward+backward on EWT batches of 32 sentences (tfjs-node
 * fused kernels, charDim 30, charHidden 50): 2–4 buckets at 1.2–1.5× the real char steps beat
 * both one bucket per exact length (≈14 calls, ~1.7× slower) and a single padded bucket.
 */
export const DEFAULT_CHAR_BUCKET_COSTS: CharBucketCosts = { perBucket: 400, perStep: 10 };

/**
 * Cuts word lengths into contiguous buckets minimising Σ perBucket + T·(perStep + words), T being
 * each bucket's longest length: exact DP over the distinct lengths (at most maxWordLength of
 * them). `counts[i]` words have length `sortedLengths[i]`; returns the last index of each bucket.
 */
export function chooseCharBuckets(
  sortedLengths: readonly number[],
  counts: readonly number[],
  costs: CharBucketCosts = DEFAULT_CHAR_BUCKET_COSTS,
): number[] {
  const n = sortedLengths.length;
  const best = new Float64Array(n + 1).fill(Number.POSITIVE_INFINITY);
  const cut = new Int32Array(n + 1);
  best[0] = 0;
  for (let end = 1; end <= n; end++) {
    let words = 0;
    for (let start = end; start >= 1; start--) {
      words += counts[start - 1]!;
      const cost = best[start - 1]! + costs.perBucket + sortedLengths[end - 1]! * (costs.perStep + words);
      if (cost < best[end]!) {
        best[end] = cost;
        cut[end] = start - 1;
      }
    }
  }
  const ends: number[] = [];
  for (let end = n; end > 0; end = cut[end]!) ends.push(end - 1);
  return ends.reverse();
}

/**
 * A batch ready to become tensors. The char BiLSTM runs once per distinct word of the batch,
 * in a few buckets of similar lengths; tokens then gather their word's vector through
 * `tokenToDistinct`.
 */
export interface EncodedBatch {
  size: number;
  /** Longest sentence of the batch: T. */
  maxLength: number;
  lengths: Int32Array;
  /** Row-major [size, maxLength]; padding is 0. */
  wordIds: Int32Array;
  casing: Int32Array;
  /** Row-major [size, maxLength] index into the distinct words, buckets concatenated in order. */
  tokenToDistinct: Int32Array;
  charGroups: CharGroup[];
  /** Row-major [size, maxLength] label ids when tags were given; padding is 0. */
  tagIds?: Int32Array;
  /** Real tokens in the batch (sum of lengths). */
  tokenCount: number;
  distinctWords: number;
}

export interface BatchSentence {
  tokens: readonly string[];
  tags?: readonly string[];
}

/** Characters fed to the char BiLSTM: code points, truncated to maxWordLength. */
export function wordChars(token: string, maxWordLength: number): string[] {
  const chars = Array.from(token);
  return chars.length > maxWordLength ? chars.slice(0, maxWordLength) : chars;
}

/** The char buckets of a set of distinct words, and each word's row in their concatenation. */
export interface EncodedWords {
  charGroups: CharGroup[];
  /** Row of each distinct word (by its truncated characters joined) in the char BiLSTM output. */
  rowOf: Map<string, number>;
}

/** The key a word is deduplicated by: its characters as the char BiLSTM sees them. */
export function charKey(token: string, maxWordLength: number): string {
  // The UTF-16 length bounds the count of code points: a word that short is its own key.
  return token.length <= maxWordLength ? token : wordChars(token, maxWordLength).join('');
}

/** The chars the char BiLSTM reads for a word (a space for the empty word). */
export function charsOf(token: string, maxWordLength: number): string[] {
  const chars = wordChars(token, maxWordLength);
  return chars.length > 0 ? chars : [' '];
}

/**
 * Distinct words → length buckets for the char BiLSTM (sorted by length, cut where the DP says),
 * so no bucket pads much.
 */
export function encodeWords(
  tokens: Iterable<string>,
  index: VocabularyIndex,
  config: Pick<ModelConfig, 'maxWordLength'>,
  charBucketCosts: CharBucketCosts = DEFAULT_CHAR_BUCKET_COSTS,
): EncodedWords {
  const distinct = new Map<string, number>();
  const distinctChars: string[][] = [];
  const keys: string[] = [];
  for (const token of tokens) {
    const key = charKey(token, config.maxWordLength);
    if (distinct.has(key)) continue;
    distinct.set(key, distinctChars.length);
    distinctChars.push(charsOf(token, config.maxWordLength));
    keys.push(key);
  }
  // Words sorted by length (stable), then cut into buckets.
  const order = distinctChars
    .map((_, w) => w)
    .sort((a, b) => distinctChars[a]!.length - distinctChars[b]!.length);
  const sortedLengths: number[] = [];
  const counts: number[] = [];
  for (const w of order) {
    const length = distinctChars[w]!.length;
    if (sortedLengths[sortedLengths.length - 1] === length) counts[counts.length - 1]!++;
    else {
      sortedLengths.push(length);
      counts.push(1);
    }
  }
  const rowOf = new Map<string, number>();
  const charGroups: CharGroup[] = [];
  let next = 0;
  let firstLength = 0;
  for (const lastLength of chooseCharBuckets(sortedLengths, counts, charBucketCosts)) {
    let count = 0;
    for (let i = firstLength; i <= lastLength; i++) count += counts[i]!;
    const steps = sortedLengths[lastLength]!;
    const wordLengths = new Int32Array(count);
    const charIds = new Int32Array(steps * count);
    for (let w = 0; w < count; w++) {
      const source = order[next + w]!;
      rowOf.set(keys[source]!, next + w);
      const chars = distinctChars[source]!;
      wordLengths[w] = chars.length;
      chars.forEach((ch, c) => {
        charIds[c * count + w] = index.char.get(ch) ?? UNK_INDEX;
      });
    }
    charGroups.push({ length: steps, count, lengths: wordLengths, charIds });
    next += count;
    firstLength = lastLength + 1;
  }
  return { charGroups, rowOf };
}

/**
 * Encodes a batch. With `sharedWords` (the distinct words of many batches, encoded once by
 * `encodeWords`), tokens index into those rows and the batch carries no char buckets of its own:
 * the caller runs the char BiLSTM once for all batches.
 */
export function encodeBatch(
  sentences: readonly BatchSentence[],
  index: VocabularyIndex,
  config: Pick<ModelConfig, 'lowercase' | 'maxWordLength'>,
  charBucketCosts: CharBucketCosts = DEFAULT_CHAR_BUCKET_COSTS,
  sharedWords?: EncodedWords,
): EncodedBatch {
  const size = sentences.length;
  const maxLength = Math.max(1, ...sentences.map((s) => s.tokens.length));
  const lengths = new Int32Array(size);
  const wordIds = new Int32Array(size * maxLength);
  const casing = new Int32Array(size * maxLength);
  const tokenToDistinct = new Int32Array(size * maxLength);
  const hasTags = sentences.length > 0 && sentences.every((s) => s.tags !== undefined);
  const tagIds = hasTags ? new Int32Array(size * maxLength) : undefined;
  const words =
    sharedWords ??
    encodeWords(
      sentences.flatMap((s) => s.tokens),
      index,
      config,
      charBucketCosts,
    );
  let tokenCount = 0;
  sentences.forEach((sentence, b) => {
    lengths[b] = sentence.tokens.length;
    tokenCount += sentence.tokens.length;
    sentence.tokens.forEach((token, t) => {
      const at = b * maxLength + t;
      wordIds[at] = index.word.get(normalizeWord(token, config)) ?? UNK_INDEX;
      casing[at] = casingClass(token);
      const row = words.rowOf.get(charKey(token, config.maxWordLength));
      if (row === undefined)
        throw new Error(`word ${JSON.stringify(token)} is missing from the shared words`);
      tokenToDistinct[at] = row;
      if (tagIds) {
        const tag = sentence.tags![t]!;
        const id = index.label.get(tag);
        if (id === undefined) throw new Error(`unknown label ${JSON.stringify(tag)}`);
        tagIds[at] = id;
      }
    });
  });
  return {
    size,
    maxLength,
    lengths,
    wordIds,
    casing,
    tokenToDistinct,
    charGroups: sharedWords ? [] : words.charGroups,
    ...(tagIds ? { tagIds } : {}),
    tokenCount,
    distinctWords: words.rowOf.size,
  };
}

export { PAD_INDEX };
