import type { TaggedSentence } from '../types';
import type { CorpusProblem } from './problems';
import type { CorpusTokenizer } from './tokenize';

/**
 * Corpus formats. `uner` is the Universal NER variant of CoNLL-U (`ID FORM NER-TAG [- ANNOTATOR]`,
 * 3 to 5 columns, with `# sent_id` / `# text` comments).
 */
export type CorpusFormat = 'conll' | 'conllu' | 'uner' | 'jsonl' | 'brat';

export const CORPUS_FORMATS: readonly CorpusFormat[] = ['conll', 'conllu', 'uner', 'jsonl', 'brat'];

/** Which CoNLL-U column holds the tag: UPOS (column 4) or XPOS (column 5). */
export type PosColumn = 'upos' | 'xpos';

export interface CorpusReadOptions {
  /** Skip detection and read the file as this format. */
  format?: CorpusFormat;
  /** The tags are chunk tags: check each is `O` or `X-LABEL` with X in B, I, E, S, L, U. */
  chunkTags?: boolean;
  /** CoNLL-U: take the tag from UPOS (default) or XPOS. */
  posColumn?: PosColumn;
  /** JSONL text records and brat: how to cut a text into tokens (default `tokenizeForCorpus`). */
  tokenizer?: CorpusTokenizer;
  /** Throw a `CorpusError` instead of returning problems next to the valid sentences. */
  strict?: boolean;
  /** Problems kept before the rest are only counted (default 100). */
  maxProblems?: number;
}

/** One result of reading: a valid sentence, or a problem (whose sentence was skipped). */
export type CorpusItem =
  | { kind: 'sentence'; sentence: TaggedSentence }
  | { kind: 'problem'; problem: CorpusProblem };

export interface CorpusReadResult {
  format: CorpusFormat;
  sentences: TaggedSentence[];
  /** At most `maxProblems` problems, in file order. */
  problems: CorpusProblem[];
  /** Problems found beyond `maxProblems`. */
  omittedProblems: number;
}

export interface CorpusWriteOptions {
  /** CoNLL: column separator (default tab). */
  separator?: 'tab' | 'space';
  /** CoNLL-U: the column that receives the tag (default UPOS); the other one is `_`. */
  posColumn?: PosColumn;
  /** JSONL: `spans` writes text + tokens + character spans (default), `tokens` writes tokens + tags. */
  jsonlShape?: 'spans' | 'tokens';
  /** Problems collected before giving up (default 100). */
  maxProblems?: number;
}
