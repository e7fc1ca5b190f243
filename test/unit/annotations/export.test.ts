import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Annotation } from '../../../src/core/annotations/annotation-set';
import { annotationsToSentences } from '../../../src/core/annotations/export';
import { parseCorpus, writeCorpus } from '../../../src/core/corpus';
import { sampleWorkspace } from './helpers';

const notes = fs.readFileSync(path.join(sampleWorkspace, 'notes.txt'), 'utf8');
const ann = (text: string, label: string, origin: Annotation['origin'] = 'human'): Annotation => {
  const start = notes.indexOf(text);
  return { start, end: start + text.length, label, text, origin };
};

describe('annotationsToSentences', () => {
  const annotations = [
    ann('Sarah Johnson', 'PER'),
    ann('Acme Corporation', 'ORG', 'accepted'),
    ann('Geneva', 'LOC'),
    ann('Red Cross', 'O'),
  ];

  it('exports the annotated sentences as IOB2, and CoNLL/JSONL files read back the same', async () => {
    const { sentences, problems } = annotationsToSentences(notes, annotations);
    assert.deepEqual(problems, []);
    assert.equal(sentences.length, 2, 'only sentences with annotations');
    const tagged = sentences
      .flatMap((s) => s.tokens.map((t, i) => `${t}/${s.tags[i]}`))
      .filter((t) => !t.endsWith('/O'));
    assert.deepEqual(tagged, [
      'Sarah/B-PER',
      'Johnson/I-PER',
      'Acme/B-ORG',
      'Corporation/I-ORG',
      'Geneva/B-LOC',
    ]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-export-'));
    for (const format of ['conll', 'jsonl'] as const) {
      const file = path.join(dir, `out.${format}`);
      await writeCorpus(file, sentences, format, { jsonlShape: 'spans' });
      const read = parseCorpus(fs.readFileSync(file, 'utf8'), { path: file, format });
      assert.deepEqual(read.problems, []);
      assert.deepEqual(
        read.sentences.map((s) => s.tags),
        sentences.map((s) => s.tags),
        format,
      );
    }
  });

  it('leaves out accepted suggestions when asked, and keeps whole documents when asked', () => {
    const handOnly = annotationsToSentences(notes, annotations, { includeAccepted: false });
    assert.ok(!handOnly.sentences.some((s) => s.tags.includes('B-ORG')));
    const whole = annotationsToSentences(notes, annotations, { wholeDocuments: true });
    assert.ok(whole.sentences.length > 2);
  });

  it('reports a span that is not on token boundaries instead of exporting it wrong', () => {
    const bad = { ...ann('Sarah Johnson', 'PER'), start: notes.indexOf('Sarah') + 1, text: 'arah Johnson' };
    const { sentences, problems } = annotationsToSentences(notes, [bad]);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.message, /token boundaries/);
    assert.ok(sentences.every((s) => s.tags.every((t) => t === 'O')));
  });
});
