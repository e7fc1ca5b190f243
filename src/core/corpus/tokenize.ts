/**
 * Tokenizers for corpus formats that give text and character spans but no tokens (JSONL text
 * records, brat). The default is Spanlight's offset tokenizer, the same one the tagger uses on
 * editor text, so training data and inference cut text the same way.
 */
import { tokenize } from '../tokens';

/** Cuts a text into tokens, returned as `[start, end)` UTF-16 offsets in increasing order. */
export type CorpusTokenizer = (text: string) => Array<[number, number]>;

/** The offset tokenizer of `src/core/tokens`. */
export const tokenizeForCorpus: CorpusTokenizer = (text) =>
  tokenize(text).map((t): [number, number] => [t.start, t.end]);

/** Whitespace-separated tokens, for texts built by joining tokens with spaces. */
export const tokenizeOnWhitespace: CorpusTokenizer = (text) => matchOffsets(text, /\S+/gu);

function matchOffsets(text: string, pattern: RegExp): Array<[number, number]> {
  return Array.from(text.matchAll(pattern), (m): [number, number] => [m.index, m.index + m[0].length]);
}
