import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitSentences, tokenize, tokenizeSentences } from '../../../src/core/tokens';
import { conlluFiles, readGoldSentences } from './conllu-gold';
import { assertSentenceInvariants } from './invariants';

/** The text of each sentence found in `text`. */
function sentenceTexts(text: string): string[] {
  const tokens = tokenize(text);
  const sentences = splitSentences(text, tokens);
  assertSentenceInvariants(tokens, sentences);
  return sentences.map((s) => text.slice(s.start, s.end));
}

describe('splitSentences', () => {
  it('splits at . ! ? and …, keeping runs like ?! together', () => {
    assert.deepEqual(sentenceTexts('It rained. Did it? Yes! What?! Well… Fine.'), [
      'It rained.',
      'Did it?',
      'Yes!',
      'What?!',
      'Well…',
      'Fine.',
    ]);
    assert.deepEqual(sentenceTexts('Really? ! Okay'), ['Really? !', 'Okay']);
  });

  it('keeps closing quotes and brackets with the sentence they close', () => {
    assert.deepEqual(sentenceTexts('He said "Stop." Then he left. (See below.) «Bien.» Fin'), [
      'He said "Stop."',
      'Then he left.',
      '(See below.)',
      '«Bien.»',
      'Fin',
    ]);
    assert.deepEqual(sentenceTexts('I loved it! :) Next time.'), ['I loved it! :)', 'Next time.']);
  });

  it('does not split after English abbreviations, initials or inside numbers', () => {
    assert.deepEqual(
      sentenceTexts(
        'Mr. Smith and Dr. Jones met at St. Mary’s, i.e. the church, e.g. on No. 5 Main St. at 5 p.m. on Monday. ' +
          'J. K. Rowling paid 3.14 dollars vs. 2.5 yesterday. Done.',
      ),
      [
        'Mr. Smith and Dr. Jones met at St. Mary’s, i.e. the church, e.g. on No. 5 Main St. at 5 p.m. on Monday.',
        'J. K. Rowling paid 3.14 dollars vs. 2.5 yesterday.',
        'Done.',
      ],
    );
  });

  it('does not split after French abbreviations', () => {
    assert.deepEqual(
      sentenceTexts(
        'Réf. 12390. M. Dupont et Mme. Durand, tél. 06.43.43.43.43, voir p. 12. Prix : 1 270 000 €.',
      ),
      ['Réf. 12390.', 'M. Dupont et Mme. Durand, tél. 06.43.43.43.43, voir p. 12.', 'Prix : 1 270 000 €.'],
    );
  });

  it('lets "etc." end a sentence before a capital, but not before a lower-case word', () => {
    assert.deepEqual(sentenceTexts('Apples, pears, etc. Then we left.'), [
      'Apples, pears, etc.',
      'Then we left.',
    ]);
    assert.deepEqual(sentenceTexts('Apples, pears, etc. and more.'), ['Apples, pears, etc. and more.']);
    assert.deepEqual(sentenceTexts('We sold apples, pears, etc.'), ['We sold apples, pears, etc.']);
  });

  it('treats an ellipsis before a lower-case word as a pause', () => {
    assert.deepEqual(sentenceTexts('Wait... what happened? I waited... Then it came.'), [
      'Wait... what happened?',
      'I waited...',
      'Then it came.',
    ]);
  });

  it('splits at blank lines, not at single line breaks, with LF or CRLF', () => {
    const text = 'Title\n\nFirst line\ngoes on. Second.\n \n\nThird';
    assert.deepEqual(sentenceTexts(text), ['Title', 'First line\ngoes on.', 'Second.', 'Third']);
    assert.deepEqual(sentenceTexts(text.replaceAll('\n', '\r\n')), [
      'Title',
      'First line\r\ngoes on.',
      'Second.',
      'Third',
    ]);
    assert.deepEqual(sentenceTexts('one\r\ntwo'), ['one\r\ntwo']);
    assert.deepEqual(sentenceTexts('one\u2029two'), ['one', 'two']);
  });

  it('does not carry a closing quote across a blank line', () => {
    assert.deepEqual(sentenceTexts('End.\n\n" Next'), ['End.', '" Next']);
  });

  it('gives offsets of the first and last token, and works on tokens passed in', () => {
    const text = '  Hello there.  Bye!  ';
    const sentences = tokenizeSentences(text);
    assert.deepEqual(
      sentences.map((s) => [s.start, s.end, s.tokens.length]),
      [
        [2, 14, 3],
        [16, 20, 2],
      ],
    );
    assert.deepEqual(splitSentences(text), sentences);
  });

  it('returns no sentence for empty or blank text', () => {
    assert.deepEqual(tokenizeSentences(''), []);
    assert.deepEqual(tokenizeSentences(' \n\n\t'), []);
  });

  it('finds the sentence boundaries of EWT and GSD paragraphs (measured F1: EWT 90.6%, GSD 98.0%)', (t) => {
    // Paragraphs are rebuilt by joining their sentences with a space; EWT has many sentences
    // without final punctuation (e-mail headers, signatures), which no punctuation rule can see.
    for (const [corpus, minimumF1, minimumPrecision] of [
      ['ud-en-ewt', 0.89, 0.95],
      ['ud-fr-gsd', 0.96, 0.98],
    ] as const) {
      let found = 0;
      let wrong = 0;
      let missed = 0;
      for (const file of conlluFiles(corpus)) {
        const paragraphs: string[][] = [];
        for (const sentence of readGoldSentences(file)) {
          if (sentence.newParagraph || paragraphs.length === 0) paragraphs.push([]);
          paragraphs[paragraphs.length - 1]?.push(sentence.text);
        }
        for (const paragraph of paragraphs) {
          const text = paragraph.join(' ');
          const gold = new Set<number>();
          let offset = 0;
          for (const sentence of paragraph) {
            if (offset > 0) gold.add(offset);
            offset += sentence.length + 1;
          }
          const predicted = new Set(tokenizeSentences(text).map((s) => s.start));
          predicted.delete(0);
          for (const start of predicted) {
            if (gold.has(start)) found += 1;
            else wrong += 1;
          }
          missed += [...gold].filter((start) => !predicted.has(start)).length;
        }
      }
      const precision = found / (found + wrong);
      const recall = found / (found + missed);
      const f1 = (2 * precision * recall) / (precision + recall);
      t.diagnostic(
        `${corpus}: boundary precision ${precision.toFixed(3)} recall ${recall.toFixed(3)} F1 ${f1.toFixed(3)}`,
      );
      assert.ok(f1 >= minimumF1, `${corpus} F1 ${f1.toFixed(3)}`);
      assert.ok(precision >= minimumPrecision, `${corpus} precision ${precision.toFixed(3)}`);
    }
  });
});
