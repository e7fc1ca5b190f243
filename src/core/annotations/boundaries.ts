/**
 * Boundary editing of spans, one token at a time: grow or shrink either end, merge two adjacent
 * spans, split one in two. Spans stay on token boundaries and inside their sentence (an entity
 * never crosses sentences). Each function returns the new ranges, or undefined when the edit
 * cannot be made (nothing to grow into, a one-token span to shrink, a token between two spans).
 */
import type { Token } from '../tokens';
import type { OffsetRange } from './edits';
import { expandToParagraphs, sentencesIn } from './regions';
import { sentenceAt } from './review';

/** The tokens of the sentence holding `range` (tokenized around it only, not the whole text). */
export function sentenceTokensAround(text: string, range: OffsetRange): Token[] {
  const region = expandToParagraphs(text, range.start, range.end, 2_000);
  const sentence = sentenceAt(sentencesIn(text, region.start, region.end), range.start);
  return sentence ? sentence.tokens : [];
}

export type SpanEdge = 'start' | 'end';

/**
 * The span with one edge moved by one token: `grow` takes in the next token outward, otherwise
 * the edge token is given up. Undefined at the sentence's edge or for a one-token shrink.
 */
export function resizeSpan(
  text: string,
  span: OffsetRange,
  edge: SpanEdge,
  grow: boolean,
): OffsetRange | undefined {
  const tokens = sentenceTokensAround(text, span);
  const first = tokens.findIndex((t) => t.start === span.start);
  const last = tokens.findIndex((t) => t.end === span.end);
  if (first < 0 || last < first) return undefined;
  if (grow) {
    if (edge === 'start') return first > 0 ? { start: tokens[first - 1]!.start, end: span.end } : undefined;
    return last < tokens.length - 1 ? { start: span.start, end: tokens[last + 1]!.end } : undefined;
  }
  if (first === last) return undefined;
  return edge === 'start'
    ? { start: tokens[first + 1]!.start, end: span.end }
    : { start: span.start, end: tokens[last - 1]!.end };
}

/** One span covering `a` and `b` when no token lies between them (in either order). */
export function mergeSpans(text: string, a: OffsetRange, b: OffsetRange): OffsetRange | undefined {
  const [left, right] = a.start <= b.start ? [a, b] : [b, a];
  if (left.end > right.start) return undefined;
  const tokens = sentenceTokensAround(text, left);
  if (!tokens.some((t) => t.start === right.start)) return undefined;
  if (tokens.some((t) => t.start >= left.end && t.end <= right.start)) return undefined;
  return { start: left.start, end: right.end };
}

/**
 * `span` cut in two before the token at `offset` (the token holding it, or starting there); an
 * offset at or past the span's end cuts off its last token (review mode selects the whole span,
 * and a name run into the next one is the usual case: "Manchester United | Liverpool"). The cut
 * must leave at least one token on each side.
 */
export function splitSpan(
  text: string,
  span: OffsetRange,
  offset: number,
): [OffsetRange, OffsetRange] | undefined {
  const tokens = sentenceTokensAround(text, span).filter((t) => t.start >= span.start && t.end <= span.end);
  if (tokens.length < 2) return undefined;
  let at = tokens.findIndex((t) => t.start <= offset && offset < t.end);
  if (at < 0) at = offset >= span.end ? tokens.length - 1 : tokens.findIndex((t) => t.start >= offset);
  // A cursor on the first token cuts after it: the first token on its own.
  if (at <= 0) at = 1;
  return [
    { start: span.start, end: tokens[at - 1]!.end },
    { start: tokens[at]!.start, end: span.end },
  ];
}
