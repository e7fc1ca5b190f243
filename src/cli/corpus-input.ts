import fs from 'node:fs';
import {
  CORPUS_FORMATS,
  type CorpusFormat,
  type CorpusProblem,
  type CorpusReadOptions,
  type CorpusReadResult,
  detectFormat,
  formatProblem,
  readCorpusItems,
} from '../core/corpus';
import type { TaggedSentence } from '../core/types';
import { createProgressBar } from './progress';
import { UsageError, UserError } from './usage';

export function parseFormat(value: unknown, option: string): CorpusFormat | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (CORPUS_FORMATS as readonly string[]).includes(value))
    return value as CorpusFormat;
  throw new UsageError(
    `${option} must be one of ${CORPUS_FORMATS.join(', ')} (got ${JSON.stringify(value)})`,
  );
}

/** Rough bytes a sentence took in its file, for the progress bar only. */
function approximateBytes(sentence: TaggedSentence): number {
  let bytes = 1;
  for (let i = 0; i < sentence.tokens.length; i++) {
    bytes += sentence.tokens[i]!.length + (sentence.tags[i]?.length ?? 0) + 2;
  }
  return bytes + (sentence.text ? sentence.text.length + 10 : 0);
}

/**
 * Reads a corpus file completely, with a progress bar on stderr for files that take more than a
 * second. A file that cannot be opened is a UserError; problems inside it are returned.
 */
export async function readCorpusWithProgress(
  path: string,
  options: CorpusReadOptions = {},
): Promise<CorpusReadResult> {
  let size = 0;
  try {
    const stat = await fs.promises.stat(path);
    if (!stat.isFile()) throw new UserError(`${path}: not a file`);
    size = stat.size;
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(
      `${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  const bar = createProgressBar(`reading ${path}`);
  const sentences: TaggedSentence[] = [];
  const problems: CorpusProblem[] = [];
  let omittedProblems = 0;
  let bytes = 0;
  const format = options.format ?? (await detectFormat(path));
  const maxProblems = options.maxProblems ?? 100;
  try {
    for await (const item of readCorpusItems(path, { ...options, format })) {
      if (item.kind === 'sentence') {
        sentences.push(item.sentence);
        bytes += approximateBytes(item.sentence);
        if ((sentences.length & 255) === 0) bar.update(bytes, size, `${sentences.length} sentences`);
      } else if (problems.length < maxProblems) {
        problems.push(item.problem);
      } else {
        omittedProblems++;
      }
    }
  } finally {
    bar.finish();
  }
  return { format, sentences, problems, omittedProblems };
}

export function printProblems(
  err: NodeJS.WritableStream,
  result: Pick<CorpusReadResult, 'problems' | 'omittedProblems'>,
  shown = 20,
): void {
  for (const problem of result.problems.slice(0, shown)) err.write(`${formatProblem(problem)}\n`);
  const more = result.problems.length - Math.min(shown, result.problems.length) + result.omittedProblems;
  if (more > 0) err.write(`… and ${more} more problem${more === 1 ? '' : 's'}\n`);
}
