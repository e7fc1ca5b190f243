import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SentenceCache } from '../../../src/core/annotations/cache';
import { applyChanges } from '../../../src/core/annotations/edits';
import {
  expandToParagraphs,
  sentencesIn,
  snapToTokens,
  tokensAround,
} from '../../../src/core/annotations/regions';
import {
  followSentenceEdit,
  type SentenceSuggestions,
  type SentenceTagger,
  TaggingCancelled,
  tagSentences,
} from '../../../src/core/annotations/suggestions';
import { loadTensorflow } from '../../../src/core/backend';
import { Tagger } from '../../../src/core/model/tagger';
import { tokenizeSentences } from '../../../src/core/tokens';
import { fixtureNerModel, sampleWorkspace } from './helpers';

const news = fs.readFileSync(path.join(sampleWorkspace, 'news.md'), 'utf8');
const notes = fs.readFileSync(path.join(sampleWorkspace, 'notes.txt'), 'utf8');
/** A long document: the sample documents repeated, as paragraphs. */
const longDocument = Array.from({ length: 60 }, (_, i) => `${i % 2 ? news : notes}\n\nParagraph ${i}.`).join(
  '\n\n',
);

describe('regions', () => {
  it('cut at blank lines, so a region tokenizes exactly like the whole document there', () => {
    const whole = tokenizeSentences(longDocument);
    for (const at of [0, 500, 4_321, 10_000, longDocument.length - 10]) {
      const region = expandToParagraphs(longDocument, at, at + 300);
      assert.ok(region.start <= at && region.end >= Math.min(at + 300, longDocument.length));
      const inRegion = sentencesIn(longDocument, region.start, region.end);
      const expected = whole.filter((s) => s.start >= region.start && s.end <= region.end);
      assert.deepEqual(
        inRegion.map((s) => [s.start, s.end, s.tokens.map((t) => [t.start, t.end, t.value])]),
        expected.map((s) => [s.start, s.end, s.tokens.map((t) => [t.start, t.end, t.value])]),
      );
      for (const s of inRegion) assert.equal(s.text, longDocument.slice(s.start, s.end));
    }
  });

  it('stop looking for a blank line after maxExtra characters (at a line end)', () => {
    const oneParagraph = 'word '.repeat(10_000);
    const region = expandToParagraphs(`${oneParagraph}\nmore ${oneParagraph}`, 25_000, 25_010, 1_000);
    assert.ok(region.end - region.start < 30_000, 'bounded');
  });

  it('snap selections and cursors to whole tokens', () => {
    const tokens = tokensAround(notes, 0, notes.length);
    const at = notes.indexOf('Sarah Johnson');
    assert.deepEqual(snapToTokens(tokens, at + 2, at + 9), { start: at, end: at + 'Sarah Johnson'.length });
    assert.deepEqual(
      snapToTokens(tokens, at + 1, at + 1),
      { start: at, end: at + 5 },
      'a cursor takes its token',
    );
    assert.deepEqual(
      snapToTokens(tokens, at + 5, at + 5),
      { start: at, end: at + 5 },
      'or the one just before it',
    );
    const blank = notes.indexOf('\n\n');
    assert.equal(snapToTokens(tokens, blank + 1, blank + 1), undefined);
  });
});

describe('tagSentences with the fixture model', () => {
  let tagger: Tagger;
  before(async () => {
    tagger = await Tagger.load(fixtureNerModel);
  });
  after(() => tagger.dispose());

  /** Counts the sentences the model is asked to tag. */
  const counting = (inner: SentenceTagger) => {
    const counter = {
      sentences: 0,
      labels: inner.labels,
      scheme: inner.scheme,
      tag(sentences: ReadonlyArray<readonly string[]>, options?: Parameters<SentenceTagger['tag']>[1]) {
        counter.sentences += sentences.length;
        return inner.tag(sentences, options);
      },
    };
    return counter;
  };

  it('gives the same entities as tagText on the whole text', async () => {
    const cache = new SentenceCache<SentenceSuggestions>();
    const sentences = sentencesIn(news, 0, news.length);
    const results = await tagSentences(tagger, sentences, cache, { modelKey: 'm' });
    const direct = tagger.tagText(news, tokenizeSentences);
    assert.deepEqual(
      results.flatMap((r) => r.entities.map((e) => [e.start, e.end, e.label, e.text])),
      direct.spans.map((s) => [s.start, s.end, s.label, s.text]),
    );
    assert.ok(direct.spans.length > 3, 'the fixture model finds entities in news.md');
    for (const e of results.flatMap((r) => r.entities)) {
      assert.equal(news.slice(e.start, e.end), e.text);
      assert.ok(!e.alternatives.some((a) => a.label === e.label), 'alternatives exclude the chosen label');
    }
  });

  it('retags only the sentences an edit touched', async () => {
    const cache = new SentenceCache<SentenceSuggestions>();
    const model = counting(tagger);
    const sentences = sentencesIn(news, 0, news.length);
    await tagSentences(model, sentences, cache, { modelKey: 'm' });
    assert.equal(model.sentences, sentences.length);
    const at = news.indexOf('Apple');
    const edited = applyChanges(news, [{ rangeOffset: at, rangeLength: 5, text: 'Samsung' }]);
    model.sentences = 0;
    const results = await tagSentences(model, sentencesIn(edited, 0, edited.length), cache, {
      modelKey: 'm',
    });
    assert.equal(model.sentences, 1, 'one sentence changed, one sentence retagged');
    for (const r of results) for (const e of r.entities) assert.equal(edited.slice(e.start, e.end), e.text);
  });

  it('keep what an edit did not touch until the sentence is tagged again', async () => {
    const cache = new SentenceCache<SentenceSuggestions>();
    const sentences = await tagSentences(tagger, sentencesIn(news, 0, news.length), cache, { modelKey: 'm' });
    const first = sentences.find((s) => s.entities.some((e) => e.text === 'Paris'))!;
    const entitiesOf = (s: SentenceSuggestions | undefined, text: string) =>
      (s?.entities ?? []).map((e) => {
        assert.equal(text.slice(e.start, e.end), e.text, 'every kept span still covers its text');
        return e.text;
      });
    const before = entitiesOf(first, news);
    assert.ok(before.length >= 3, `the fixture model finds entities in the first sentence: ${before}`);
    // Typing inside a word of the sentence that is no entity: every entity is kept and moved.
    const at = news.indexOf('budget') + 3;
    const typing = [{ rangeOffset: at, rangeLength: 0, text: 'ary' }];
    const typed = followSentenceEdit(first, typing);
    const typedText = applyChanges(news, typing);
    assert.deepEqual(entitiesOf(typed, typedText), before);
    assert.equal(typed!.start, first.start);
    assert.equal(typed!.end, first.end + 3);
    assert.equal(typed!.tokens.length, first.tokens.length - 1, 'the token typed into is dropped');
    // Replacing an entity's text drops that entity only.
    const paris = news.indexOf('Paris');
    const replacing = [{ rangeOffset: paris, rangeLength: 5, text: 'Lyon' }];
    assert.deepEqual(
      entitiesOf(followSentenceEdit(first, replacing), applyChanges(news, replacing)),
      before.filter((e) => e !== 'Paris'),
    );
    // An edit across the sentence's end stretches the sentence over it.
    const across = [{ rangeOffset: first.end - 3, rangeLength: 10, text: 'X' }];
    assert.equal(followSentenceEdit(first, across)!.end, first.end - 2);
    // Deleting the whole sentence leaves nothing.
    const deleting = [{ rangeOffset: first.start - 1, rangeLength: first.end - first.start + 2, text: '' }];
    assert.equal(followSentenceEdit(first, deleting), undefined);
  });

  it('yields between calls and stops when cancelled', async () => {
    const cache = new SentenceCache<SentenceSuggestions>();
    const sentences = sentencesIn(longDocument, 0, longDocument.length);
    const controller = new AbortController();
    let pauses = 0;
    const run = tagSentences(tagger, sentences, cache, {
      modelKey: 'm',
      requestTokens: 100,
      signal: controller.signal,
      yieldToEventLoop: async () => {
        pauses++;
        if (pauses === 2) controller.abort();
        await new Promise((resolve) => setImmediate(resolve));
      },
    });
    await assert.rejects(run, TaggingCancelled);
    assert.equal(pauses, 2);
    assert.ok(cache.size > 0 && cache.size < new Set(sentences.map((s) => s.text)).size, 'stopped part way');
  });

  it('frees every tensor', async () => {
    const tf = loadTensorflow();
    const before = tf.memory().numTensors;
    await tagSentences(tagger, sentencesIn(notes, 0, notes.length), new SentenceCache(), { modelKey: 'x' });
    assert.equal(tf.memory().numTensors, before);
  });
});

describe('SentenceCache', () => {
  it('evicts the least recently used entry and forgets one model', () => {
    const cache = new SentenceCache<number>(2);
    cache.set('a', 's1', 1);
    cache.set('a', 's2', 2);
    assert.equal(cache.get('a', 's1'), 1);
    cache.set('b', 's3', 3);
    assert.equal(cache.get('a', 's2'), undefined, 's2 was least recently used');
    assert.equal(cache.get('a', 's1'), 1);
    cache.clear('b');
    assert.equal(cache.get('b', 's3'), undefined);
    assert.equal(cache.size, 1);
  });
});
