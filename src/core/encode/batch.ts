import type { ModelConfig } from '../model/config';
import { casingClass, normalizeWord, PAD_INDEX, UNK_INDEX, type VocabularyIndex } from './vocab';

/** The distinct words of a batch that have the same number of characters. */
export interface CharGroup {
  /** Characters per word in this group. */
  length: number;
  count: number;
  /** Row-major [count, length] char ids. */
  charIds: Int32Array;
}

/**
 * A batch ready to become tensors. The char BiLSTM runs once per distinct word of the batch,
 * with words grouped by length so no group needs padding; tokens then gather their word's
 * vector through `tokenToDistinct`.
 */
export interface EncodedBatch {
  size: number;
  /** Longest sentence of the batch: T. */
  maxLength: number;
  lengths: Int32Array;
  /** Row-major [size, maxLength]; padding is 0. */
  wordIds: Int32Array;
  casing: Int32Array;
  /** Row-major [size, maxLength] index into the distinct words, groups concatenated in order. */
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

export function encodeBatch(
  sentences: readonly BatchSentence[],
  index: VocabularyIndex,
  config: Pick<ModelConfig, 'lowercase' | 'maxWordLength'>,
): EncodedBatch {
  const size = sentences.length;
  const maxLength = Math.max(1, ...sentences.map((s) => s.tokens.length));
  const lengths = new Int32Array(size);
  const wordIds = new Int32Array(size * maxLength);
  const casing = new Int32Array(size * maxLength);
  const distinctOfToken = new Int32Array(size * maxLength);
  const hasTags = sentences.length > 0 && sentences.every((s) => s.tags !== undefined);
  const tagIds = hasTags ? new Int32Array(size * maxLength) : undefined;

  // Distinct words per char length, in order of first appearance.
  const groups = new Map<number, { key: Map<string, number>; words: string[][] }>();
  const tokenGroup = new Int32Array(size * maxLength);
  let tokenCount = 0;
  sentences.forEach((sentence, b) => {
    lengths[b] = sentence.tokens.length;
    tokenCount += sentence.tokens.length;
    sentence.tokens.forEach((token, t) => {
      const at = b * maxLength + t;
      wordIds[at] = index.word.get(normalizeWord(token, config)) ?? UNK_INDEX;
      casing[at] = casingClass(token);
      const chars = wordChars(token, config.maxWordLength);
      const length = Math.max(1, chars.length);
      let group = groups.get(length);
      if (!group) {
        group = { key: new Map(), words: [] };
        groups.set(length, group);
      }
      const key = chars.join('');
      let position = group.key.get(key);
      if (position === undefined) {
        position = group.words.length;
        group.key.set(key, position);
        group.words.push(chars.length > 0 ? chars : [' ']);
      }
      tokenGroup[at] = length;
      distinctOfToken[at] = position;
      if (tagIds) {
        const tag = sentence.tags![t]!;
        const id = index.label.get(tag);
        if (id === undefined) throw new Error(`unknown label ${JSON.stringify(tag)}`);
        tagIds[at] = id;
      }
    });
  });

  const orderedLengths = [...groups.keys()].sort((a, b) => a - b);
  const groupOffset = new Map<number, number>();
  const charGroups: CharGroup[] = [];
  let offset = 0;
  for (const length of orderedLengths) {
    const words = groups.get(length)!.words;
    const charIds = new Int32Array(words.length * length);
    words.forEach((chars, w) => {
      chars.forEach((ch, c) => {
        charIds[w * length + c] = index.char.get(ch) ?? UNK_INDEX;
      });
    });
    charGroups.push({ length, count: words.length, charIds });
    groupOffset.set(length, offset);
    offset += words.length;
  }
  const tokenToDistinct = new Int32Array(size * maxLength);
  for (let b = 0; b < size; b++) {
    for (let t = 0; t < lengths[b]!; t++) {
      const at = b * maxLength + t;
      tokenToDistinct[at] = groupOffset.get(tokenGroup[at]!)! + distinctOfToken[at]!;
    }
  }
  return {
    size,
    maxLength,
    lengths,
    wordIds,
    casing,
    tokenToDistinct,
    charGroups,
    ...(tagIds ? { tagIds } : {}),
    tokenCount,
    distinctWords: offset,
  };
}

export { PAD_INDEX };
