import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readCorpus } from '../../../src/core/corpus';
import type { TaggedSentence } from '../../../src/core/types';
import { DATA_DIR } from '../data';

export const root = path.resolve(__dirname, '../../..');
export const data = DATA_DIR;

/** The first `count` sentences of a corpus file under ../shared/data. */
export async function sentences(file: string, count: number): Promise<TaggedSentence[]> {
  return (await readCorpus(path.join(data, file))).sentences.slice(0, count);
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-model-'));
}

/** A network small enough to train in seconds. */
export const small = { hidden: 16, charHidden: 8, charDim: 8, wordDim: 16, layers: 2 };
