/**
 * brat standoff: a `.txt` document and an `.ann` file whose T-lines (`T1<TAB>LABEL start end<TAB>text`)
 * mark entities by character offsets. Sentences are the non-blank lines of the `.txt` (the writer
 * puts one sentence per line); each is tokenized and its entities become IOB2 tags. Other `.ann`
 * lines (relations, events, attributes, notes) carry nothing a tagger learns from and are skipped.
 * brat counts offsets in Unicode code points; TaggedSentence offsets are UTF-16 code units.
 */
import type { TaggedSentence } from '../types';
import { chunksOfTags, iob2TagsFromSpans, type LocatedSpan } from './chunks';
import {
  isBlank,
  type LineParser,
  labelProblem,
  type ParseContext,
  sentenceLengthProblem,
  withoutCarriageReturn,
} from './parser';
import { sentenceTextAndOffsets } from './sentence-text';
import { tokenizeForCorpus } from './tokenize';

/** A text-bound annotation, offsets in code points of the whole document. */
export interface BratEntity {
  id: string;
  label: string;
  start: number;
  end: number;
  /** The covered text as the `.ann` gives it, when it does. */
  text: string | undefined;
  line: number;
  /** Already reported (discontinuous): its sentence is skipped without another message. */
  unsupported: boolean;
}

/** The `.txt` and `.ann` paths of a brat document given either file or the shared base path. */
export function bratPaths(path: string): { txt: string; ann: string } {
  const base = path.replace(/\.(txt|ann)$/i, '');
  return { txt: `${base}.txt`, ann: `${base}.ann` };
}

/** Collects the T-lines of an `.ann` file into `entities` (problems go to the context). */
export function createAnnParser(context: ParseContext, entities: BratEntity[]): LineParser {
  return {
    line(raw, lineNumber) {
      const line = withoutCarriageReturn(raw);
      if (!line.startsWith('T')) return;
      const [id, typeAndOffsets, ...rest] = line.split('\t');
      const text = rest.length > 0 ? rest.join('\t') : undefined;
      const match = /^(\S+) (\d+ \d+(?:;\d+ \d+)*)$/.exec(typeAndOffsets ?? '');
      if (!id || !match) {
        return context.problem(lineNumber, `malformed T-line (expected "T1<TAB>LABEL start end<TAB>text")`);
      }
      const label = match[1]!;
      const badLabel = labelProblem(label, 'label');
      if (badLabel) return context.problem(lineNumber, `${id}: ${badLabel}`);
      const fragments = match[2]!
        .split(';')
        .map((fragment) => fragment.split(' ').map(Number) as [number, number]);
      const start = fragments.reduce((least, [s]) => Math.min(least, s), Number.POSITIVE_INFINITY);
      const end = fragments.reduce((most, [, e]) => Math.max(most, e), 0);
      const unsupported = fragments.length > 1;
      if (unsupported) {
        context.problem(
          lineNumber,
          `${id}: discontinuous span "${match[2]}" is not supported; its sentence is skipped`,
        );
      } else if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start < end)) {
        return context.problem(lineNumber, `${id}: offsets ${start} ${end} are empty, reversed or too large`);
      }
      entities.push({ id, label, start, end, text, line: lineNumber, unsupported });
    },
    end() {},
  };
}

/**
 * Reads the `.txt` of a brat document line by line, with `entities` (from `createAnnParser`) sorted
 * by start. Problems about entities are reported against `annPath`.
 */
export function createBratTextParser(
  context: ParseContext,
  annPath: string,
  entities: readonly BratEntity[],
): LineParser {
  const sorted = [...entities].sort((a, b) => a.start - b.start || a.end - b.end);
  const tokenize = context.options.tokenizer ?? tokenizeForCorpus;
  let next = 0;
  let lineStart = 0;
  let lastLine = 0;
  /** An entity crossing a line break spoils every line it touches, up to this offset. */
  let spoiledUntil = 0;

  return {
    line(raw, lineNumber) {
      lastLine = lineNumber;
      const text = withoutCarriageReturn(raw);
      const textEnd = lineStart + codePointLength(text);
      const rawEnd = lineStart + codePointLength(raw);
      const mine: BratEntity[] = [];
      // An entity starting on this line or on its line break belongs here.
      while (next < sorted.length && sorted[next]!.start <= rawEnd) mine.push(sorted[next++]!);
      const start = lineStart;
      lineStart = rawEnd + 1;
      if (mine.length === 0 && isBlank(text)) return;

      let broken = start < spoiledUntil;
      const spans: LocatedSpan[] = [];
      const utf16Index = mine.length > 0 ? codePointsToUtf16(text) : undefined;
      for (const entity of mine) {
        if (entity.end > textEnd) spoiledUntil = Math.max(spoiledUntil, entity.end);
        if (entity.unsupported) {
          broken = true;
        } else if (entity.end > textEnd) {
          const message = `${entity.id} crosses a line break (sentences are read one per line); the lines it touches are skipped`;
          context.problem(entity.line, message, annPath);
          broken = true;
        } else {
          const from = utf16Index!(entity.start - start);
          const to = utf16Index!(entity.end - start);
          const covered = text.slice(from, to);
          if (entity.text !== undefined && entity.text !== covered) {
            const message = `${entity.id}: text "${entity.text}" does not match the .txt at ${entity.start}-${entity.end} ("${covered}")`;
            context.problem(entity.line, message, annPath);
            broken = true;
          }
          spans.push({ name: entity.id, line: entity.line, start: from, end: to, label: entity.label });
        }
      }
      if (broken) return;
      const tooLong = sentenceLengthProblem(text);
      if (tooLong) return context.problem(lineNumber, tooLong);
      const offsets = tokenize(text);
      if (offsets.length === 0)
        return context.problem(lineNumber, 'the tokenizer found no token on this line');
      const tagged = iob2TagsFromSpans(text, offsets, spans);
      if ('errors' in tagged) {
        for (const error of tagged.errors) context.problem(error.line, error.message, annPath);
        return;
      }
      context.sentence({
        tokens: offsets.map(([from, to]) => text.slice(from, to)),
        tags: tagged.tags,
        text,
        offsets,
        line: lineNumber,
      });
    },
    end() {
      for (const entity of sorted.slice(next)) {
        const where = `${entity.start}-${entity.end}`;
        context.problem(
          entity.line,
          `${entity.id} at ${where} is outside the text (${lastLine} lines)`,
          annPath,
        );
      }
    },
  };
}

function codePointLength(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    if (isSurrogatePair(text, i)) {
      count--;
      i++;
    }
  }
  return count;
}

/**
 * Maps code point offsets of `text` to UTF-16 offsets (clamped to the text), in constant time
 * per call after one pass over the text: a line with thousands of entities stays linear.
 */
function codePointsToUtf16(text: string): (codePoint: number) => number {
  const length = codePointLength(text);
  if (length === text.length) return (codePoint) => Math.min(codePoint, text.length);
  const index = new Int32Array(length + 1);
  for (let cp = 0, i = 0; cp < length; cp++) {
    index[cp] = i;
    i += isSurrogatePair(text, i) ? 2 : 1;
  }
  index[length] = text.length;
  return (codePoint) => index[Math.min(Math.max(codePoint, 0), length)]!;
}

/** The inverse: UTF-16 offsets of `text` to code point offsets, constant time per call. */
function utf16ToCodePoints(text: string): (utf16: number) => number {
  if (codePointLength(text) === text.length) return (utf16) => utf16;
  const index = new Int32Array(text.length + 1);
  for (let i = 0, cp = 0; i <= text.length; i++) {
    index[i] = cp;
    if (!(i > 0 && isSurrogatePair(text, i - 1))) cp++;
  }
  return (utf16) => index[utf16]!;
}

function isSurrogatePair(text: string, i: number): boolean {
  const high = text.charCodeAt(i);
  const low = text.charCodeAt(i + 1);
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
}

/** One sentence as a `.txt` line and its T-lines, numbering entities from `firstEntity`; or what makes it unwritable. */
export function formatBratSentence(
  sentence: TaggedSentence,
  documentOffset: number,
  firstEntity: number,
): { txt: string; ann: string; codePoints: number; entities: number } | { errors: string[] } {
  const located = sentenceTextAndOffsets(sentence);
  if ('errors' in located) return located;
  const decoded = chunksOfTags(sentence.tags);
  if ('badTag' in decoded) return { errors: [`tag "${sentence.tags[decoded.badTag]}" is not a chunk tag`] };
  const { text, offsets } = located;
  const errors: string[] = [];
  const codePointAt = utf16ToCodePoints(text);
  const lines = decoded.chunks.map((chunk, k) => {
    if (/\s/.test(chunk.label))
      errors.push(`label "${chunk.label}" contains whitespace, which brat does not allow`);
    const from = offsets[chunk.start]![0];
    const to = offsets[chunk.end - 1]![1];
    const start = documentOffset + codePointAt(from);
    const end = documentOffset + codePointAt(to);
    return `T${firstEntity + k}\t${chunk.label} ${start} ${end}\t${text.slice(from, to)}\n`;
  });
  if (errors.length > 0) return { errors };
  return {
    txt: `${text}\n`,
    ann: lines.join(''),
    codePoints: codePointLength(text) + 1,
    entities: lines.length,
  };
}
