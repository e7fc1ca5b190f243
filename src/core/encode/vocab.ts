import type { ModelConfig } from '../model/config';

export const PAD_INDEX = 0;
export const UNK_INDEX = 1;
export const PAD = '<pad>';
export const UNK = '<unk>';

/** Index ↔ symbol tables of a model; indices 0 and 1 of words and chars are PAD and UNK. */
export interface Vocabularies {
  words: string[];
  chars: string[];
  labels: string[];
}

/** Casing classes (the optional casing feature); index 0 is padding. */
export const CASING_CLASSES = [
  'pad',
  'lower',
  'upper',
  'title',
  'mixed',
  'numeric',
  'has-digit',
  'punct',
  'other',
] as const;

export function casingClass(word: string): number {
  if (/^\d+([.,]\d+)*$/.test(word)) return 5;
  if (/\d/.test(word)) return 6;
  if (/^[\p{P}\p{S}]+$/u.test(word)) return 7;
  const lower = word.toLowerCase();
  const upper = word.toUpperCase();
  if (word === lower && word !== upper) return 1;
  if (word === upper && word !== lower) return 2;
  if (word[0] === upper[0] && word.slice(1) === lower.slice(1) && word !== lower) return 3;
  if (word !== lower && word !== upper) return 4;
  return 8;
}

export interface VocabularyOptions {
  /** Words with a pretrained vector: kept in the vocabulary even when rarer than minWordFrequency. */
  pretrainedWords?: ReadonlySet<string>;
  /** Extra words to include (e.g. the most frequent pretrained words), in order. */
  extraWords?: Iterable<string>;
}

export function normalizeWord(word: string, config: Pick<ModelConfig, 'lowercase'>): string {
  return config.lowercase ? word.toLowerCase() : word;
}

/** Builds word, char and label tables from training sentences, most frequent first. */
export function buildVocabularies(
  sentences: Iterable<{ tokens: string[]; tags: string[] }>,
  config: Pick<ModelConfig, 'lowercase' | 'minWordFrequency'>,
  options: VocabularyOptions = {},
): Vocabularies {
  const wordCounts = new Map<string, number>();
  const charCounts = new Map<string, number>();
  const labels = new Set<string>();
  for (const sentence of sentences) {
    for (const token of sentence.tokens) {
      const word = normalizeWord(token, config);
      wordCounts.set(word, (wordCounts.get(word) ?? 0) + 1);
      for (const ch of token) charCounts.set(ch, (charCounts.get(ch) ?? 0) + 1);
    }
    for (const tag of sentence.tags) labels.add(tag);
  }
  const byFrequency = (counts: Map<string, number>) =>
    [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const words = [PAD, UNK];
  const seen = new Set(words);
  for (const [word, count] of byFrequency(wordCounts)) {
    if (count >= config.minWordFrequency || options.pretrainedWords?.has(word)) {
      words.push(word);
      seen.add(word);
    }
  }
  for (const word of options.extraWords ?? []) {
    if (!seen.has(word)) {
      words.push(word);
      seen.add(word);
    }
  }
  const chars = [PAD, UNK, ...byFrequency(charCounts).map(([ch]) => ch)];
  // 'O' first when present keeps entity label tables readable; the rest sorted for stability.
  const labelList = [...labels].sort((a, b) => (a === 'O' ? -1 : b === 'O' ? 1 : a < b ? -1 : a > b ? 1 : 0));
  return { words, chars, labels: labelList };
}

/** Fast lookups built once per model. */
export class VocabularyIndex {
  readonly word: Map<string, number>;
  readonly char: Map<string, number>;
  readonly label: Map<string, number>;

  constructor(readonly vocabularies: Vocabularies) {
    const index = (list: string[]) => new Map(list.map((s, i) => [s, i]));
    this.word = index(vocabularies.words);
    this.char = index(vocabularies.chars);
    this.label = index(vocabularies.labels);
  }
}
