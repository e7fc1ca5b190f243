/** Shared bits of the corpus tests: where the data lives, temp folders, comparable sentences. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TaggedSentence } from '../../../src/core/types';
import { DATA_DIR } from '../data';

export const DATA = DATA_DIR;

export const CORPORA = {
  ewtDev: path.join(DATA, 'ud-en-ewt/en_ewt-ud-dev.conllu'),
  frDev: path.join(DATA, 'ud-fr-gsd/fr_gsd-ud-dev.conllu'),
  wnutTrain: path.join(DATA, 'wnut17/wnut17train.conll'),
  wnutDev: path.join(DATA, 'wnut17/emerging.dev.conll'),
  unerDev: path.join(DATA, 'uner-en-ewt/en_ewt-ud-dev.iob2'),
};

export async function makeTempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'spanlight-corpus-'));
}

/** A sentence without its source line, which legitimately changes when a corpus is rewritten. */
export function withoutLine({ line: _line, ...rest }: TaggedSentence): TaggedSentence {
  return rest;
}

export function tokensAndTags({ tokens, tags }: TaggedSentence): Pick<TaggedSentence, 'tokens' | 'tags'> {
  return { tokens, tags };
}

export function tokenCount(sentences: readonly TaggedSentence[]): number {
  return sentences.reduce((sum, sentence) => sum + sentence.tokens.length, 0);
}
