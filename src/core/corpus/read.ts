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
import { type LineBatch, readLineBatches, splitLines } from './lines';
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
    const batch = splitLines(content);
    format = options.format ?? sniffFormat(batch.lines.slice(0, 50));
    if (format === 'brat') {
      items.push(problemItem(path, 0, 'brat needs both the .txt and the .ann content'));
    } else {
      const feeder = new Feeder(lineParserFor(format), collectingContext(path, options, items));
      feeder.batch(batch);
      feeder.end();
    }
  } else {
    format = 'brat';
    const { txt, ann } = bratPaths(path);
    const entities: BratEntity[] = [];
    const annFeeder = new Feeder((c) => createAnnParser(c, entities), collectingContext(ann, options, items));
    annFeeder.batch(splitLines(content.ann));
    annFeeder.end();
    markEntitiesOnFlawedLines(entities, annFeeder.flawedLines);
    const textFeeder = new Feeder(
      (c) => createBratTextParser(c, ann, entities),
      collectingContext(txt, options, items),
    );
    textFeeder.batch(splitLines(content.txt));
    textFeeder.end();
  }
  for (const item of items) collected.add(item);
  return collected.result(format);
}

/**
 * Feeds batches of lines to a parser. A flawed line (invalid UTF-8, too long) is reported at its
 * line, and any sentence that spans it is dropped; a too-long line is not given to the parser.
 */
class Feeder {
  private readonly parser: LineParser;
  private lineNumber = 0;
  /** Flawed lines not yet behind every sentence the parser may still emit, ascending. */
  private pending: number[] = [];
  readonly flawedLines = new Set<number>();

  constructor(
    makeParser: ParserFactory,
    private readonly context: ParseContext,
  ) {
    this.parser = makeParser({
      ...context,
      sentence: (sentence) => {
        const start = sentence.line ?? this.lineNumber;
        // Sentences come in order: flawed lines before this one's start concern no later sentence.
        while (this.pending.length > 0 && this.pending[0]! < start) this.pending.shift();
        if (this.pending.length === 0 || this.pending[0]! > this.lineNumber) context.sentence(sentence);
      },
    });
  }

  batch({ lines, flawed }: LineBatch): void {
    let nextFlaw = 0;
    for (let i = 0; i < lines.length; i++) {
      this.lineNumber++;
      const flaw = flawed[nextFlaw]?.index === i ? flawed[nextFlaw++] : undefined;
      if (flaw) {
        this.context.problem(this.lineNumber, flaw.problem);
        this.pending.push(this.lineNumber);
        this.flawedLines.add(this.lineNumber);
        if (flaw.unread) continue;
      }
      this.parser.line(lines[i]!, this.lineNumber);
    }
  }

  end(): void {
    this.parser.end();
  }
}

/** Entities read from flawed `.ann` lines: their sentences are skipped, not tagged with a garbled label. */
function markEntitiesOnFlawedLines(entities: BratEntity[], lines: ReadonlySet<number>): void {
  for (const entity of entities) if (lines.has(entity.line)) entity.unsupported = true;
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
    const flawedAnnLines = new Set<number>();
    const annItems = parseFile(
      ann,
      ann,
      (context) => createAnnParser(context, entities),
      options,
      flawedAnnLines,
    );
    for await (const item of annItems) {
      if (item.kind === 'problem' && item.problem.line === 0) annotationsRead = false;
      yield item;
    }
    markEntitiesOnFlawedLines(entities, flawedAnnLines);
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
  /** Filled with the numbers of the flawed lines (invalid UTF-8, too long). */
  flawedLines?: Set<number>,
): AsyncGenerator<CorpusItem> {
  const items: CorpusItem[] = [];
  const feeder = new Feeder(makeParser, collectingContext(reportPath, options, items));
  const batches = readLineBatches(path);
  try {
    for (;;) {
      let next: IteratorResult<LineBatch>;
      try {
        next = await batches.next();
      } catch (error) {
        yield* items.splice(0);
        yield { kind: 'problem', problem: unreadable(path, error) };
        return;
      }
      if (next.done) break;
      feeder.batch(next.value);
      yield* items.splice(0);
    }
    feeder.end();
    yield* items.splice(0);
  } finally {
    for (const line of feeder.flawedLines) flawedLines?.add(line);
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
