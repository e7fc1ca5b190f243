import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { type Annotation, AnnotationSet } from '../../../src/core/annotations/annotation-set';
import { applyChanges } from '../../../src/core/annotations/edits';
import {
  acceptSentences,
  documentSentences,
  nextUnreviewed,
  reviewProgress,
  sentenceAround,
  sentencesTouching,
} from '../../../src/core/annotations/review';
import { parseAnnotations, serializeAnnotations } from '../../../src/core/annotations/store';
import type { EntitySuggestion } from '../../../src/core/annotations/suggestions';
import {
  byUncertainty,
  leastConfidence,
  mnlp,
  sentenceCertainty,
  tokenEntropy,
  totalTokenEntropy,
  uncertaintyScore,
} from '../../../src/core/annotations/uncertainty';
import { sampleWorkspace } from './helpers';

const news = fs.readFileSync(path.join(sampleWorkspace, 'news.md'), 'utf8');
const sentences = documentSentences(news);
const suggestion = (text: string, label: string, confidence = 0.9): EntitySuggestion => {
  const start = news.indexOf(text);
  assert.ok(start >= 0, text);
  return { start, end: start + text.length, label, text, confidence, alternatives: [] };
};
const suggestions = [
  suggestion('Angela Merkel', 'PER'),
  suggestion('Emmanuel Macron', 'PER'),
  suggestion('Paris', 'LOC', 0.6),
  suggestion('Apple', 'ORG'),
  suggestion('London', 'LOC'),
];

describe('review state', () => {
  it('accepting a sentence turns its remaining suggestions into annotations and marks it reviewed, in one undo step', () => {
    const merkel = sentenceAround(news, news.indexOf('Merkel'))!;
    assert.ok(merkel.text.startsWith('Angela Merkel met'));
    const set = new AnnotationSet();
    // The annotator already relabelled Paris; rejected nothing.
    const paris = suggestions[2]!;
    set.label({ ...paris, label: 'GPE', origin: 'human', task: 'entities' });
    const plan = acceptSentences([merkel], suggestions, set.annotations, 'entities');
    assert.deepEqual(
      plan.spans.map((s) => `${s.text}/${s.label}/${s.origin}`),
      ['Angela Merkel/PER/accepted', 'Emmanuel Macron/PER/accepted'],
      'Paris is already decided; London is in another sentence',
    );
    const action = set.review(plan.spans, plan.reviews);
    assert.equal(action.reviewed.length, 1);
    assert.ok(set.isReviewed(merkel, 'entities'));
    assert.equal(set.isReviewed(merkel, 'listings'), false, 'review is per task');
    assert.deepEqual(reviewProgress(sentences, set.reviews, 'entities'), {
      reviewed: 1,
      total: sentences.length,
    });
    set.undo();
    assert.equal(set.isReviewed(merkel, 'entities'), false);
    assert.deepEqual(
      set.annotations.map((a) => a.text),
      ['Paris'],
    );
    set.redo();
    assert.ok(set.isReviewed(merkel, 'entities'));
    assert.equal(set.annotations.length, 3);
  });

  it('forgets the review of a sentence typed into, keeps the others (shifted)', () => {
    const set = new AnnotationSet();
    const first = sentenceAround(news, news.indexOf('Merkel'))!;
    const second = sentenceAround(news, news.indexOf('Apple'))!;
    const plan = acceptSentences([first, second], suggestions, [], 'entities');
    set.review(plan.spans, plan.reviews);
    // Typing in the first sentence ("met" → "met with").
    const at = news.indexOf(' met ') + 5;
    const change = { rangeOffset: at, rangeLength: 0, text: 'with ' };
    const edited = applyChanges(news, [change]);
    set.applyEdits([change], edited);
    const after = documentSentences(edited);
    const secondAfter = after.find((s) => s.text === second.text)!;
    assert.equal(
      set.isReviewed(secondAfter, 'entities'),
      true,
      'the untouched sentence moved and stays reviewed',
    );
    assert.equal(set.reviews.length, 1, 'the edited sentence must be reviewed again');
    assert.equal(nextUnreviewed(after, set.reviews, 'entities', 0)?.text, '# Morning briefing');
    assert.equal(
      nextUnreviewed(after, set.reviews, 'entities', 1)?.text.startsWith('Angela Merkel met with'),
      true,
    );
    assert.equal(
      nextUnreviewed(after, set.reviews, 'entities', secondAfter.start)?.text.startsWith('Microsoft'),
      true,
    );
  });

  it('are saved and loaded with the annotations (format version 2)', () => {
    const merkel = sentenceAround(news, news.indexOf('Merkel'))!;
    const annotations: Annotation[] = [
      { start: 20, end: 33, label: 'PER', text: 'Angela Merkel', origin: 'accepted', task: 'entities' },
      { start: 0, end: 1, label: 'O', text: '#', origin: 'human', task: 'listings' },
    ];
    const reviews = [{ start: merkel.start, end: merkel.end, text: merkel.text, task: 'entities' }];
    const content = serializeAnnotations({ document: 'news.md', annotations, reviews });
    assert.match(content.split('\n')[0]!, /"version":2/);
    const { file, problems } = parseAnnotations(content, 'news.md.jsonl');
    assert.deepEqual(problems, []);
    assert.deepEqual(file.annotations, annotations);
    assert.deepEqual(file.reviews, reviews);
  });

  it('takes the sentences a selection touches, or the one at a cursor', () => {
    const at = news.indexOf('Later');
    assert.deepEqual(
      sentencesTouching(news, at, at).map((s) => s.text.slice(0, 10)),
      ['Later that'],
    );
    assert.equal(sentencesTouching(news, news.indexOf('Merkel'), news.indexOf('Apple')).length, 2);
  });
});

describe('uncertainty', () => {
  const token = (confidence: number) => ({ start: 0, end: 1, label: 'O', confidence, alternatives: [] });
  it('least confidence: the sentence holding the least certain decision scores highest', () => {
    assert.ok(Math.abs(leastConfidence({ tokens: [token(0.99), token(0.55)], entities: [] }) - 0.45) < 1e-9);
    assert.equal(leastConfidence({ tokens: [], entities: [] }), 0);
    const ranked = byUncertainty(
      [
        { id: 'sure', s: { tokens: [token(0.99)], entities: [] } },
        { id: 'unsure', s: { tokens: [token(0.4)], entities: [] } },
        { id: 'sure too', s: { tokens: [token(0.99)], entities: [] } },
      ],
      (x) => leastConfidence(x.s),
    );
    assert.deepEqual(
      ranked.map((x) => x.id),
      ['unsure', 'sure', 'sure too'],
      'ties keep their order',
    );
  });

  it("MNLP: the tagger's path log-probability per token; without it, the chosen tags' probabilities", () => {
    // A CRF's path probability 0.25 over 2 tokens: −ln 0.25 / 2 = ln 2 ≈ 0.693; 50% sure per word.
    const crf = {
      tokens: [token(0.9), token(0.6)],
      entities: [],
      logProbability: Math.log(0.25),
      entropy: 1.2,
    };
    assert.ok(Math.abs(mnlp(crf) - Math.log(2)) < 1e-12);
    assert.ok(Math.abs(sentenceCertainty(crf) - 0.5) < 1e-12);
    assert.ok(Math.abs(tokenEntropy(crf) - 0.6) < 1e-12, 'mean token entropy 1.2 / 2');
    // Softmax-style fallback: −(ln 0.9 + ln 0.6) / 2, and no entropy to speak of.
    const plain = { tokens: [token(0.9), token(0.6)], entities: [] };
    assert.ok(Math.abs(mnlp(plain) - -(Math.log(0.9) + Math.log(0.6)) / 2) < 1e-12);
    assert.ok(Math.abs(sentenceCertainty(plain) - Math.sqrt(0.54)) < 1e-12);
    assert.equal(tokenEntropy(plain), 0);
    assert.equal(mnlp({ tokens: [], entities: [] }), 0);
    // A long sentence of sure words does not outrank a short unsure one (the length normalization).
    const long = { tokens: Array.from({ length: 40 }, () => token(0.97)), entities: [] };
    const short = { tokens: [token(0.6)], entities: [] };
    assert.ok(mnlp(short) > mnlp(long));
    assert.equal(uncertaintyScore('tokenEntropy'), tokenEntropy);
    assert.equal(uncertaintyScore('mnlp'), mnlp);
  });

  it('total token entropy: the entropies summed, so the long unsure sentence comes first; the default', () => {
    const short = { tokens: [token(0.6)], entities: [], logProbability: Math.log(0.6), entropy: 0.67 };
    const long = {
      tokens: Array.from({ length: 20 }, () => token(0.9)),
      entities: [],
      logProbability: 20 * Math.log(0.9),
      entropy: 20 * 0.33,
    };
    assert.ok(Math.abs(totalTokenEntropy(long) - 6.6) < 1e-12);
    assert.ok(totalTokenEntropy(long) > totalTokenEntropy(short), 'where MNLP asks for the short one');
    assert.ok(mnlp(short) > mnlp(long));
    // Without the tagger's entropy: minus the chosen tags' log-probability, summed.
    const plain = { tokens: [token(0.5), token(0.5)], entities: [] };
    assert.ok(Math.abs(totalTokenEntropy(plain) - 2 * Math.log(2)) < 1e-12);
    assert.ok(Object.is(totalTokenEntropy({ tokens: [], entities: [] }), 0));
    assert.equal(uncertaintyScore(), totalTokenEntropy, 'the default');
    assert.equal(uncertaintyScore('no such score'), totalTokenEntropy);
  });
});
