/**
 * conlleval semantics on hand-traced cases. Each expected number is derived in the comment next
 * to it by walking the script's startOfChunk/endOfChunk rules token by token.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { convertTags, tagsToSpans } from '../../../src/core/corpus/schemes';
import { formatConllevalTable, formatPercent, spanMetrics } from '../../../src/core/metrics';
import { readWnutTags, seededRandom } from './shared-data';

const close = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);

describe('spanMetrics', () => {
  test('an I- start (IOB1 style) in IOB2 data still opens a chunk', () => {
    // Predicted I-PER after O and I-LOC after O both start chunks: PER [0,2) and LOC [3,4) as in
    // the gold, so 2 found, 2 guessed, 2 correct. Tags differ at tokens 0 and 3: accuracy 2/4.
    const result = spanMetrics([['B-PER', 'I-PER', 'O', 'B-LOC']], [['I-PER', 'I-PER', 'O', 'I-LOC']]);
    assert.deepEqual(
      [result.foundCorrect, result.foundGuessed, result.correctChunk, result.tokens, result.correctTags],
      [2, 2, 2, 4, 2],
    );
    assert.equal(result.micro.f1, 1);
    assert.equal(result.accuracy, 0.5);
    assert.equal(
      formatConllevalTable(result),
      'processed 4 tokens with 2 phrases; found: 2 phrases; correct: 2.\n' +
        'accuracy:  50.00%; precision: 100.00%; recall: 100.00%; FB1: 100.00\n' +
        '              LOC: precision: 100.00%; recall: 100.00%; FB1: 100.00  1\n' +
        '              PER: precision: 100.00%; recall: 100.00%; FB1: 100.00  1\n',
    );
  });

  test('a type switch inside a predicted chunk splits it', () => {
    // Gold PER [0,2). Predicted B-PER then I-LOC: the type change ends PER [0,1) and starts
    // LOC [1,2). No predicted chunk matches: found 1, guessed 2, correct 0; accuracy 2/3.
    const result = spanMetrics([['B-PER', 'I-PER', 'O']], [['B-PER', 'I-LOC', 'O']]);
    assert.deepEqual([result.foundCorrect, result.foundGuessed, result.correctChunk], [1, 2, 0]);
    assert.deepEqual(result.micro, { precision: 0, recall: 0, f1: 0, tp: 0, fp: 2, fn: 1, support: 1 });
    assert.deepEqual(result.perLabel.LOC, {
      precision: 0,
      recall: 0,
      f1: 0,
      tp: 0,
      fp: 1,
      fn: 0,
      support: 0,
    });
    assert.deepEqual(result.perLabel.PER, {
      precision: 0,
      recall: 0,
      f1: 0,
      tp: 0,
      fp: 1,
      fn: 1,
      support: 1,
    });
    assert.equal(
      formatConllevalTable(result),
      'processed 3 tokens with 1 phrases; found: 2 phrases; correct: 0.\n' +
        'accuracy:  66.67%; precision:   0.00%; recall:   0.00%; FB1:   0.00\n' +
        '              LOC: precision:   0.00%; recall:   0.00%; FB1:   0.00  1\n' +
        '              PER: precision:   0.00%; recall:   0.00%; FB1:   0.00  1\n',
    );
  });

  test('adjacent same-type chunks and single-token chunks', () => {
    // Gold: PER [0,1), PER [1,3) (B-PER B-PER separates them), LOC [4,5).
    // Predicted: PER [0,3), LOC [4,5). At token 1 the gold ends (B→B) but the prediction does
    // not, so the PER guess is wrong; LOC matches. found 3, guessed 2, correct 1.
    // P = 1/2, R = 1/3, F = 2·(1/2)(1/3)/(5/6) = 2/5. Only token 1 differs: accuracy 4/5.
    const result = spanMetrics(
      [['B-PER', 'B-PER', 'I-PER', 'O', 'B-LOC']],
      [['B-PER', 'I-PER', 'I-PER', 'O', 'B-LOC']],
    );
    assert.deepEqual([result.foundCorrect, result.foundGuessed, result.correctChunk], [3, 2, 1]);
    close(result.micro.precision, 1 / 2);
    close(result.micro.recall, 1 / 3);
    close(result.micro.f1, 2 / 5);
    close(result.accuracy, 4 / 5);
    // Macro: LOC (1, 1, 1) and PER (0, 0, 0).
    assert.deepEqual(result.macro, { precision: 0.5, recall: 0.5, f1: 0.5 });
    assert.equal(
      formatConllevalTable(result),
      'processed 5 tokens with 3 phrases; found: 2 phrases; correct: 1.\n' +
        'accuracy:  80.00%; precision:  50.00%; recall:  33.33%; FB1:  40.00\n' +
        '              LOC: precision: 100.00%; recall: 100.00%; FB1: 100.00  1\n' +
        '              PER: precision:   0.00%; recall:   0.00%; FB1:   0.00  1\n',
    );
  });

  test('E- and S- tags', () => {
    // Gold: ORG [0,2), PER [2,3), LOC [4,5). Predicted: ORG [0,2), PER [2,4), LOC [4,5).
    // Token 2: both ORG chunks end (E→S, E→B) → ORG correct; both start PER. Token 3: gold ends
    // (S→O), prediction does not (B→E) → PER wrong. LOC matches at the sentence end.
    // found 3, guessed 3, correct 2; tags differ at tokens 2 and 3: accuracy 3/5.
    const result = spanMetrics(
      [['B-ORG', 'E-ORG', 'S-PER', 'O', 'S-LOC']],
      [['B-ORG', 'E-ORG', 'B-PER', 'E-PER', 'S-LOC']],
    );
    assert.deepEqual([result.foundCorrect, result.foundGuessed, result.correctChunk], [3, 3, 2]);
    close(result.accuracy, 3 / 5);
    assert.equal(
      formatConllevalTable(result),
      'processed 5 tokens with 3 phrases; found: 3 phrases; correct: 2.\n' +
        'accuracy:  60.00%; precision:  66.67%; recall:  66.67%; FB1:  66.67\n' +
        '              LOC: precision: 100.00%; recall: 100.00%; FB1: 100.00  1\n' +
        '              ORG: precision: 100.00%; recall: 100.00%; FB1: 100.00  1\n' +
        '              PER: precision:   0.00%; recall:   0.00%; FB1:   0.00  1\n',
    );
  });

  test('E- followed by B- of the same type closes one chunk and opens another', () => {
    // The BIOES rules (E→B ends and starts a chunk): two PER chunks, both found and correct.
    const tags = ['B-PER', 'E-PER', 'B-PER', 'E-PER'];
    const result = spanMetrics([tags], [tags]);
    assert.deepEqual([result.foundCorrect, result.foundGuessed, result.correctChunk], [2, 2, 2]);
  });

  test('empty predictions score 0, not undefined', () => {
    // Gold PER [0,2) and LOC [0,1) in the second sentence; nothing predicted. Precision has no
    // denominator and conlleval prints 0. Correct tags: only token 2 of sentence 1 → 1/4.
    const result = spanMetrics([['B-PER', 'I-PER', 'O'], ['B-LOC']], [['O', 'O', 'O'], ['O']]);
    assert.deepEqual(result.micro, { precision: 0, recall: 0, f1: 0, tp: 0, fp: 0, fn: 2, support: 2 });
    assert.deepEqual(result.macro, { precision: 0, recall: 0, f1: 0 });
    assert.equal(
      formatConllevalTable(result),
      'processed 4 tokens with 2 phrases; found: 0 phrases; correct: 0.\n' +
        'accuracy:  25.00%; precision:   0.00%; recall:   0.00%; FB1:   0.00\n' +
        '              LOC: precision:   0.00%; recall:   0.00%; FB1:   0.00  0\n' +
        '              PER: precision:   0.00%; recall:   0.00%; FB1:   0.00  0\n',
    );
  });

  test('empty gold', () => {
    // One spurious PER guess: guessed 1, found 0; recall has no denominator → 0. Accuracy 1/2.
    const result = spanMetrics([['O', 'O']], [['B-PER', 'O']]);
    assert.deepEqual(result.micro, { precision: 0, recall: 0, f1: 0, tp: 0, fp: 1, fn: 0, support: 0 });
    assert.equal(result.accuracy, 0.5);
    // No tokens at all: only the first line, as the script prints.
    for (const empty of [[], [[]]]) {
      const nothing = spanMetrics(empty, empty);
      assert.equal(nothing.accuracy, 0);
      assert.deepEqual(nothing.perLabel, {});
      assert.equal(
        formatConllevalTable(nothing),
        'processed 0 tokens with 0 phrases; found: 0 phrases; correct: 0.\n',
      );
    }
  });

  test('sentence boundaries end chunks', () => {
    // Sentence 1 ends in B-PER and sentence 2 starts with I-PER: two gold chunks, since the
    // boundary counts as O. The guess PER [1,2) in sentence 1 ends at the boundary like the gold
    // chunk, so it is correct (without the boundary the gold chunk would run to [1,3) and the
    // guess would be wrong). found 2, guessed 1, correct 1; token 0 of sentence 2 differs: 3/4.
    const result = spanMetrics(
      [
        ['O', 'B-PER'],
        ['I-PER', 'O'],
      ],
      [
        ['O', 'B-PER'],
        ['O', 'O'],
      ],
    );
    assert.deepEqual([result.foundCorrect, result.foundGuessed, result.correctChunk], [2, 1, 1]);
    close(result.accuracy, 3 / 4);
    close(result.micro.f1, 2 / 3);
  });

  test('[ and ] tags are one-token chunks; . is outside', () => {
    // Gold `[-NP . ]-NP`: [ starts a chunk, the next token ends it (prev [), . starts nothing,
    // ] starts a chunk that ends at the boundary → 2 chunks. The guess `[-NP . .` has the first.
    const result = spanMetrics([['[-NP', '.', ']-NP']], [['[-NP', '.', '.']]);
    assert.deepEqual([result.foundCorrect, result.foundGuessed, result.correctChunk], [2, 1, 1]);
    close(result.accuracy, 2 / 3);
    // Same type on both sides: only the bracket rule ends the gold `[` chunk at token 1, where the
    // guessed one ends too (→ O), so it is correct. found 2, guessed 1, correct 1.
    const adjacent = spanMetrics([['[-NP', ']-NP']], [['[-NP', 'O']]);
    assert.deepEqual([adjacent.foundCorrect, adjacent.foundGuessed, adjacent.correctChunk], [2, 1, 1]);
  });

  test('raw mode makes every non-outside tag a one-token chunk', () => {
    // Gold chunks NOUN, VERB, NOUN; guessed NOUN ×3; tokens 0 and 2 match: correct 2.
    // NOUN: guessed 3, gold 2, correct 2 → P 2/3, R 1, F 0.8. VERB: 0, 1, 0.
    const result = spanMetrics([['NOUN', 'VERB', 'NOUN']], [['NOUN', 'NOUN', 'NOUN']], { raw: true });
    assert.deepEqual([result.foundCorrect, result.foundGuessed, result.correctChunk], [3, 3, 2]);
    close(result.perLabel.NOUN!.precision, 2 / 3);
    close(result.perLabel.NOUN!.f1, 0.8);
    assert.equal(result.perLabel.VERB!.recall, 0);
    // With PUNCT as the outside tag, gold is O B-NOUN and the guess B-NOUN B-NOUN: 1, 2, 1.
    const punct = spanMetrics([['PUNCT', 'NOUN']], [['NOUN', 'NOUN']], { raw: true, outsideTag: 'PUNCT' });
    assert.deepEqual(
      [punct.foundCorrect, punct.foundGuessed, punct.correctChunk, punct.correctTags],
      [1, 2, 1, 1],
    );
  });

  test('types may contain hyphens', () => {
    const tags = ['B-creative-work', 'I-creative-work', 'O'];
    const result = spanMetrics([tags], [tags]);
    assert.deepEqual(Object.keys(result.perLabel), ['creative-work']);
    assert.equal(result.perLabel['creative-work']!.tp, 1);
  });

  test('misaligned input is reported, not miscounted', () => {
    assert.throws(
      () => spanMetrics([['O']], [['O', 'O']]),
      /sentence 1: gold has 1 tags but the prediction has 2/,
    );
    assert.throws(() => spanMetrics([['O'], ['O']], [['O']]), /2 sentences.*1/);
  });

  test('on random BIOES/IOB sequences it counts exactly the chunks that match start, end and type', () => {
    const random = seededRandom(99);
    const alphabet = ['O', 'O', 'O'];
    for (const prefix of ['B', 'I', 'E', 'S']) alphabet.push(`${prefix}-A`, `${prefix}-B`);
    const pick = () => alphabet[Math.floor(random() * alphabet.length)]!;
    for (let trial = 0; trial < 500; trial++) {
      const gold = Array.from({ length: 1 + Math.floor(random() * 4) }, () =>
        Array.from({ length: Math.floor(random() * 10) }, pick),
      );
      // Predictions: mostly the gold tag, sometimes a random one, so many chunks match.
      const pred = gold.map((tags) => tags.map((tag) => (random() < 0.7 ? tag : pick())));
      const key = (s: number) => (c: { start: number; end: number; label: string }) =>
        `${s}:${c.start}:${c.end}:${c.label}`;
      const goldChunks = gold.flatMap((tags, s) => tagsToSpans(tags).map(key(s)));
      const predChunks = new Set(pred.flatMap((tags, s) => tagsToSpans(tags).map(key(s))));
      const result = spanMetrics(gold, pred);
      assert.equal(result.foundCorrect, goldChunks.length);
      assert.equal(result.foundGuessed, predChunks.size);
      assert.equal(result.correctChunk, goldChunks.filter((c) => predChunks.has(c)).length);
    }
  });
});

describe('formatPercent', () => {
  test('matches printf %6.2f, including round-half-even on exact ties', () => {
    assert.equal(formatPercent(0), '  0.00');
    assert.equal(formatPercent(100), '100.00');
    assert.equal(formatPercent(200 / 3), ' 66.67');
    assert.equal(formatPercent(33.125), ' 33.12'); // exact tie: 2 is even
    assert.equal(formatPercent(33.375), ' 33.38'); // exact tie: 8 is even
    assert.equal(formatPercent(0.625), '  0.62');
    assert.equal(formatPercent(2.675), '  2.67'); // 2.675 is stored just below the tie
  });
});

describe('WNUT-17 dev', () => {
  const gold = readWnutTags('emerging.dev.conll');

  test('gold against itself: 836 entities (data README), all correct', () => {
    const result = spanMetrics(gold, gold);
    assert.deepEqual([result.foundCorrect, result.foundGuessed, result.correctChunk], [836, 836, 836]);
    assert.equal(result.tokens, 15733);
    assert.equal(result.micro.f1, 1);
    assert.equal(result.macro.f1, 1);
    assert.equal(result.perLabel.person!.support, 470);
  });

  test('the same chunks in IOB1 score F1 100% but lose token accuracy on every B- that became I-', () => {
    const iob1 = gold.map((tags) => convertTags(tags, 'IOB2', 'IOB1'));
    const result = spanMetrics(gold, iob1);
    assert.equal(result.micro.f1, 1);
    const iob1Tags = iob1.flat();
    const changed = gold.flat().filter((tag, i) => tag !== iob1Tags[i]).length;
    assert.ok(changed > 0);
    assert.equal(result.correctTags, result.tokens - changed);
  });

  test('predicting only O', () => {
    const result = spanMetrics(
      gold,
      gold.map((tags) => tags.map(() => 'O')),
    );
    assert.deepEqual([result.foundCorrect, result.foundGuessed, result.correctChunk], [836, 0, 0]);
    assert.equal(result.micro.recall, 0);
    const outsideTokens = gold.flat().filter((tag) => tag === 'O').length;
    assert.equal(result.correctTags, outsideTokens);
  });
});
