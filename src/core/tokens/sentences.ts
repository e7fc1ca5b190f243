/**
 * Sentence splitting over tokens. A sentence ends after terminal punctuation (`.`, `!`, `?`, `…`
 * and runs such as `?!`), together with the closing quotes and brackets glued to it, and at
 * every blank line. Abbreviations (`Dr.`, `Réf.`, `e.g.`), initials (`J. K. Rowling`) and decimal
 * numbers are single tokens (see ./tokenize.ts), so their periods never end a sentence.
 */

import { SENTENCE_FINAL_ABBREVIATIONS } from './lexicon';
import { hasBlankLine, type SentenceSpan, type Token } from './token';
import { tokenize } from './tokenize';

// Latin, ellipsis, interrobang, CJK full stops, Arabic question mark, Devanagari dandas.
const TERMINAL = /^[.!?…‽。！？؟।॥]+$/;
const ELLIPSIS = /^(?:\.{2,}|…+)$/;
const CLOSER = /^(?:["'”’»›)\]}」』]|'')$/;
const LOWERCASE_START = /^\p{Ll}/u;
const UPPERCASE_START = /^\p{Lu}/u;

function isTerminal(token: Token): boolean {
  return token.kind === 'punctuation' && TERMINAL.test(token.value);
}

/** Whether a sentence ends right after `token`, given the token that follows it. */
function endsSentence(token: Token, next: Token | undefined): boolean {
  if (next === undefined) return true;
  if (isTerminal(token)) {
    // `Wait... what?`: an ellipsis before a lower-case word is a pause, not an end.
    return !(ELLIPSIS.test(token.value) && LOWERCASE_START.test(next.value));
  }
  // `…, etc. Then` ends a sentence; `Mr. Smith`, `e.g. the`, `Réf. 12390` never do.
  if (token.kind === 'word' && token.value.endsWith('.')) {
    const abbreviation = token.value.slice(0, -1).toLowerCase();
    return SENTENCE_FINAL_ABBREVIATIONS.has(abbreviation) && UPPERCASE_START.test(next.value);
  }
  return false;
}

function sentenceOf(tokens: Token[]): SentenceSpan {
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  return { start: first?.start ?? 0, end: last?.end ?? 0, tokens };
}

/**
 * Groups tokens into sentences. `tokens` defaults to `tokenize(text)`; when given, they must be
 * tokens of `text` in order. Returns new arrays; sentences hold at least one token each.
 */
export function splitSentences(text: string, tokens: readonly Token[] = tokenize(text)): SentenceSpan[] {
  const sentences: SentenceSpan[] = [];
  let current: Token[] = [];
  const close = (): void => {
    if (current.length > 0) sentences.push(sentenceOf(current));
    current = [];
  };
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i] as Token;
    const previous = current[current.length - 1];
    if (previous !== undefined && hasBlankLine(text, previous.end, token.start)) close();
    current.push(token);
    i += 1;
    if (!endsSentence(token, tokens[i])) continue;
    // Keep what closes the sentence with it: `?!`, `. . .`, `."`, `!)`.
    let last = token;
    while (i < tokens.length) {
      const next = tokens[i] as Token;
      if (hasBlankLine(text, last.end, next.start)) break;
      const glued = next.start === last.end;
      const closes = isTerminal(next) || (glued && CLOSER.test(next.value));
      // `Loved it. :)`: a smiley after the end still belongs to the sentence.
      if (!closes && next.kind !== 'emoticon' && next.kind !== 'emoji') break;
      current.push(next);
      last = next;
      i += 1;
    }
    close();
  }
  close();
  return sentences;
}

/** Tokenizes `text` and splits it into sentences. */
export function tokenizeSentences(text: string): SentenceSpan[] {
  return splitSentences(text, tokenize(text));
}
