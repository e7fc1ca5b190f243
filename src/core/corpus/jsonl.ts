/**
 * JSON Lines, one sentence (or document) per line, in one of these shapes:
 * - `{"text", "spans": [{"start", "end", "label"}]}` (spaCy / Prodigy; Prodigy's `"tokens": [{"text",
 *   "start", "end"}]` are used as the tokens when present), doccano's `{"text", "label": [[start, end,
 *   "LABEL"]]}` and `{"text", "entities": [...]}` (arrays, or objects with `start_offset`/`end_offset`);
 *   the text is tokenized and the spans become IOB2 tags;
 * - `{"tokens": ["…"], "tags": ["…"]}` (any record with "tags" is read this way).
 * An `"id"` (string or number) becomes the sentence id.
 */
import { describeJsonValue } from '../json';
import type { TaggedSentence } from '../types';
import { chunksOfTags, iob2TagsFromSpans, type LocatedSpan } from './chunks';
import { MAX_LINE_BYTES } from './lines';
import type { CorpusWriteOptions } from './options';
import {
  chunkTagProblem,
  isBlank,
  type LineParser,
  labelProblem,
  type ParseContext,
  sentenceLengthProblem,
  withoutCarriageReturn,
} from './parser';
import { sentenceTextAndOffsets } from './sentence-text';
import { tokenizeForCorpus } from './tokenize';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export function createJsonlParser(context: ParseContext): LineParser {
  return {
    line(raw, lineNumber) {
      const text = withoutCarriageReturn(raw);
      if (isBlank(text)) return;
      const result = parseRecord(text, lineNumber, context);
      if ('errors' in result) {
        for (const message of result.errors) context.problem(lineNumber, message);
      } else {
        context.sentence({ ...result.sentence, line: lineNumber });
      }
    },
    end() {},
  };
}

type RecordResult = { sentence: TaggedSentence } | { errors: string[] };

function parseRecord(line: string, lineNumber: number, context: ParseContext): RecordResult {
  let record: Json;
  try {
    record = JSON.parse(line) as Json;
  } catch (error) {
    return { errors: [`invalid JSON: ${(error as Error).message}`] };
  }
  if (!isObject(record)) return { errors: ['a record must be a JSON object'] };
  const id = record.id;
  const withId = (sentence: TaggedSentence): TaggedSentence =>
    typeof id === 'string' || typeof id === 'number' ? { ...sentence, id: String(id) } : sentence;
  const result =
    'text' in record && !('tags' in record)
      ? spansRecord(record, lineNumber, context)
      : tokensRecord(record, context);
  return 'sentence' in result ? { sentence: withId(result.sentence) } : result;
}

function tokensRecord(record: JsonObject, context: ParseContext): RecordResult {
  const { tokens, tags } = record;
  if (tokens === undefined || tags === undefined) {
    return { errors: ['missing fields: a record needs "text" (with spans) or "tokens" and "tags"'] };
  }
  if (!isStringArray(tokens)) return { errors: ['"tokens" must be an array of strings'] };
  if (!isStringArray(tags)) return { errors: ['"tags" must be an array of strings'] };
  if (tokens.length !== tags.length) {
    return { errors: [`tokens/tags length mismatch: ${tokens.length} tokens, ${tags.length} tags`] };
  }
  if (tokens.length === 0) return { errors: ['no tokens'] };
  const errors: string[] = [];
  tokens.forEach((token, i) => {
    if (token.trim().length === 0) errors.push(`empty token at index ${i}`);
    const tagProblem = chunkTagProblem(context.options, tags[i]!);
    if (tagProblem) errors.push(`${tagProblem} at index ${i}`);
  });
  return errors.length > 0 ? { errors } : { sentence: { tokens, tags } };
}

function spansRecord(record: JsonObject, lineNumber: number, context: ParseContext): RecordResult {
  const text = record.text;
  if (typeof text !== 'string') return { errors: ['"text" must be a string'] };
  const tooLong = sentenceLengthProblem(text);
  if (tooLong) return { errors: [tooLong] };
  const rawSpans = record.spans ?? record.entities ?? record.label ?? [];
  if (!Array.isArray(rawSpans)) return { errors: ['"spans" (or "entities", "label") must be an array'] };
  const errors: string[] = [];
  const spans: LocatedSpan[] = [];
  rawSpans.forEach((raw, i) => {
    const span = readSpan(raw, `span ${i + 1}`, lineNumber);
    if (typeof span === 'string') errors.push(span);
    else spans.push(span);
  });
  const offsets =
    record.tokens === undefined
      ? (context.options.tokenizer ?? tokenizeForCorpus)(text)
      : readTokens(record.tokens, text);
  if ('error' in offsets) return { errors: [...errors, offsets.error] };
  if (offsets.length === 0) return { errors: [...errors, 'the text has no tokens'] };
  if (errors.length > 0) return { errors };
  const tagged = iob2TagsFromSpans(text, offsets, spans);
  if ('errors' in tagged) return { errors: tagged.errors.map((error) => error.message) };
  return {
    sentence: {
      tokens: offsets.map(([start, end]) => text.slice(start, end)),
      tags: tagged.tags,
      text,
      offsets,
    },
  };
}

/** A span from `{start, end, label}`, `{start_offset, end_offset, label}` or `[start, end, label]`. */
function readSpan(raw: Json, name: string, line: number): LocatedSpan | string {
  const fields = Array.isArray(raw)
    ? { start: raw[0], end: raw[1], label: raw[2] }
    : isObject(raw)
      ? { start: raw.start ?? raw.start_offset, end: raw.end ?? raw.end_offset, label: raw.label }
      : undefined;
  if (!fields) return `${name}: must be an object {start, end, label} or an array [start, end, label]`;
  const { start, end, label } = fields;
  if (
    typeof start !== 'number' ||
    typeof end !== 'number' ||
    !Number.isSafeInteger(start) ||
    !Number.isSafeInteger(end)
  ) {
    return `${name}: missing fields or non-integer offsets (start ${describeJsonValue(start)}, end ${describeJsonValue(end)})`;
  }
  if (typeof label !== 'string' || label.trim().length === 0) return `${name}: missing or empty label`;
  const badLabel = labelProblem(label, 'label');
  if (badLabel) return `${name}: ${badLabel}`;
  if (start >= end) return `${name} [${start}, ${end}) "${label}" is empty or reversed`;
  return { name, line, start, end, label };
}

/** Prodigy-style tokens `[{text, start, end}]`, checked against the text. */
function readTokens(raw: Json, text: string): Array<[number, number]> | { error: string } {
  if (!Array.isArray(raw)) return { error: '"tokens" must be an array of {text, start, end} objects' };
  const offsets: Array<[number, number]> = [];
  let previousEnd = 0;
  for (const [i, token] of raw.entries()) {
    const start = isObject(token) ? token.start : undefined;
    const end = isObject(token) ? token.end : undefined;
    if (
      typeof start !== 'number' ||
      typeof end !== 'number' ||
      !Number.isSafeInteger(start) ||
      !Number.isSafeInteger(end)
    ) {
      return { error: `token ${i + 1}: missing fields or non-integer offsets` };
    }
    if (start >= end) return { error: `empty token ${i + 1} at [${start}, ${end})` };
    if (start < previousEnd || end > text.length) {
      return {
        error: `token ${i + 1} at [${start}, ${end}) overlaps the previous token or is outside the text`,
      };
    }
    const tokenText = isObject(token) ? token.text : undefined;
    if (tokenText !== undefined && tokenText !== text.slice(start, end)) {
      return {
        error: `token ${i + 1} ${describeJsonValue(tokenText)} differs from the text at [${start}, ${end})`,
      };
    }
    offsets.push([start, end]);
    previousEnd = end;
  }
  return offsets;
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: Json): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** One sentence as a JSON line, or what makes it unwritable. */
export function formatJsonlSentence(
  sentence: TaggedSentence,
  options: CorpusWriteOptions,
): { text: string } | { errors: string[] } {
  const idField = sentence.id === undefined ? {} : { id: sentence.id };
  if (options.jsonlShape === 'tokens') {
    return jsonLine({ ...idField, tokens: sentence.tokens, tags: sentence.tags });
  }
  const located = sentenceTextAndOffsets(sentence);
  if ('errors' in located) return located;
  const decoded = chunksOfTags(sentence.tags);
  if ('badTag' in decoded) {
    return {
      errors: [
        `tag "${sentence.tags[decoded.badTag]}" is not a chunk tag; write POS tags with jsonlShape "tokens"`,
      ],
    };
  }
  const { text, offsets } = located;
  const misspelled = offsets.findIndex(([start, end], i) => text.slice(start, end) !== sentence.tokens[i]);
  if (misspelled >= 0) {
    return {
      errors: [
        `token ${misspelled + 1} "${sentence.tokens[misspelled]}" differs from its text; write it with jsonlShape "tokens"`,
      ],
    };
  }
  // A line the readers would refuse is not written: estimated before it is built (a sentence of
  // millions of tokens makes a line of hundreds of megabytes), measured after.
  let estimate = 2 * text.length;
  for (const [start, end] of offsets) estimate += end - start + 40;
  if (estimate > MAX_LINE_BYTES) return { errors: [lineTooLong(estimate, 'about ')] };
  const record = {
    ...idField,
    text,
    tokens: offsets.map(([start, end], i) => ({ text: text.slice(start, end), start, end, id: i })),
    spans: decoded.chunks.map((chunk) => ({
      start: offsets[chunk.start]![0],
      end: offsets[chunk.end - 1]![1],
      label: chunk.label,
      token_start: chunk.start,
      token_end: chunk.end - 1,
    })),
  };
  return jsonLine(record);
}

/** A record as one line, unless it is longer than the readers take. */
function jsonLine(record: object): { text: string } | { errors: string[] } {
  const line = `${JSON.stringify(record)}\n`;
  const bytes = Buffer.byteLength(line);
  return bytes > MAX_LINE_BYTES ? { errors: [lineTooLong(bytes, '')] } : { text: line };
}

function lineTooLong(bytes: number, about: string): string {
  return `its JSONL line would be ${about}${bytes.toLocaleString('en-US')} bytes, more than the ${MAX_LINE_BYTES.toLocaleString('en-US')} a line may have (split the sentence, or write CoNLL)`;
}
