/** The text a writer puts out for a sentence, checked against its tokens. */
import { skipSeparators } from '../tokens';
import type { TaggedSentence } from '../types';

/**
 * The sentence's text and token offsets, checked so the words can be found again on reading;
 * a sentence without text gets its tokens joined with spaces.
 */
export function sentenceTextAndOffsets(
  sentence: TaggedSentence,
): { text: string; offsets: Array<[number, number]> } | { errors: string[] } {
  if (sentence.text === undefined) return joinTokens(sentence.tokens);
  const { text, offsets, tokens } = sentence;
  if (/[\n\r]/.test(text)) return { errors: ['sentence text contains a line break'] };
  if (!offsets || offsets.length !== tokens.length) {
    return {
      errors: [
        `sentence has text but ${offsets ? offsets.length : 'no'} offsets for ${tokens.length} tokens`,
      ],
    };
  }
  let previousEnd = 0;
  for (let i = 0; i < offsets.length; i++) {
    const [start, end] = offsets[i]!;
    const sharesPrevious = i > 0 && start === offsets[i - 1]![0] && end === offsets[i - 1]![1];
    if (sharesPrevious) continue;
    if (
      !(
        Number.isInteger(start) &&
        Number.isInteger(end) &&
        previousEnd <= start &&
        start < end &&
        end <= text.length
      )
    ) {
      return {
        errors: [`offsets [${start}, ${end}) of token ${i + 1} are out of order or outside the text`],
      };
    }
    // Separators, not only whitespace: a zero-width space or a direction mark between words is
    // what the tokenizer skips too, so reading the text back gives the same tokens.
    if (skipSeparators(text, previousEnd) < start) {
      return {
        errors: [
          `text between tokens ${i} and ${i + 1} is not a separator: ${JSON.stringify(text.slice(previousEnd, start).slice(0, 40))}`,
        ],
      };
    }
    previousEnd = end;
  }
  if (skipSeparators(text, previousEnd) < text.length) {
    return {
      errors: [
        `text after the last token is not a separator: ${JSON.stringify(text.slice(previousEnd).slice(0, 40))}`,
      ],
    };
  }
  return { text, offsets: offsets.map(([start, end]): [number, number] => [start, end]) };
}

function joinTokens(tokens: readonly string[]): { text: string; offsets: Array<[number, number]> } {
  const offsets: Array<[number, number]> = [];
  let length = 0;
  for (const token of tokens) {
    if (offsets.length > 0) length++;
    offsets.push([length, length + token.length]);
    length += token.length;
  }
  return { text: tokens.join(' '), offsets };
}
