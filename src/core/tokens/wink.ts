/**
 * wink-tokenizer with character offsets: the reference for what a token is, against which
 * ./tokenize.ts is measured (see test/unit/tokens). Wink returns bare strings and sometimes
 * alters them, so its output goes through {@link alignTokens}.
 */

import winkTokenizer from 'wink-tokenizer';
import { alignTokens } from './align';
import type { Token, TokenKind } from './token';

const KIND_OF_WINK_TAG: Readonly<Record<string, TokenKind>> = {
  word: 'word',
  number: 'number',
  punctuation: 'punctuation',
  symbol: 'symbol',
  currency: 'currency',
  email: 'email',
  url: 'url',
  hashtag: 'hashtag',
  mention: 'mention',
  emoji: 'emoji',
  emoticon: 'emoticon',
  time: 'time',
  ordinal: 'ordinal',
  // Off in wink's default configuration, which is the one used here.
  quoted_phrase: 'punctuation',
  alien: 'alien',
};

let wink: winkTokenizer.WinkTokenizer | undefined;

/** Tokenizes with wink-tokenizer (default configuration) and aligns its tokens to `text`. */
export function winkTokenize(text: string): Token[] {
  wink ??= winkTokenizer();
  const pieces = wink.tokenize(text).map((token) => ({
    value: token.value,
    kind: KIND_OF_WINK_TAG[token.tag] ?? 'alien',
  }));
  return alignTokens(text, pieces);
}
