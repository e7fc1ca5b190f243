/**
 * Cutting a large document into the part worth tagging. Sentences never cross a blank line (see
 * core/tokens), so a region that starts and ends at blank lines tokenizes exactly as it would inside
 * the whole document, without tokenizing the rest.
 */
import { type SentenceSpan, type Token, tokenizeSentences } from '../tokens';

const BLANK_LINE = /\n[ \t\r]*\n/g;

/**
 * `[start, end)` widened to the nearest blank lines, looking at most `maxExtra` characters
 * further each way. Without a blank line there, it stops at the nearest line end, and on one
 * huge line at a space: either can cut a sentence in two at the region's edge, which only costs
 * that sentence's accuracy, never the editor's responsiveness.
 */
export function expandToParagraphs(
  text: string,
  start: number,
  end: number,
  maxExtra = 20_000,
): { start: number; end: number } {
  const from = Math.max(0, Math.min(start, text.length));
  const to = Math.max(from, Math.min(end, text.length));
  let regionStart = 0;
  if (from > 0) {
    const lookFrom = Math.max(0, from - maxExtra);
    const before = text.slice(lookFrom, from);
    let last = -1;
    for (const m of before.matchAll(BLANK_LINE)) last = lookFrom + m.index + m[0].length;
    if (last >= 0) regionStart = last;
    else if (lookFrom > 0) {
      const newline = before.lastIndexOf('\n');
      const space = before.search(/\s/);
      regionStart = lookFrom + (newline >= 0 ? newline + 1 : space >= 0 ? space + 1 : 0);
    }
  }
  let regionEnd = text.length;
  if (to < text.length) {
    const lookTo = Math.min(text.length, to + maxExtra);
    const after = text.slice(to, lookTo);
    BLANK_LINE.lastIndex = 0;
    const blank = BLANK_LINE.exec(after);
    if (blank) regionEnd = to + blank.index;
    else if (lookTo < text.length) {
      const newline = after.indexOf('\n');
      const lastSpace = Math.max(after.lastIndexOf(' '), after.lastIndexOf('\t'));
      regionEnd = to + (newline >= 0 ? newline : lastSpace >= 0 ? lastSpace : after.length);
    }
  }
  return { start: regionStart, end: regionEnd };
}

/** A sentence with absolute offsets and its text. */
export interface RegionSentence extends SentenceSpan {
  text: string;
}

/** Sentences of `text[start, end)` with offsets into `text`. */
export function sentencesIn(text: string, start: number, end: number): RegionSentence[] {
  const region = text.slice(start, end);
  return tokenizeSentences(region).map((s) => ({
    start: s.start + start,
    end: s.end + start,
    text: region.slice(s.start, s.end),
    tokens: s.tokens.map((t) => ({ ...t, start: t.start + start, end: t.end + start })),
  }));
}

/** Tokens around `[start, end)` (with offsets into `text`), for snapping a selection. */
export function tokensAround(text: string, start: number, end: number): Token[] {
  const region = expandToParagraphs(text, start, end, 2_000);
  return sentencesIn(text, region.start, region.end).flatMap((s) => s.tokens);
}

/**
 * A selection snapped to whole tokens: every token it touches is included. An empty selection
 * (a cursor) takes the token it is in, or the one just before it. `undefined` when no token is there.
 */
export function snapToTokens(
  tokens: readonly Token[],
  start: number,
  end: number,
): { start: number; end: number } | undefined {
  if (start === end) {
    const token =
      tokens.find((t) => t.start <= start && start < t.end) ?? tokens.find((t) => t.end === start);
    return token ? { start: token.start, end: token.end } : undefined;
  }
  const touched = tokens.filter((t) => t.start < end && start < t.end);
  if (touched.length === 0) return undefined;
  return { start: touched[0]!.start, end: touched[touched.length - 1]!.end };
}
