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

/** C0 and C1 control characters (NUL, escape, …): no label holds one on purpose. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/** What is wrong with a label: a control character in it (`tag "B-PER\u0000X"` …). */
export function labelProblem(label: string, what = 'tag'): string | undefined {
  const control = CONTROL_CHARACTER.exec(label);
  if (!control) return undefined;
  const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  return `${what} ${JSON.stringify(label.slice(0, 40))} contains the control character U+${code}`;
}

/**
 * What is wrong with a tag: empty, a control character in it, or (when the caller says the tags
 * are chunk tags) badly shaped.
 */
export function chunkTagProblem(options: CorpusReadOptions, tag: string): string | undefined {
  if (tag.length === 0) return 'empty tag';
  return labelProblem(tag) ?? (options.chunkTags ? checkChunkTag(tag) : undefined);
}

/**
 * The longest sentence text a reader tokenizes (16 Mi characters, a few million tokens): a longer
 * one is refused before it is cut into tokens, which would take gigabytes.
 */
export const MAX_SENTENCE_CHARS = 16 * 1024 * 1024;

/** What is wrong with a sentence text that is too long to read, if it is. */
export function sentenceLengthProblem(text: string): string | undefined {
  if (text.length <= MAX_SENTENCE_CHARS) return undefined;
  return `a sentence of ${text.length.toLocaleString('en-US')} characters, longer than the ${MAX_SENTENCE_CHARS.toLocaleString('en-US')} a sentence may have; split it`;
}

/** A trailing `\r` (CRLF files) is never part of the content. */
export function withoutCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

export function isBlank(line: string): boolean {
  return line.trim().length === 0;
}
