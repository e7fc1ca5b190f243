/**
 * What the readers and writers add to `schemes.ts`: problem messages for badly shaped tags,
 * character spans → IOB2 tags (JSONL, brat), and tags → token spans for writers that must refuse
 * non-chunk tags (POS tags cannot become brat or JSONL spans).
 */
import type { Span, TokenSpan } from '../types';
import { isChunkTag, spansToTags, tagsToSpans } from './schemes';

/** `undefined` when `tag` is `O` or `X-LABEL` with X in B, I, E, S, L, U; otherwise what is wrong. */
export function checkChunkTag(tag: string): string | undefined {
  if (isChunkTag(tag)) return undefined;
  const prefix = /^([^-]*)-/.exec(tag)?.[1];
  const expected = '(expected O or B-, I-, E-, S-, L-, U- followed by a label)';
  return prefix === undefined
    ? `tag "${tag}" is not a chunk tag ${expected}`
    : `unknown tag prefix "${prefix}" in tag "${tag}" ${expected}`;
}

/**
 * Token spans of a tag sequence in any chunk scheme (decoded leniently by `tagsToSpans`), or the
 * index of the first tag that is not a chunk tag.
 */
export function chunksOfTags(tags: readonly string[]): { chunks: TokenSpan[] } | { badTag: number } {
  const badTag = tags.findIndex((tag) => !isChunkTag(tag));
  return badTag >= 0 ? { badTag } : { chunks: tagsToSpans(tags) };
}

/** A character span with where it was written and how problem messages name it (`T3`, `span 2`). */
export interface LocatedSpan extends Span {
  name: string;
  line: number;
}

export interface SpanError {
  line: number;
  message: string;
}

/**
 * IOB2 tags for tokens at `offsets` from character spans, or the reasons this cannot be done:
 * overlapping spans, spans outside the text, spans whose offsets cut a token or cover none.
 */
export function iob2TagsFromSpans(
  text: string,
  offsets: ReadonlyArray<readonly [number, number]>,
  spans: readonly LocatedSpan[],
): { tags: string[] } | { errors: SpanError[] } {
  const errors: SpanError[] = [];
  const inText = spans.filter((span) => {
    const ok = span.start >= 0 && span.end <= text.length;
    if (!ok)
      errors.push({
        line: span.line,
        message: `${describe(span)} is outside the text (length ${text.length})`,
      });
    return ok;
  });
  const sorted = [...inText].sort((a, b) => a.start - b.start || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const span = sorted[i]!;
    if (span.start < previous.end) {
      errors.push({
        line: span.line,
        message: `overlapping spans: ${describe(previous)} and ${describe(span)}`,
      });
    }
  }
  const tokenSpans: TokenSpan[] = [];
  for (const span of sorted) {
    let first = -1;
    let last = -1;
    let cut = false;
    for (let t = firstTokenEndingAfter(offsets, span.start); t < offsets.length; t++) {
      const [start, end] = offsets[t]!;
      if (start >= span.end) break;
      if (start < span.start || end > span.end) {
        cut = true;
        const token = `"${text.slice(start, end)}" at [${start}, ${end})`;
        errors.push({ line: span.line, message: `${describe(span)}: offsets cut a token: ${token}` });
      } else {
        if (first < 0) first = t;
        last = t;
      }
    }
    if (first >= 0) tokenSpans.push({ start: first, end: last + 1, label: span.label });
    else if (!cut) errors.push({ line: span.line, message: `${describe(span)} covers no token` });
  }
  if (errors.length > 0) return { errors };
  return { tags: spansToTags(tokenSpans, offsets.length, 'IOB2') };
}

/** Index of the first token whose end is after `offset` (tokens are in increasing order). */
function firstTokenEndingAfter(offsets: ReadonlyArray<readonly [number, number]>, offset: number): number {
  let low = 0;
  let high = offsets.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (offsets[middle]![1] > offset) high = middle;
    else low = middle + 1;
  }
  return low;
}

function describe(span: LocatedSpan): string {
  return `${span.name} [${span.start}, ${span.end}) "${span.label}"`;
}
