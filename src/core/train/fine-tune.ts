/**
 * Fine-tuning from a trained model (`--init-from`): the model's network and weights are kept,
 * its vocabularies grow by the training data's new words and characters, and its labels by the
 * data's new labels (old labels stay, so the model still knows them). New rows start as a fresh
 * network would (pretrained vectors for words that have one), so the old ones are untouched.
 */
import { buildVocabularies, type Vocabularies } from '../encode/vocab';
import type { ModelConfig } from '../model/config';
import type { ModelCard, NamedWeight } from '../model/io';
import type { NetworkOptions } from '../model/network';
import { Tagger } from '../model/tagger';
import type { TaggedSentence } from '../types';

/** Model settings a fine-tuning run may change: they act only while training. */
export const FINE_TUNABLE_SETTINGS = ['dropout', 'dropoutAt', 'wordDropout'] as const;

/** What fine-tuning added to the starting model. */
export interface Extension {
  newWords: number;
  newChars: number;
  newLabels: string[];
}

function appendNew(old: readonly string[], candidates: readonly string[]): string[] {
  const known = new Set(old);
  return [...old, ...candidates.filter((c) => !known.has(c))];
}

/**
 * A new tagger with `base`'s weights and vocabularies extended by `sentences`. `base` is left as
 * it was (the caller disposes it).
 */
export function extendTagger(
  base: Tagger,
  sentences: readonly TaggedSentence[],
  options: {
    name: string;
    /** Training-only settings (see FINE_TUNABLE_SETTINGS). */
    settings?: Partial<Pick<ModelConfig, (typeof FINE_TUNABLE_SETTINGS)[number]>>;
    seed?: number;
    /** Network options for the extended vocabularies (pretrained rows for the new words). */
    networkOptions?: (vocabularies: Vocabularies) => Omit<NetworkOptions, 'constraints' | 'seed'>;
    /** Extra vocabulary (pretrained vectors' frequent words) and which words have a vector. */
    pretrainedWords?: ReadonlySet<string>;
    extraWords?: Iterable<string>;
    card?: Partial<ModelCard>;
  },
): { tagger: Tagger; extension: Extension } {
  const old = base.card.vocabularies;
  const config: ModelConfig = { ...base.card.config, ...options.settings };
  const fromData = buildVocabularies(sentences, config, {
    ...(options.pretrainedWords ? { pretrainedWords: options.pretrainedWords } : {}),
    ...(options.extraWords ? { extraWords: options.extraWords } : {}),
  });
  // O stays first: label tables read best that way, and index 0 is what padding predicts.
  const vocabularies: Vocabularies = {
    words: appendNew(old.words, fromData.words),
    chars: appendNew(old.chars, fromData.chars),
    labels: appendNew(old.labels, fromData.labels),
  };
  const card: ModelCard = {
    ...base.card,
    ...options.card,
    name: options.name,
    config,
    vocabularies,
    createdAt: new Date().toISOString(),
  };
  const tagger = Tagger.create(card, { ...options.networkOptions?.(vocabularies), seed: options.seed ?? 1 });
  try {
    const fresh = new Map(tagger.network.weights().map((w) => [w.name, w]));
    const merged = base.network.weights().map((w) => mergeWeight(w, fresh.get(w.name)));
    tagger.network.setWeights(merged);
  } catch (err) {
    tagger.dispose();
    throw err;
  }
  return {
    tagger,
    extension: {
      newWords: vocabularies.words.length - old.words.length,
      newChars: vocabularies.chars.length - old.chars.length,
      newLabels: vocabularies.labels.slice(old.labels.length),
    },
  };
}

/**
 * The old weight laid over the new network's fresh one: where a dimension grew (new vocabulary
 * rows, new label columns), the new part keeps its fresh values.
 */
function mergeWeight(old: NamedWeight, fresh: NamedWeight | undefined): NamedWeight {
  if (!fresh) throw new Error(`the starting model has a weight (${old.name}) the new network lacks`);
  if (fresh.shape.length !== old.shape.length || fresh.shape.some((d, i) => d < old.shape[i]!))
    throw new Error(`weight ${old.name} cannot grow from [${old.shape}] to [${fresh.shape}]`);
  const data = fresh.data.slice();
  if (old.shape.length === 1) data.set(old.data);
  else if (old.shape.length === 2) {
    const [rows, columns] = old.shape as [number, number];
    const freshColumns = fresh.shape[1]!;
    for (let r = 0; r < rows; r++)
      data.set(old.data.subarray(r * columns, (r + 1) * columns), r * freshColumns);
  } else if (fresh.shape.every((d, i) => d === old.shape[i])) data.set(old.data);
  else throw new Error(`weight ${old.name} of rank ${old.shape.length} cannot grow`);
  return { name: old.name, shape: fresh.shape, data };
}
