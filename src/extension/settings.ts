/**
 * The settings Spanlight reads, with their defaults: one entry per `contributes.configuration`
 * property (a unit test checks both directions). Imports nothing, so tests can read it.
 */
import type { DisplayMode } from '../core/annotations/layers';

export interface SpanlightConfig {
  /** Language ids of documents to tag. */
  languages: string[];
  /** Language ids of CoNLL files, shown with their own gold labels. */
  conllLanguages: string[];
  /** Documents longer than this (characters) are not tagged. */
  maxDocumentLength: number;
  'display.mode': DisplayMode;
  /** POS badges are left out in documents longer than this (characters). */
  'display.posMaxDocumentLength': number;
  /** Show the entity label after each entity. */
  'display.showLabelNames': boolean;
  /** Suggestions below this confidence are not shown. */
  'display.minConfidence': number;
  'tagging.debounceMs': number;
  /** Lines above and below the visible range that are tagged too. */
  'tagging.marginLines': number;
  'tagging.batchSize': number;
  'tagging.cacheSize': number;
  'hover.alternatives': number;
  /** Save annotation files this long after the last change (ms). */
  'annotations.saveDelayMs': number;
  /** Files the Train Tagger command offers as corpora. */
  'training.corpusGlob': string;
  /** Text files the Review queue and the Entities view cover. */
  'review.files': string;
  /** The Review queue reads at most this many files. */
  'review.maxFiles': number;
  /** The Review queue's order: the model's least certain sentences first, or document order. */
  'review.order': 'uncertainty' | 'document';
  /** How uncertainty is measured for the Review queue. */
  'review.uncertainty': 'totalTokenEntropy' | 'mnlp' | 'tokenEntropy' | 'leastConfidence';
  /** Retrain the model in use after this many newly reviewed sentences of its task (0: never by itself). */
  'loop.retrainEvery': number;
  /** Corpus files to judge updated models on, instead of held-out reviewed sentences. */
  'loop.devFiles': string[];
}

export const DEFAULT_CONFIG: SpanlightConfig = {
  languages: ['plaintext', 'markdown'],
  conllLanguages: ['conll'],
  maxDocumentLength: 5_000_000,
  'display.mode': 'entities',
  'display.posMaxDocumentLength': 20_000,
  'display.showLabelNames': true,
  'display.minConfidence': 0,
  'tagging.debounceMs': 300,
  'tagging.marginLines': 60,
  'tagging.batchSize': 32,
  'tagging.cacheSize': 20_000,
  'hover.alternatives': 3,
  'annotations.saveDelayMs': 400,
  'training.corpusGlob': '**/*.{conll,conllu,iob,iob2,bio,jsonl,ann}',
  'review.files': '**/*.{txt,md,markdown}',
  'review.maxFiles': 1000,
  'review.order': 'uncertainty',
  'review.uncertainty': 'totalTokenEntropy',
  'loop.retrainEvery': 25,
  'loop.devFiles': [],
};

export const SETTINGS_SECTION = 'spanlight';
