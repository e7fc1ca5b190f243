/** Test helper: the properties every tokenization and sentence split must have. */
import assert from 'node:assert/strict';
import { isSeparatorChar, type SentenceSpan, type Token, type TokenKind } from '../../../src/core/tokens';

const KINDS: ReadonlySet<TokenKind> = new Set<TokenKind>([
  'word',
  'number',
  'punctuation',
  'symbol',
  'currency',
  'email',
  'url',
  'hashtag',
  'mention',
  'emoji',
  'emoticon',
  'time',
  'ordinal',
  'alien',
]);

function firstCodePoint(value: string): string {
  return String.fromCodePoint(value.codePointAt(0) ?? 0);
}

function lastCodePoint(value: string): string {
  const last = value.charCodeAt(value.length - 1);
  const isLowSurrogate = last >= 0xdc00 && last <= 0xdfff;
  return isLowSurrogate && value.length >= 2 ? value.slice(-2) : value.slice(-1);
}

/**
 * Returns a description of the first broken invariant, or undefined. Checked: value is the
 * source slice, tokens are non-empty, ordered and disjoint, never start or end with a separator,
 * have a known kind, and (when `complete`) every non-separator character is inside a token.
 */
export function tokenProblem(text: string, tokens: readonly Token[], complete = true): string | undefined {
  let previousEnd = 0;
  for (const [index, token] of tokens.entries()) {
    const where = (): string =>
      `token ${index} ${JSON.stringify(token)} in ${JSON.stringify(text.slice(0, 200))}`;
    if (!(token.start < token.end)) return `empty or reversed ${where()}`;
    if (token.start < previousEnd) return `overlaps or out of order ${where()}`;
    if (text.slice(token.start, token.end) !== token.value) return `value is not the source slice ${where()}`;
    if (!KINDS.has(token.kind)) return `unknown kind ${where()}`;
    if (isSeparatorChar(firstCodePoint(token.value)) || isSeparatorChar(lastCodePoint(token.value))) {
      return `starts or ends with a separator ${where()}`;
    }
    if (complete) {
      for (const ch of text.slice(previousEnd, token.start)) {
        if (!isSeparatorChar(ch)) return `dropped ${JSON.stringify(ch)} before ${where()}`;
      }
    }
    previousEnd = token.end;
  }
  if (complete) {
    for (const ch of text.slice(previousEnd)) {
      if (!isSeparatorChar(ch)) return `dropped ${JSON.stringify(ch)} at the end of ${JSON.stringify(text)}`;
    }
  }
  return undefined;
}

export function assertTokenInvariants(text: string, tokens: readonly Token[]): void {
  const problem = tokenProblem(text, tokens);
  assert.equal(problem, undefined, problem);
}

/** Sentences partition the tokens, in order, and span first token start to last token end. */
export function assertSentenceInvariants(tokens: readonly Token[], sentences: readonly SentenceSpan[]): void {
  assert.deepEqual(
    sentences.flatMap((sentence) => sentence.tokens),
    tokens,
  );
  for (const sentence of sentences) {
    assert.ok(sentence.tokens.length > 0, 'a sentence holds at least one token');
    assert.equal(sentence.start, sentence.tokens[0]?.start);
    assert.equal(sentence.end, sentence.tokens[sentence.tokens.length - 1]?.end);
  }
}

/** `[value, kind]` pairs, for compact expectations. */
export function valuesAndKinds(tokens: readonly Token[]): Array<[string, TokenKind]> {
  return tokens.map((token) => [token.value, token.kind]);
}

export function values(tokens: readonly Token[]): string[] {
  return tokens.map((token) => token.value);
}
