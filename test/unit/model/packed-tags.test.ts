import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { unpackScored } from '../../../src/core/model/packed-tags';
import { PortableTagger } from '../../../src/core/model/portable-tagger';

const fixtureModel = path.resolve(__dirname, '../../fixtures/sample-workspace/.spanlight/models/fixture-ner');

test('packed results: an empty sentence beside a windowed one scores 0, not NaN; windows tile the long one', async () => {
  const tagger = await PortableTagger.load(fixtureModel);
  const words = ['Alice', 'met', 'Bob', 'in', 'Paris', '.'];
  const long = Array.from({ length: 620 }, (_, i) => words[i % words.length]!);
  const sentences = [[], long, words];
  const packed = tagger.tagPacked(sentences, { alternatives: 2 });
  assert.deepEqual(Array.from(packed.lengths), [0, 620, 6]);
  assert.equal(packed.tags.length, 626);
  assert.equal(packed.slots, 2);
  assert.ok(packed.alternativeLabels.every((label) => label >= 0 && label < tagger.labels.length));
  const [empty, windowed, short] = unpackScored(packed, sentences, tagger.labels);
  assert.deepEqual(empty, { tokens: [], logProbability: 0, entropy: 0 });
  assert.ok(Number.isFinite(windowed!.logProbability) && windowed!.logProbability < 0);
  // The short sentence alone: the same tags, confidences and figures as beside the others.
  const [alone] = tagger.tagScored([words], { alternatives: 2 });
  assert.deepEqual(short, alone);
  // Alternatives best first, none equal to the token's own tag.
  for (const token of windowed!.tokens) {
    assert.ok(token.alternatives[0]!.probability >= token.alternatives[1]!.probability);
    assert.ok(token.alternatives.every((a) => a.label !== token.tag));
  }
});
