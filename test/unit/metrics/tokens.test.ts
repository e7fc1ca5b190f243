import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { confusionMatrix, tokenAccuracy } from '../../../src/core/metrics';
import { readUposTags } from './shared-data';

describe('tokenAccuracy', () => {
  test('overall and per tag', () => {
    // Tokens 0, 2, 3 match (3/4). NOUN: gold 2, predicted 3, correct 2 → P 2/3, R 1, F 0.8.
    const result = tokenAccuracy([['NOUN', 'VERB', 'NOUN', 'DET']], [['NOUN', 'NOUN', 'NOUN', 'DET']]);
    assert.equal(result.accuracy, 3 / 4);
    assert.deepEqual([result.correct, result.total], [3, 4]);
    assert.deepEqual(Object.keys(result.perTag), ['DET', 'NOUN', 'VERB']);
    const noun = result.perTag.NOUN!;
    assert.deepEqual([noun.gold, noun.predicted, noun.correct], [2, 3, 2]);
    assert.ok(Math.abs(noun.precision - 2 / 3) < 1e-12);
    assert.equal(noun.recall, 1);
    assert.ok(Math.abs(noun.f1 - 0.8) < 1e-12);
    assert.deepEqual(result.perTag.VERB, {
      gold: 1,
      predicted: 0,
      correct: 0,
      precision: 0,
      recall: 0,
      f1: 0,
    });
    assert.deepEqual(result.perTag.DET, {
      gold: 1,
      predicted: 1,
      correct: 1,
      precision: 1,
      recall: 1,
      f1: 1,
    });
  });

  test('empty corpus', () => {
    assert.deepEqual(tokenAccuracy([], []), { accuracy: 0, correct: 0, total: 0, perTag: {} });
  });

  test('rejects misaligned sentences', () => {
    assert.throws(() => tokenAccuracy([['A', 'B']], [['A']]), /sentence 1/);
  });

  test('EWT dev UPOS against a prediction that tags every word NOUN', () => {
    const gold = readUposTags('en_ewt-ud-dev.conllu');
    const result = tokenAccuracy(
      gold,
      gold.map((tags) => tags.map(() => 'NOUN')),
    );
    assert.equal(result.total, 25147); // words in the data README
    assert.equal(result.correct, result.perTag.NOUN!.gold);
    assert.equal(result.perTag.NOUN!.recall, 1);
    assert.equal(result.perTag.NOUN!.predicted, 25147);
    assert.equal(Object.keys(result.perTag).length, 17); // all UPOS tags occur in dev
  });
});

describe('confusionMatrix', () => {
  test('chunk tags, with the entity-type view', () => {
    const result = confusionMatrix([['B-PER', 'I-PER', 'O', 'B-LOC']], [['B-PER', 'B-PER', 'O', 'B-PER']]);
    assert.deepEqual(result.labels, ['O', 'B-LOC', 'B-PER', 'I-PER']);
    // Rows are gold, columns predicted: every non-O token was predicted B-PER.
    assert.deepEqual(result.counts, [
      [1, 0, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 1, 0],
      [0, 0, 1, 0],
    ]);
    assert.deepEqual(result.byType, {
      labels: ['O', 'LOC', 'PER'],
      counts: [
        [1, 0, 0],
        [0, 0, 1],
        [0, 0, 2],
      ],
    });
  });

  test('orders chunk tags by type then B, I, E, S', () => {
    const tags = ['S-B', 'E-A', 'O', 'I-A', 'B-B', 'B-A'];
    assert.deepEqual(confusionMatrix([tags], [tags]).labels, ['O', 'B-A', 'I-A', 'E-A', 'B-B', 'S-B']);
  });

  test('plain tags have no type view', () => {
    const result = confusionMatrix([['NOUN', 'VERB']], [['VERB', 'VERB']]);
    assert.deepEqual(result.labels, ['NOUN', 'VERB']);
    assert.deepEqual(result.counts, [
      [0, 1],
      [0, 1],
    ]);
    assert.equal(result.byType, undefined);
  });

  test('EWT dev UPOS: the diagonal of gold against gold holds the tag counts', () => {
    const gold = readUposTags('en_ewt-ud-dev.conllu');
    const result = confusionMatrix(gold, gold);
    const total = result.counts.flat().reduce((a, b) => a + b, 0);
    const diagonal = result.counts.reduce((sum, row, i) => sum + row[i]!, 0);
    assert.equal(total, 25147);
    assert.equal(diagonal, total);
  });
});
