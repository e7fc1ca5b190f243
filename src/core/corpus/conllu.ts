/**
 * CoNLL-U (10 tab-separated columns) and its Universal NER variant (`ID FORM NER-TAG [- ANNOTATOR]`).
 * Tokens are the syntactic words (integer IDs); multiword-token ranges (`1-2`) and empty nodes
 * (`8.1`) are not tokens. `# sent_id` becomes the sentence id. The sentence text is `# text` with
 * each word located in it; without `# text` it is rebuilt from the surface forms and `SpaceAfter=No`.
 */
import type { TaggedSentence } from '../types';
import type { CorpusWriteOptions, PosColumn } from './options';
import {
  chunkTagProblem,
  isBlank,
  type LineParser,
  type ParseContext,
  withoutCarriageReturn,
} from './parser';
import { sentenceTextAndOffsets } from './sentence-text';

interface Layout {
  name: string;
  minColumns: number;
  maxColumns: number;
  /** 0-based column of the tag. */
  tagColumn: number;
  tagName: string;
  /** 0-based MISC column, where `SpaceAfter=No` lives; UNER has none. */
  miscColumn: number | undefined;
}

function conlluLayout(posColumn: PosColumn | undefined): Layout {
  const xpos = posColumn === 'xpos';
  return {
    name: 'CoNLL-U',
    minColumns: 10,
    maxColumns: 10,
    tagColumn: xpos ? 4 : 3,
    tagName: xpos ? 'XPOS' : 'UPOS',
    miscColumn: 9,
  };
}

const UNER_LAYOUT: Layout = {
  name: 'UNER',
  minColumns: 3,
  maxColumns: 5,
  tagColumn: 2,
  tagName: 'NER tag',
  miscColumn: undefined,
};

/** A piece of the surface text: one word, or a multiword token standing for several words. */
interface SurfaceUnit {
  form: string;
  /** Indices (into the sentence's words) of the words this unit stands for. */
  words: number[];
  spaceAfter: boolean;
  line: number;
}

interface Block {
  firstLine: number;
  id: string | undefined;
  text: string | undefined;
  tokens: string[];
  tags: string[];
  units: SurfaceUnit[];
  /** A multiword token still waiting for its words, up to word id `last`. */
  openRange: { last: number; unit: SurfaceUnit } | undefined;
  nextWordId: number;
  hasContent: boolean;
  broken: boolean;
}

function emptyBlock(): Block {
  return {
    firstLine: 0,
    id: undefined,
    text: undefined,
    tokens: [],
    tags: [],
    units: [],
    openRange: undefined,
    nextWordId: 1,
    hasContent: false,
    broken: false,
  };
}

const RANGE_ID = /^(\d+)-(\d+)$/;
const EMPTY_NODE_ID = /^\d+\.\d+$/;
const WORD_ID = /^\d+$/;

export function createConlluParser(context: ParseContext, variant: 'conllu' | 'uner'): LineParser {
  const layout = variant === 'uner' ? UNER_LAYOUT : conlluLayout(context.options.posColumn);
  let block = emptyBlock();

  const fail = (line: number, message: string) => {
    context.problem(line, message);
    block.broken = true;
  };

  const flush = () => {
    const finished = block;
    block = emptyBlock();
    if (!finished.hasContent) return;
    if (finished.tokens.length === 0) {
      if (!finished.broken) context.problem(finished.firstLine, 'sentence has no words');
      return;
    }
    if (finished.openRange) {
      context.problem(
        finished.openRange.unit.line,
        `multiword token "${finished.openRange.unit.form}" ends at word ${finished.openRange.last}, after the last word`,
      );
      return;
    }
    if (finished.broken) return;
    const located = locateWords(finished);
    if ('message' in located) {
      context.problem(located.line, located.message);
      return;
    }
    context.sentence({
      tokens: finished.tokens,
      tags: finished.tags,
      text: located.text,
      offsets: located.offsets,
      ...(finished.id !== undefined ? { id: finished.id } : {}),
      line: finished.firstLine,
    });
  };

  const comment = (text: string) => {
    const field = /^#\s*(sent_id|text)\s*=(.*)$/.exec(text);
    if (!field || block.tokens.length > 0) return;
    const value = field[2]!.startsWith(' ') ? field[2]!.slice(1) : field[2]!;
    if (field[1] === 'sent_id') block.id = value.trim();
    else block.text = value;
  };

  const wordLine = (columns: string[], lineNumber: number) => {
    const id = columns[0]!;
    const form = columns[1]!;
    const spaceAfter = !hasSpaceAfterNo(
      layout.miscColumn === undefined ? undefined : columns[layout.miscColumn],
    );
    const range = RANGE_ID.exec(id);
    if (range) {
      const first = Number(range[1]);
      const last = Number(range[2]);
      if (first !== block.nextWordId || last < first || block.openRange) {
        return fail(
          lineNumber,
          `multiword token range ${id} does not start at the next word (${block.nextWordId})`,
        );
      }
      if (form.length === 0) return fail(lineNumber, 'empty token');
      const unit: SurfaceUnit = { form, words: [], spaceAfter, line: lineNumber };
      block.units.push(unit);
      block.openRange = { last, unit };
      return;
    }
    if (EMPTY_NODE_ID.test(id)) return;
    if (!WORD_ID.test(id)) return fail(lineNumber, `bad word id "${id}" (expected N, N-M or N.M)`);
    const wordId = Number(id);
    if (wordId !== block.nextWordId) {
      return fail(lineNumber, `word id ${wordId} out of sequence (expected ${block.nextWordId})`);
    }
    block.nextWordId++;
    const tag = columns[layout.tagColumn]!;
    const wordIndex = block.tokens.length;
    block.tokens.push(form);
    block.tags.push(tag);
    if (form.length === 0) return fail(lineNumber, 'empty token');
    if (tag === '_') return fail(lineNumber, `missing ${layout.tagName} ("_")`);
    const tagProblem = chunkTagProblem(context.options, tag);
    if (tagProblem) return fail(lineNumber, tagProblem);
    const open = block.openRange;
    if (open && wordId <= open.last) {
      open.unit.words.push(wordIndex);
      if (wordId === open.last) block.openRange = undefined;
    } else {
      block.units.push({ form, words: [wordIndex], spaceAfter, line: lineNumber });
    }
  };

  return {
    line(raw, lineNumber) {
      const text = withoutCarriageReturn(raw);
      if (isBlank(text)) return flush();
      if (!block.hasContent) {
        block.hasContent = true;
        block.firstLine = lineNumber;
      }
      if (text.startsWith('#')) return comment(text);
      const columns = text.split('\t');
      if (columns.length < layout.minColumns || columns.length > layout.maxColumns) {
        const wanted =
          layout.minColumns === layout.maxColumns
            ? `${layout.minColumns}`
            : `${layout.minColumns} to ${layout.maxColumns}`;
        return fail(
          lineNumber,
          `wrong column count for ${layout.name}: expected ${wanted}, found ${columns.length}`,
        );
      }
      wordLine(columns, lineNumber);
    },
    end: flush,
  };
}

function hasSpaceAfterNo(misc: string | undefined): boolean {
  return misc?.split('|').includes('SpaceAfter=No') ?? false;
}

type Located = { text: string; offsets: Array<[number, number]> } | { line: number; message: string };

/** Offsets of every word: found in `# text` when there is one, else by rebuilding the text. */
function locateWords(block: Block): Located {
  const spans = block.text === undefined ? rebuildText(block.units) : findUnits(block.text, block.units);
  if ('message' in spans) return spans;
  const offsets: Array<[number, number]> = new Array(block.tokens.length);
  block.units.forEach((unit, u) => {
    const [start, end] = spans.unitOffsets[u]!;
    const forms = unit.words.map((w) => block.tokens[w]!);
    // Words that spell their multiword token ("do" + "n't") get their own offsets; others ("de" + "le"
    // for "du") all get the offsets of the multiword token.
    let cursor = start;
    const spelled = forms.join('') === unit.form;
    for (const w of unit.words) {
      const length = block.tokens[w]!.length;
      offsets[w] = spelled ? [cursor, cursor + length] : [start, end];
      cursor += length;
    }
  });
  return { text: spans.text, offsets };
}

type UnitSpans = { text: string; unitOffsets: Array<[number, number]> } | { line: number; message: string };

function rebuildText(units: readonly SurfaceUnit[]): UnitSpans {
  const parts: string[] = [];
  const unitOffsets: Array<[number, number]> = [];
  let length = 0;
  units.forEach((unit, u) => {
    unitOffsets.push([length, length + unit.form.length]);
    const gap = unit.spaceAfter && u < units.length - 1 ? ' ' : '';
    parts.push(unit.form, gap);
    length += unit.form.length + gap.length;
  });
  return { text: parts.join(''), unitOffsets };
}

function findUnits(text: string, units: readonly SurfaceUnit[]): UnitSpans {
  const unitOffsets: Array<[number, number]> = [];
  let cursor = 0;
  for (const unit of units) {
    cursor = skipWhitespace(text, cursor);
    if (!text.startsWith(unit.form, cursor)) {
      const found = text.slice(cursor, cursor + unit.form.length + 10);
      return {
        line: unit.line,
        message: `word "${unit.form}" does not match the # text at character ${cursor} ("${found}")`,
      };
    }
    unitOffsets.push([cursor, cursor + unit.form.length]);
    cursor += unit.form.length;
  }
  cursor = skipWhitespace(text, cursor);
  if (cursor < text.length) {
    const last = units[units.length - 1]!;
    return {
      line: last.line,
      message: `# text goes on after the last word: "${text.slice(cursor, cursor + 30)}"`,
    };
  }
  return { text, unitOffsets };
}

function skipWhitespace(text: string, from: number): number {
  let cursor = from;
  while (cursor < text.length && /\s/.test(text[cursor]!)) cursor++;
  return cursor;
}

/** One sentence as CoNLL-U or UNER lines ending in a blank line, or what makes it unwritable. */
export function formatConlluSentence(
  sentence: TaggedSentence,
  sentenceNumber: number,
  variant: 'conllu' | 'uner',
  options: CorpusWriteOptions,
): { text: string } | { errors: string[] } {
  const errors: string[] = [];
  const { tokens, tags } = sentence;
  tokens.forEach((token, i) => {
    if (token.length === 0 || /[\t\n\r]/.test(token) || token.trim() !== token) {
      errors.push(
        `token ${i + 1} ${JSON.stringify(token)} is empty or has tabs, line breaks or surrounding spaces`,
      );
    }
    const tag = tags[i] ?? '';
    if (tag.length === 0 || tag === '_' || /\s/.test(tag)) {
      errors.push(`tag ${i + 1} ${JSON.stringify(tag)} is empty, "_" or has whitespace`);
    }
  });
  const id = sentence.id ?? String(sentenceNumber);
  if (/[\n\r]/.test(id)) errors.push('sentence id contains a line break');
  const located = sentenceTextAndOffsets(sentence);
  if ('errors' in located) errors.push(...located.errors);
  if (errors.length > 0 || 'errors' in located) return { errors };
  const { text, offsets } = located;

  const units = groupUnits(text, tokens, offsets);
  if ('errors' in units) return units;
  const lines = [`# sent_id = ${id}`, `# text = ${text}`];
  const xpos = options.posColumn === 'xpos';
  units.units.forEach((unit, u) => {
    const next = units.units[u + 1];
    const misc = next !== undefined && next.start === unit.end ? 'SpaceAfter=No' : '_';
    const words = unit.words;
    if (words.length > 1) {
      const range = `${words[0]! + 1}-${words[words.length - 1]! + 1}`;
      lines.push(
        variant === 'uner'
          ? `${range}\t${unit.form}\t_`
          : `${range}\t${unit.form}\t_\t_\t_\t_\t_\t_\t_\t${misc}`,
      );
    }
    for (const w of words) {
      const wordMisc = words.length > 1 ? '_' : misc;
      const tag = tags[w]!;
      lines.push(
        variant === 'uner'
          ? `${w + 1}\t${tokens[w]}\t${tag}`
          : `${w + 1}\t${tokens[w]}\t_\t${xpos ? '_' : tag}\t${xpos ? tag : '_'}\t_\t_\t_\t_\t${wordMisc}`,
      );
    }
  });
  return { text: `${lines.join('\n')}\n\n` };
}

interface WrittenUnit {
  form: string;
  start: number;
  end: number;
  words: number[];
}

/** Tokens sharing the same offsets form a multiword token; any other token must spell its text. */
function groupUnits(
  text: string,
  tokens: readonly string[],
  offsets: ReadonlyArray<readonly [number, number]>,
): { units: WrittenUnit[] } | { errors: string[] } {
  const units: WrittenUnit[] = [];
  const errors: string[] = [];
  for (let i = 0; i < tokens.length; ) {
    const [start, end] = offsets[i]!;
    let j = i + 1;
    while (j < tokens.length && offsets[j]![0] === start && offsets[j]![1] === end) j++;
    const form = text.slice(start, end);
    const words = Array.from({ length: j - i }, (_, k) => i + k);
    if (words.length === 1 && form !== tokens[i]) {
      errors.push(`token ${i + 1} "${tokens[i]}" differs from its text "${form}" at [${start}, ${end})`);
    }
    units.push({ form, start, end, words });
    i = j;
  }
  return errors.length > 0 ? { errors } : { units };
}
