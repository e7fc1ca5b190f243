/**
 * Reading corpora: streamed from files (`readCorpusItems`, `readSentences`, `readCorpus`) or parsed
 * from memory (`parseCorpus`, for editor buffers). Every format is a line parser, so a file is
 * never held in one string.
 */
import type { TaggedSentence } from '../types';
import { type BratEntity, bratPaths, createAnnParser, createBratTextParser } from './brat';
import { createConllParser } from './conll';
import { createConlluParser } from './conllu';
import { detectFormat, sniffFormat } from './detect';
import { createJsonlParser } from './jsonl';
import { readLineBatches, splitLines } from './lines';
import type { CorpusFormat, CorpusItem, CorpusReadOptions, CorpusReadResult } from './options';
import { collectingContext, type LineParser, type ParseContext } from './parser';
import { type CorpusProblem, DEFAULT_MAX_PROBLEMS, ProblemLog } from './problems';

type ParserFactory = (context: ParseContext) => LineParser;

function lineParserFor(format: Exclude<CorpusFormat, 'brat'>): ParserFactory {
  switch (format) {
    case 'conll':
      return createConllParser;
    case 'conllu':
    case 'uner':
      return (context) => createConlluParser(context, format);
    case 'jsonl':
      return createJsonlParser;
  }
}

/**
 * Sentences and problems of a corpus file, in file order, as they are read. Never throws for bad
 * input: an unreadable file is a problem at line 0.
 */
export async function* readCorpusItems(
  path: string,
  options: CorpusReadOptions = {},
): AsyncGenerator<CorpusItem> {
  const opened = await openCorpus(path, options);
  if ('problem' in opened) {
    yield { kind: 'problem', problem: opened.problem };
    return;
  }
  yield* opened.items;
}

/**
 * The valid sentences of a corpus file, streamed. Problems go to `onProblem` (at most
 * `maxProblems` of them); without `onProblem`, or with `strict`, problems end the iteration with a
 * `CorpusError` (at the limit, or once the file is read).
 */
export async function* readSentences(
  path: string,
  options: CorpusReadOptions & { onProblem?: (problem: CorpusProblem) => void } = {},
): AsyncGenerator<TaggedSentence> {
  const log = new ProblemLog(
    options.maxProblems ?? DEFAULT_MAX_PROBLEMS,
    options.strict || !options.onProblem,
  );
  for await (const item of readCorpusItems(path, options)) {
    if (item.kind === 'sentence') yield item.sentence;
    else if (log.add(item.problem)) options.onProblem?.(item.problem);
  }
  log.finish();
}

/** All valid sentences of a corpus file with its problems (or a `CorpusError` when `strict`). */
export async function readCorpus(path: string, options: CorpusReadOptions = {}): Promise<CorpusReadResult> {
  const opened = await openCorpus(path, options);
  const format = 'problem' in opened ? (options.format ?? 'conll') : opened.format;
  const items = 'problem' in opened ? [{ kind: 'problem' as const, problem: opened.problem }] : opened.items;
  const collected = collect(options);
  for await (const item of items) collected.add(item);
  return collected.result(format);
}

/**
 * Parses a corpus held in memory: the text (or bytes, decoded as UTF-8) of a file, or for brat the
 * `.txt` and `.ann` contents. `path` names the source in problems; the format is sniffed when not given.
 */
export function parseCorpus(
  content: string | Uint8Array | { txt: string; ann: string },
  options: CorpusReadOptions & { path?: string } = {},
): CorpusReadResult {
  const path = options.path ?? '<memory>';
  const collected = collect(options);
  const items: CorpusItem[] = [];
  let format: CorpusFormat;
  if (typeof content === 'string' || content instanceof Uint8Array) {
    const lines = splitLines(typeof content === 'string' ? content : new TextDecoder().decode(content));
    format = options.format ?? sniffFormat(lines.slice(0, 50));
    if (format === 'brat') {
      items.push(problemItem(path, 0, 'brat needs both the .txt and the .ann content'));
    } else {
      feed(lineParserFor(format)(collectingContext(path, options, items)), lines);
    }
  } else {
    format = 'brat';
    const { txt, ann } = bratPaths(path);
    const entities: BratEntity[] = [];
    feed(createAnnParser(collectingContext(ann, options, items), entities), splitLines(content.ann));
    feed(
      createBratTextParser(collectingContext(txt, options, items), ann, entities),
      splitLines(content.txt),
    );
  }
  for (const item of items) collected.add(item);
  return collected.result(format);
}

function feed(parser: LineParser, lines: readonly string[]): void {
  for (const [i, line] of lines.entries()) parser.line(line, i + 1);
  parser.end();
}

function collect(options: CorpusReadOptions) {
  const log = new ProblemLog(options.maxProblems ?? DEFAULT_MAX_PROBLEMS, options.strict ?? false);
  const sentences: TaggedSentence[] = [];
  return {
    add(item: CorpusItem) {
      if (item.kind === 'sentence') sentences.push(item.sentence);
      else log.add(item.problem);
    },
    result(format: CorpusFormat): CorpusReadResult {
      log.finish();
      return { format, sentences, problems: log.problems, omittedProblems: log.omitted };
    },
  };
}

type OpenedCorpus = { format: CorpusFormat; items: AsyncGenerator<CorpusItem> } | { problem: CorpusProblem };

async function openCorpus(path: string, options: CorpusReadOptions): Promise<OpenedCorpus> {
  let format: CorpusFormat;
  try {
    format = options.format ?? (await detectFormat(path));
  } catch (error) {
    return { problem: unreadable(path, error) };
  }
  if (format !== 'brat') return { format, items: parseFile(path, path, lineParserFor(format), options) };
  const { txt, ann } = bratPaths(path);
  const entities: BratEntity[] = [];
  async function* bratItems(): AsyncGenerator<CorpusItem> {
    let annotationsRead = true;
    for await (const item of parseFile(ann, ann, (context) => createAnnParser(context, entities), options)) {
      if (item.kind === 'problem' && item.problem.line === 0) annotationsRead = false;
      yield item;
    }
    // Without its annotations a document would read as all-O sentences: report, don't guess.
    if (annotationsRead) {
      yield* parseFile(txt, txt, (context) => createBratTextParser(context, ann, entities), options);
    }
  }
  return { format, items: bratItems() };
}

/** Feeds a file to a parser batch by batch, yielding what it finds after each batch. */
async function* parseFile(
  path: string,
  reportPath: string,
  makeParser: ParserFactory,
  options: CorpusReadOptions,
): AsyncGenerator<CorpusItem> {
  const items: CorpusItem[] = [];
  const parser = makeParser(collectingContext(reportPath, options, items));
  const batches = readLineBatches(path);
  let lineNumber = 0;
  try {
    for (;;) {
      let next: IteratorResult<string[]>;
      try {
        next = await batches.next();
      } catch (error) {
        yield* items.splice(0);
        yield { kind: 'problem', problem: unreadable(path, error) };
        return;
      }
      if (next.done) break;
      for (const line of next.value) parser.line(line, ++lineNumber);
      yield* items.splice(0);
    }
    parser.end();
    yield* items.splice(0);
  } finally {
    await batches.return(undefined);
  }
}

function unreadable(path: string, error: unknown): CorpusProblem {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return { path, line: 0, message: `cannot read the file (${reason})` };
}

function problemItem(path: string, line: number, message: string): CorpusItem {
  return { kind: 'problem', problem: { path, line, message } };
}
