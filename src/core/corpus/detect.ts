/** Which corpus format a file holds: by extension first, then by its first non-blank lines. */
import fs from 'node:fs/promises';
import nodePath from 'node:path';
import { bratPaths } from './brat';
import { readLineBatches } from './lines';
import type { CorpusFormat } from './options';
import { isBlank, withoutCarriageReturn } from './parser';

const SNIFFED_LINES = 50;
const CONLLU_ID = /^(\d+)(?:[-.]\d+)?$/;

/**
 * `.conllu` → conllu, `.jsonl`/`.ndjson` → jsonl, `.ann` (or a `.txt` next to an `.ann`) → brat;
 * anything else (`.conll`, `.bio`, `.iob`, `.iob2`, `.txt`, …) by content. Rejects only when the
 * content has to be read and cannot be.
 */
export async function detectFormat(path: string): Promise<CorpusFormat> {
  const extension = nodePath.extname(path).toLowerCase();
  if (extension === '.conllu') return 'conllu';
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  if (extension === '.ann') return 'brat';
  if (extension === '.txt' && (await isFile(bratPaths(path).ann))) return 'brat';
  return sniffFormat(await firstLines(path, SNIFFED_LINES));
}

/**
 * The format suggested by the first lines of a file: a JSON object → jsonl; tab-separated lines
 * whose first column is a CoNLL-U word id counting from 1 → conllu (10 columns on the first word
 * line) or uner (3 to 5);
 * anything else → conll.
 */
export function sniffFormat(lines: readonly string[]): CorpusFormat {
  const content = lines.map(withoutCarriageReturn).filter((line) => !isBlank(line));
  if (content.length === 0) return 'conll';
  if (content[0]!.trimStart().startsWith('{')) return 'jsonl';
  const wordLines = content.filter((line) => !line.startsWith('#')).slice(0, 20);
  const ids = wordLines.map((line) => CONLLU_ID.exec(line.split('\t')[0]!));
  if (wordLines.length === 0 || ids.some((id) => id === null) || ids[0]![1] !== '1') return 'conll';
  const columns = wordLines[0]!.split('\t').length;
  if (columns === 10) return 'conllu';
  if (columns >= 3 && columns <= 5) return 'uner';
  return 'conll';
}

async function firstLines(path: string, count: number): Promise<string[]> {
  const lines: string[] = [];
  for await (const batch of readLineBatches(path)) {
    for (const line of batch.lines.slice(0, count - lines.length)) lines.push(line);
    if (lines.length >= count) break;
  }
  return lines;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await fs.stat(path)).isFile();
  } catch {
    return false;
  }
}
