import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Annotation, SentenceReview } from '../../../src/core/annotations/annotation-set';
import { annotationsToSentences } from '../../../src/core/annotations/export';
import { documentSentences } from '../../../src/core/annotations/review';
import { parseCorpus, writeCorpus } from '../../../src/core/corpus';
import { sampleWorkspace } from './helpers';

const notes = fs.readFileSync(path.join(sampleWorkspace, 'notes.txt'), 'utf8');
const ann = (
  text: string,
  label: string,
  origin: Annotation['origin'] = 'human',
  task = 'entities',
): Annotation => {
  const start = notes.indexOf(text);
  assert.ok(start >= 0, text);
  return { start, end: start + text.length, label, text, origin, task };
};
const sentences = documentSentences(notes);
/** The review of the sentence holding `needle`. */
const reviewOf = (needle: string, task = 'entities'): SentenceReview => {
  const at = notes.indexOf(needle);
  const s = sentences.find((x) => x.start <= at && at < x.end)!;
  return { start: s.start, end: s.end, text: s.text, task };
};
const tagged = (s: { tokens: string[]; tags: string[] }) => s.tokens.map((t, i) => `${t}/${s.tags[i]}`);

describe('annotationsToSentences', () => {
  const annotations = [
    ann('Sarah Johnson', 'PER'),
    ann('Acme Corporation', 'ORG', 'accepted'),
    ann('Geneva', 'LOC'),
    ann('Red Cross', 'O'),
    // A listing field in the same sentence as Sarah Johnson: another task, never in this export.
    ann('shipment', 'ROOMS', 'human', 'listings'),
  ];

  it('writes only reviewed sentences, complete, and counts the unreviewed ones it left out', () => {
    const result = annotationsToSentences(notes, annotations, [reviewOf('Sarah Johnson')], 'entities');
    assert.deepEqual(result.problems, []);
    assert.equal(result.sentences.length, 1);
    assert.deepEqual(tagged(result.sentences[0]!), [
      'Sarah/B-PER',
      'Johnson/I-PER',
      'from/O',
      'Acme/B-ORG',
      'Corporation/I-ORG',
      'called/O',
      'about/O',
      'the/O',
      'shipment/O',
      'to/O',
      'Berlin/O',
      './O',
    ]);
    assert.equal(result.unreviewed, sentences.length - 1);
    assert.equal(result.unreviewedAnnotated, 1, 'the Geneva sentence holds annotations but is not reviewed');
    assert.ok(
      !result.sentences.some((s) => s.tokens.includes('Geneva')),
      'an unreviewed entity is never written as O',
    );
  });

  it('writes a rejection as outside, never as a label, and keeps tasks apart', () => {
    const reviews = [reviewOf('Sarah Johnson'), reviewOf('Geneva'), reviewOf('shipment', 'listings')];
    const entities = annotationsToSentences(notes, annotations, reviews, 'entities');
    const tags = entities.sentences.flatMap((s) => s.tags);
    assert.ok(tags.includes('B-LOC'));
    assert.ok(!tags.some((t) => t.endsWith('-O') || t.endsWith('ROOMS')), tags.join(' '));
    const geneva = entities.sentences.find((s) => s.tokens.includes('Geneva'))!;
    assert.deepEqual(
      tagged(geneva).filter((t) => /Red|Cross|Geneva/.test(t)),
      ['Red/O', 'Cross/O', 'Geneva/B-LOC'],
    );
    const listings = annotationsToSentences(notes, annotations, reviews, 'listings');
    assert.deepEqual(
      listings.sentences.flatMap((s) => s.tags).filter((t) => t !== 'O'),
      ['B-ROOMS'],
      'the listing export holds the listing field only',
    );
  });

  it('round-trips through CoNLL and JSONL files', async () => {
    const { sentences: out } = annotationsToSentences(
      notes,
      annotations,
      [reviewOf('Sarah Johnson'), reviewOf('Geneva')],
      'entities',
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-export-'));
    for (const format of ['conll', 'jsonl'] as const) {
      const file = path.join(dir, `out.${format}`);
      await writeCorpus(file, out, format, { jsonlShape: 'spans' });
      const read = parseCorpus(fs.readFileSync(file, 'utf8'), { path: file, format });
      assert.deepEqual(read.problems, []);
      assert.deepEqual(
        read.sentences.map((s) => s.tags),
        out.map((s) => s.tags),
        format,
      );
    }
  });

  it('leaves out a reviewed sentence whose span is off token boundaries, and says so', () => {
    const bad = { ...ann('Sarah Johnson', 'PER'), start: notes.indexOf('Sarah') + 1, text: 'arah Johnson' };
    const result = annotationsToSentences(notes, [bad], [reviewOf('Sarah')], 'entities');
    assert.equal(result.sentences.length, 0, 'not written with Sarah Johnson as O');
    assert.equal(result.misaligned, 1);
    assert.match(result.problems[0]!.message, /token boundaries.*left out/);
  });
});
