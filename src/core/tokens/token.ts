/**
 * Token shapes. Offsets are UTF-16 code-unit indices into the tokenized string, half-open
 * `[start, end)`, and `value` is always `text.slice(start, end)`: never a normalised form.
 */

/** What a token is. The names follow wink-tokenizer's tags so both tokenizers speak alike. */
export type TokenKind =
  | 'word'
  | 'number'
  | 'punctuation'
  | 'symbol'
  | 'currency'
  | 'email'
  | 'url'
  | 'hashtag'
  | 'mention'
  | 'emoji'
  | 'emoticon'
  | 'time'
  | 'ordinal'
  /** Anything else: orphan combining marks, control and private-use characters, lone surrogates. */
  | 'alien';

export interface Token {
  value: string;
  start: number;
  end: number;
  kind: TokenKind;
}

/** A sentence: `[start, end)` runs from its first token's start to its last token's end. */
export interface SentenceSpan {
  start: number;
  end: number;
  tokens: Token[];
}

/**
 * Characters that separate tokens and never begin or end one: JavaScript whitespace (`\s`,
 * which includes NBSP, U+FEFF and the line/paragraph separators) plus invisible format
 * characters that carry no text of their own (zero-width space, word joiner, bidi marks and
 * embeddings). ZWJ/ZWNJ are not here: they glue emoji sequences and Indic/Persian words.
 */
export const SEPARATOR_CLASS = '\\s\\u200B\\u200E\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u206F';

const separatorRun = new RegExp(`[${SEPARATOR_CLASS}]+`, 'y');

/** Index of the first non-separator character at or after `from` (or `text.length`). */
export function skipSeparators(text: string, from: number): number {
  separatorRun.lastIndex = from;
  return separatorRun.test(text) ? separatorRun.lastIndex : from;
}

const separatorChar = new RegExp(`^[${SEPARATOR_CLASS}]$`);

export function isSeparatorChar(ch: string): boolean {
  return separatorChar.test(ch);
}

/**
 * Whether `text[from, to)` holds a blank line: two or more line breaks, CRLF counting as one,
 * a paragraph separator or form feed as two.
 */
export function hasBlankLine(text: string, from: number, to: number): boolean {
  let breaks = 0;
  for (let i = from; i < to; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0x0a || code === 0x2028) breaks += 1;
    else if (code === 0x0d)
      breaks += text.charCodeAt(i + 1) === 0x0a ? 0 : 1; // CRLF counts once
    else if (code === 0x2029 || code === 0x0c) breaks += 2; // paragraph separator, form feed
    if (breaks >= 2) return true;
  }
  return false;
}
