/**
 * CoNLL-2003 style columns: token in the first column, tag in the last, one token per line,
 * blank (whitespace-only) lines between sentences, `-DOCSTART-` lines as document boundaries.
 * Columns are separated by tabs, or by spaces on lines without a tab.
 */
import type { TaggedSentence } from '../types';
import type { CorpusWriteOptions } from './options';
import {
  chunkTagProblem,
  isBlank,
  type LineParser,
  type ParseContext,
  withoutCarriageReturn,
} from './parser';

const DOCUMENT_START = '-DOCSTART-';

export function createConllParser(context: ParseContext): LineParser {
  let tokens: string[] = [];
  let tags: string[] = [];
  let firstLine = 0;
  let broken = false;
  /** The column count of the first token line sets what the file should have. */
  let expected: { columns: number; line: number } | undefined;

  const flush = () => {
    if (tokens.length > 0 && !broken) context.sentence({ tokens, tags, line: firstLine });
    tokens = [];
    tags = [];
    broken = false;
  };

  const fail = (lineNumber: number, message: string) => {
    context.problem(lineNumber, message);
    broken = true;
  };

  return {
    line(raw, lineNumber) {
      const text = withoutCarriageReturn(raw);
      if (isBlank(text)) return flush();
      const columns = splitColumns(text);
      if (columns[0] === DOCUMENT_START) return flush();
      if (tokens.length === 0) firstLine = lineNumber;
      if (columns.length >= 2) expected ??= { columns: columns.length, line: lineNumber };
      const token = columns[0]!;
      const tag = columns[columns.length - 1]!;
      tokens.push(token);
      tags.push(tag);
      if (columns.length < 2) {
        fail(lineNumber, `expected a token and a tag, found 1 column: "${text.trim()}"`);
      } else if (expected && columns.length !== expected.columns) {
        fail(
          lineNumber,
          `wrong column count: expected ${expected.columns} (as on line ${expected.line}), found ${columns.length}`,
        );
      } else if (token.length === 0) {
        fail(lineNumber, 'empty token');
      } else {
        const tagProblem = chunkTagProblem(context.options, tag);
        if (tagProblem) fail(lineNumber, tagProblem);
      }
    },
    end: flush,
  };
}

function splitColumns(line: string): string[] {
  const trimmed = line.trimEnd();
  if (trimmed.includes('\t')) return trimmed.split('\t').map((column) => column.trim());
  return trimmed.trimStart().split(/ +/);
}

/** The lines of one sentence followed by its blank line, or what makes it unwritable. */
export function formatConllSentence(
  sentence: TaggedSentence,
  options: CorpusWriteOptions,
): { text: string } | { errors: string[] } {
  const separator = options.separator === 'space' ? ' ' : '\t';
  const forbidden = options.separator === 'space' ? /\s/ : /[\t\n\r]/;
  const errors: string[] = [];
  const lines = sentence.tokens.map((token, i) => {
    const tag = sentence.tags[i] ?? '';
    if (token.length === 0) errors.push(`token ${i + 1} is empty`);
    else if (forbidden.test(token) || token.trim() !== token) {
      errors.push(`token ${i + 1} ${JSON.stringify(token)} contains a separator or surrounding whitespace`);
    } else if (token === DOCUMENT_START)
      errors.push(`token ${i + 1} is "${DOCUMENT_START}", a document marker`);
    if (tag.length === 0 || /\s/.test(tag))
      errors.push(`tag ${i + 1} ${JSON.stringify(tag)} is empty or has whitespace`);
    return `${token}${separator}${tag}\n`;
  });
  return errors.length > 0 ? { errors } : { text: `${lines.join('')}\n` };
}
