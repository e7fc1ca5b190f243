/**
 * Gives character offsets to a tokenizer's output when it returns bare strings, possibly altered
 * (wink-tokenizer turns `LET'S` into `THAT` + `'S`, `Couldn't` into `could` + `n't`). Each
 * resulting token carries the SOURCE slice as its value, so `text.slice(start, end) === value`
 * always holds, and every non-separator character of the text ends up in some token.
 */

import { SEPARATOR_CLASS, skipSeparators, type Token, type TokenKind } from './token';

export interface TokenPiece {
  value: string;
  kind: TokenKind;
}

/** How far ahead a piece may be looked for after an unaligned one (resynchronisation). */
const RESYNC_WINDOW = 256;

const SEPARATOR_RUN = new RegExp(`[${SEPARATOR_CLASS}]+`, 'g');

/** Non-separator runs of `text[from, to)`, each as a token of the given kind. */
function piecesOfGap(text: string, from: number, to: number, kind: TokenKind): Token[] {
  const gap = text.slice(from, to);
  const tokens: Token[] = [];
  let last = 0;
  const push = (start: number, end: number): void => {
    if (end > start) {
      tokens.push({ value: gap.slice(start, end), start: from + start, end: from + end, kind });
    }
  };
  for (const separator of gap.matchAll(SEPARATOR_RUN)) {
    push(last, separator.index);
    last = separator.index + separator[0].length;
  }
  push(last, gap.length);
  return tokens;
}

/** Where `value` starts at or after `at`: exactly, or with its letter case changed. */
function findAt(text: string, value: string, at: number): number {
  if (text.startsWith(value, at)) return at;
  const candidate = text.slice(at, at + value.length);
  return candidate.toLowerCase() === value.toLowerCase() ? at : -1;
}

/**
 * Aligns `pieces`, in order, against `text`. A piece found at the cursor (after separators) is
 * taken as is. A piece that is not there is "unaligned"; the next piece that can be found within
 * a short window marks where it ended, and the text skipped in between becomes token(s) of the
 * unaligned piece's kind. Text that no piece accounts for becomes `alien` tokens.
 */
export function alignTokens(text: string, pieces: readonly TokenPiece[]): Token[] {
  const tokens: Token[] = [];
  let cursor = 0;
  let unalignedKind: TokenKind | undefined;
  for (const piece of pieces) {
    if (piece.value === '') continue;
    const at = skipSeparators(text, cursor);
    let found = findAt(text, piece.value, at);
    if (found === -1 && unalignedKind !== undefined) {
      const ahead = text.slice(at, at + RESYNC_WINDOW + piece.value.length).indexOf(piece.value);
      if (ahead !== -1) found = at + ahead;
    }
    if (found === -1) {
      unalignedKind ??= piece.kind;
      continue;
    }
    if (unalignedKind !== undefined) {
      for (const piece of piecesOfGap(text, cursor, found, unalignedKind)) tokens.push(piece);
      unalignedKind = undefined;
    }
    tokens.push({
      value: text.slice(found, found + piece.value.length),
      start: found,
      end: found + piece.value.length,
      kind: piece.kind,
    });
    cursor = found + piece.value.length;
  }
  if (unalignedKind !== undefined)
    for (const piece of piecesOfGap(text, cursor, text.length, unalignedKind)) tokens.push(piece);
  return coverGaps(text, trimSeparators(text, tokens));
}

const LEADING_SEPARATORS = new RegExp(`^[${SEPARATOR_CLASS}]+`);
const TRAILING_SEPARATORS = new RegExp(`[${SEPARATOR_CLASS}]+$`);

/** Drops separators at token edges (a tokenizer may keep zero-width spaces); drops empty tokens. */
function trimSeparators(text: string, tokens: readonly Token[]): Token[] {
  return tokens.flatMap((token) => {
    const lead = LEADING_SEPARATORS.exec(token.value)?.[0].length ?? 0;
    const trail = lead === token.value.length ? 0 : (TRAILING_SEPARATORS.exec(token.value)?.[0].length ?? 0);
    const start = token.start + lead;
    const end = token.end - trail;
    if (end <= start) return [];
    if (start === token.start && end === token.end) return [token];
    return [{ ...token, value: text.slice(start, end), start, end }];
  });
}

/** Adds `alien` tokens for non-separator text between (or around) the given ordered tokens. */
function coverGaps(text: string, tokens: readonly Token[]): Token[] {
  const covered: Token[] = [];
  let cursor = 0;
  for (const token of tokens) {
    if (token.start > cursor)
      for (const piece of piecesOfGap(text, cursor, token.start, 'alien')) covered.push(piece);
    covered.push(token);
    cursor = token.end;
  }
  if (cursor < text.length)
    for (const piece of piecesOfGap(text, cursor, text.length, 'alien')) covered.push(piece);
  return covered;
}
