/**
 * Randomized property test: thousands of seeded random strings from a mixed alphabet (scripts,
 * marks, emoji parts, lone surrogates, separators, URL and number fragments). Nothing throws,
 * and the token and sentence invariants hold for our tokenizer and the wink reference.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitSentences, tokenize, winkTokenize } from '../../../src/core/tokens';
import { assertSentenceInvariants, tokenProblem } from './invariants';

/** Small deterministic PRNG (mulberry32), so a failure can be replayed from its seed. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const FRAGMENTS = [
  ...'abcXYZéœŁß0123456789',
  ...' \t\n\r\u00A0\u202F\u200B\u200C\u200D\u200E\u200F\u2028\u2029\uFEFF\u2060',
  ...'.,;:!?…\'’"“”«»()[]{}<>-–—_/\\@#$€£%&*+=~^|`°²',
  '\u0301',
  '\u0308',
  '\uFE0F',
  '\u20E3',
  '\uD83D',
  '\uDE00',
  '\uD800',
  '\uDFFF',
  '😀',
  '👍🏽',
  '👩‍💻',
  '🇫🇷',
  '🏴󠁧󠁢󠁥󠁮󠁧󠁿',
  'שלום',
  'مرحبا',
  '漢字',
  'Привет',
  'नमस्ते',
  'http://',
  'https://x.y/',
  'www.',
  'a@b.co',
  "l'",
  "n't",
  "'s",
  'Dr.',
  'U.S.',
  'e.g.',
  'etc.',
  'Réf.',
  'No.',
  'e-',
  'non-',
  '1 000',
  '06.43',
  '10h30',
  '5pm',
  '17th',
  ':-)',
  ';)',
  '<3',
  '...',
  '?!',
  '\r\n\r\n',
  '\n\n',
  '<img src=x onerror=alert(1)>',
];

function randomText(random: () => number): string {
  const length = Math.floor(random() ** 2 * 60);
  let text = '';
  for (let i = 0; i < length; i += 1) {
    text += FRAGMENTS[Math.floor(random() * FRAGMENTS.length)];
  }
  return text;
}

describe('tokenize on random text', () => {
  it('keeps the invariants on 5,000 seeded random strings, for both tokenizers', () => {
    const random = randomSource(20250611);
    for (let i = 0; i < 5_000; i += 1) {
      const text = randomText(random);
      const tokens = tokenize(text);
      const problem = tokenProblem(text, tokens) ?? tokenProblem(text, winkTokenize(text));
      assert.equal(problem, undefined, `string ${i} ${JSON.stringify(text)}: ${problem}`);
      assertSentenceInvariants(tokens, splitSentences(text, tokens));
    }
  });

  it('is consistent with tokenizing each blank-line-separated part alone', () => {
    // A blank line resets everything: tokens of `a\n\nb` are those of `a` and of `b`, shifted.
    const random = randomSource(7);
    for (let i = 0; i < 1_000; i += 1) {
      const first = randomText(random).replace(/[\s\u200B-\u200F\u2028\u2029\u2060\uFEFF]+$/u, '');
      const second = randomText(random);
      const text = `${first} \n\n${second}`;
      const offset = first.length + 3;
      const expected = [
        ...tokenize(first),
        ...tokenize(second).map((t) => ({ ...t, start: t.start + offset, end: t.end + offset })),
      ];
      assert.deepEqual(tokenize(text), expected, `string ${i} ${JSON.stringify(text)}`);
    }
  });
});
