/**
 * Minimal readers for the shared corpora, so the scheme and metric tests do not depend on the
 * corpus module. See /work/shared/data/README.md for the formats.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRandom } from '../../../src/core/encode/random';
import { DATA_DIR } from '../data';

export { DATA_DIR };

/** Tag sentences from a tab-separated file; whitespace-only lines end a sentence. */
function readSentences(file: string, tagOf: (line: string) => string | null): string[][] {
  const sentences: string[][] = [];
  let current: string[] = [];
  for (const line of fs.readFileSync(path.join(DATA_DIR, file), 'utf8').split(/\r?\n/)) {
    if (line.trim() === '') {
      if (current.length > 0) sentences.push(current);
      current = [];
      continue;
    }
    const tag = tagOf(line);
    if (tag !== null) current.push(tag);
  }
  if (current.length > 0) sentences.push(current);
  return sentences;
}

/** WNUT-17: `TOKEN<TAB>LABEL`. */
export function readWnutTags(file: string): string[][] {
  return readSentences(`wnut17/${file}`, (line) => line.split('\t').at(-1)!);
}

/** CoNLL-U UPOS (column 4) of word lines; comments, multi-word ranges and empty nodes skipped. */
export function readUposTags(file: string): string[][] {
  return readSentences(`ud-en-ewt/${file}`, (line) => {
    if (line.startsWith('#')) return null;
    const fields = line.split('\t');
    return /^\d+$/.test(fields[0]!) ? fields[3]! : null;
  });
}

/** Seeded PRNG shared with the core (mulberry32), so failures reproduce. */
export const seededRandom = createRandom;
