/** What every format reader is built on: a synchronous parser fed one line at a time. */
import type { TaggedSentence } from '../types';
import { checkChunkTag } from './chunks';
import type { CorpusItem, CorpusReadOptions } from './options';

export interface ParseContext {
  /** The path problems are reported against. */
  path: string;
  options: CorpusReadOptions;
  sentence(sentence: TaggedSentence): void;
  /** Reports a problem at `line` of `path` (default: the context's path). */
  problem(line: number, message: string, path?: string): void;
}

export interface LineParser {
  /** One line without its `\n`; `lineNumber` is 1-based. */
  line(text: string, lineNumber: number): void;
  /** The input is over: flush the last sentence. */
  end(): void;
}

/** A context that appends what the parser finds to `items`, in order. */
export function collectingContext(
  path: string,
  options: CorpusReadOptions,
  items: CorpusItem[],
): ParseContext {
  return {
    path,
    options,
    sentence: (sentence) => items.push({ kind: 'sentence', sentence }),
    problem: (line, message, at = path) =>
      items.push({ kind: 'problem', problem: { path: at, line, message } }),
  };
}

/** What is wrong with a tag: empty, or (when the caller says the tags are chunk tags) badly shaped. */
export function chunkTagProblem(options: CorpusReadOptions, tag: string): string | undefined {
  if (tag.length === 0) return 'empty tag';
  return options.chunkTags ? checkChunkTag(tag) : undefined;
}

/** A trailing `\r` (CRLF files) is never part of the content. */
export function withoutCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

export function isBlank(line: string): boolean {
  return line.trim().length === 0;
}
