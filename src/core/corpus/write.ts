/**
 * Writing corpora. Sentences are streamed to a temporary file next to the target, which is renamed
 * over it only when everything was written: a failed write leaves the old file untouched. A
 * sentence a format cannot represent is a problem; problems abort the write with a `CorpusError`.
 */
import fs from 'node:fs/promises';
import { dirname } from 'node:path';
import { removeOrphanedTemporaries, temporaryPathFor } from '../atomic';
import type { TaggedSentence } from '../types';
import { bratPaths, formatBratSentence } from './brat';
import { formatConllSentence } from './conll';
import { formatConlluSentence } from './conllu';
import { formatJsonlSentence } from './jsonl';
import type { CorpusFormat, CorpusWriteOptions } from './options';
import { CorpusWriteError, DEFAULT_MAX_PROBLEMS, ProblemLog } from './problems';

export interface CorpusWriteResult {
  sentences: number;
  /** The files written (two for brat: `.txt` and `.ann`). */
  paths: string[];
}

/**
 * Writes `sentences` to `path` as `format`. For brat, `path` names the document (with or without
 * `.txt`/`.ann`) and both files are written.
 */
export async function writeCorpus(
  path: string,
  sentences: Iterable<TaggedSentence> | AsyncIterable<TaggedSentence>,
  format: CorpusFormat,
  options: CorpusWriteOptions = {},
): Promise<CorpusWriteResult> {
  const targets = format === 'brat' ? [bratPaths(path).txt, bratPaths(path).ann] : [path];
  const files = await Promise.all(targets.map((target) => AtomicFile.create(target)));
  const [main, annotations] = files as [AtomicFile, AtomicFile | undefined];
  const log = new ProblemLog(options.maxProblems ?? DEFAULT_MAX_PROBLEMS, true);
  let count = 0;
  let bratOffset = 0;
  let bratEntities = 1;
  try {
    for await (const sentence of sentences) {
      count++;
      const where = `sentence ${count}${sentence.line ? ` (read from line ${sentence.line})` : ''}`;
      const report = (errors: readonly string[]) => {
        for (const error of errors)
          log.add({ path: main.path, line: main.lines + 1, message: `${where}: ${error}` });
      };
      const shapeErrors = sentenceShapeErrors(sentence);
      if (shapeErrors.length > 0) {
        report(shapeErrors);
        continue;
      }
      if (format === 'brat') {
        const formatted = formatBratSentence(sentence, bratOffset, bratEntities);
        if ('errors' in formatted) {
          report(formatted.errors);
          continue;
        }
        bratOffset += formatted.codePoints;
        bratEntities += formatted.entities;
        await main.write(formatted.txt);
        await annotations!.write(formatted.ann);
        continue;
      }
      const formatted = formatSentence(sentence, count, format, options);
      if ('errors' in formatted) report(formatted.errors);
      else await main.write(formatted.text);
    }
    log.finish();
    for (const file of files) await file.commit();
  } catch (error) {
    await Promise.all(files.map((file) => file.abort()));
    throw error;
  }
  return { sentences: count, paths: targets };
}

function formatSentence(
  sentence: TaggedSentence,
  sentenceNumber: number,
  format: Exclude<CorpusFormat, 'brat'>,
  options: CorpusWriteOptions,
): { text: string } | { errors: string[] } {
  switch (format) {
    case 'conll':
      return formatConllSentence(sentence, options);
    case 'conllu':
    case 'uner':
      return formatConlluSentence(sentence, sentenceNumber, format, options);
    case 'jsonl':
      return formatJsonlSentence(sentence, options);
  }
}

function sentenceShapeErrors(sentence: TaggedSentence): string[] {
  if (sentence.tokens.length === 0) return ['no tokens'];
  if (sentence.tokens.length !== sentence.tags.length) {
    return [`tokens/tags length mismatch: ${sentence.tokens.length} tokens, ${sentence.tags.length} tags`];
  }
  return [];
}

const FLUSH_CHARACTERS = 1 << 20;

/** A file written through a temporary sibling and renamed into place on `commit`. */
class AtomicFile {
  /** Lines written so far, so problems can say where the sentence would have gone. */
  lines = 0;
  private pending: string[] = [];
  private pendingLength = 0;

  private constructor(
    readonly path: string,
    private readonly temporaryPath: string,
    private readonly handle: fs.FileHandle,
  ) {}

  /** Creates the target's folder when it is missing. */
  static async create(path: string): Promise<AtomicFile> {
    return writing(path, async () => {
      await fs.mkdir(dirname(path), { recursive: true }).catch((err: NodeJS.ErrnoException) => {
        // mkdir -p reports a file in the way as EEXIST, which reads as if all were well.
        if (err.code === 'EEXIST' || err.code === 'ENOTDIR')
          throw new CorpusWriteError(path, `a file is in the way of the folder ${dirname(path)}`);
        throw err;
      });
      await removeOrphanedTemporaries(dirname(path));
      const temporaryPath = temporaryPathFor(path);
      return new AtomicFile(path, temporaryPath, await fs.open(temporaryPath, 'wx'));
    });
  }

  async write(text: string): Promise<void> {
    this.pending.push(text);
    this.pendingLength += text.length;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lines++;
    if (this.pendingLength >= FLUSH_CHARACTERS) await this.flush();
  }

  async commit(): Promise<void> {
    await this.flush();
    await writing(this.path, async () => {
      await this.handle.close();
      await fs.rename(this.temporaryPath, this.path);
    });
  }

  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await fs.rm(this.temporaryPath, { force: true });
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    await writing(this.path, () => this.handle.write(text));
  }
}

/** Runs a file-system step of writing `path`; its errors become one-line CorpusWriteErrors. */
async function writing<T>(path: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!code) throw err;
    // "EACCES: permission denied, open '…tmp'": the kind of failure, without the temp file's name.
    throw new CorpusWriteError(path, (err as Error).message.split(',')[0] ?? code);
  }
}
