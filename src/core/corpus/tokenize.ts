/**
 * A simple tokenizer for corpus formats that give text and character spans but no tokens (JSONL
 * text records, brat). It is a stand-in: readers take the tokenizer as an option so the offset
 * tokenizer of `src/core/tokens` can replace it.
 */

/** Cuts a text into tokens, returned as `[start, end)` UTF-16 offsets in increasing order. */
export type CorpusTokenizer = (text: string) => Array<[number, number]>;

/** A word is a run of letters, digits, marks and `_`; any other visible character (with its marks) stands alone. */
const WORD_OR_SYMBOL = /[\p{L}\p{N}_][\p{L}\p{M}\p{N}_]*|\S\p{M}*/gu;

/** Words and single punctuation marks: `"Hi, Bob's"` → `Hi` `,` `Bob` `'` `s`. */
export const tokenizeForCorpus: CorpusTokenizer = (text) => matchOffsets(text, WORD_OR_SYMBOL);

/** Whitespace-separated tokens, for texts built by joining tokens with spaces. */
export const tokenizeOnWhitespace: CorpusTokenizer = (text) => matchOffsets(text, /\S+/gu);

function matchOffsets(text: string, pattern: RegExp): Array<[number, number]> {
  return Array.from(text.matchAll(pattern), (m): [number, number] => [m.index, m.index + m[0].length]);
}
