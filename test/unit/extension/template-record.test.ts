import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Annotation } from '../../../src/core/annotations/annotation-set';
import { extractRecord } from '../../../src/core/extract';
import { editCorrection, pickCorrection, templateRecord } from '../../../src/extension/template/record';
import { parseTemplateFromWebview } from '../../../webview/protocol';

const seedFile = path.resolve(__dirname, '../../fixtures/sample-workspace/listings/villa-cannes.txt');
const text = fs.readFileSync(seedFile, 'utf8');
const meta = {
  documentUri: 'file:///villa-cannes.txt',
  documentName: 'villa-cannes.txt',
  version: 1,
  extractor: 'rules',
};
const extracted = extractRecord(text, null);

const annotation = (needle: string, label: string): Annotation => {
  const start = text.indexOf(needle);
  assert.ok(start >= 0, needle);
  return { start, end: start + needle.length, label, text: needle, origin: 'human' };
};

describe('listing template record', () => {
  it('without annotations shows the extracted record', () => {
    const record = templateRecord(extracted, [], meta);
    for (const [label, field] of Object.entries(extracted.fields)) {
      assert.equal(
        record.fields[label as keyof typeof record.fields]?.display ?? null,
        field?.display ?? null,
      );
    }
    assert.equal(record.fields.PRICE?.display, '1270000 EUR');
  });

  it('a human annotation becomes the value and the extracted value an alternative', () => {
    const record = templateRecord(extracted, [annotation('1 500 m²', 'SURFACE')], meta);
    const surface = record.fields.SURFACE!;
    assert.equal(surface.display, '1500 m²');
    assert.equal(surface.source, 'annotation');
    assert.equal(surface.confidence, 1);
    assert.deepEqual(
      surface.alternatives.map((a) => a.display),
      ['190 m²'],
    );
  });

  it('a rejection or another field’s annotation vetoes the spans under it', () => {
    const rejected = templateRecord(extracted, [annotation('06.43.43.43.43', 'O')], meta);
    assert.equal(rejected.fields.PHONE, null);
    const relabelled = templateRecord(extracted, [annotation('2005', 'REF')], meta);
    assert.equal(relabelled.fields.YEAR, null);
    assert.equal(relabelled.fields.REF?.display, '2005');
    assert.deepEqual(
      relabelled.fields.REF?.alternatives.map((a) => a.display),
      ['12390'],
    );
  });

  it('turns form edits and picked alternatives into spans of the listing', () => {
    const record = templateRecord(extracted, [], meta);
    const picked = pickCorrection(record, 'SURFACE', '1500 m²');
    assert.equal(picked.kind, 'label');
    if (picked.kind === 'label')
      assert.equal(text.slice(picked.span.start, picked.span.end), picked.span.text);
    // A typed value that normalizes to a candidate's value takes that candidate's span.
    const typed = editCorrection(record, text, 'SURFACE', '1500 m2');
    assert.deepEqual(typed, picked);
    // Otherwise the typed text itself, found in the listing (case-insensitive).
    const owner = editCorrection(record, text, 'OWNER', 'mimi lasouris');
    assert.equal(owner.kind, 'label');
    if (owner.kind === 'label') assert.equal(owner.span.text, 'Mimi LASOURIS');
    const absent = editCorrection(record, text, 'OWNER', 'Jean Dupont');
    assert.equal(absent.kind, 'error');
    const cleared = editCorrection(record, text, 'PHONE', '  ');
    assert.equal(cleared.kind, 'reject');
    if (cleared.kind === 'reject')
      assert.deepEqual(
        cleared.spans.map((s) => s.text),
        ['06.43.43.43.43'],
      );
    assert.equal(pickCorrection(record, 'PRICE', '1 EUR').kind, 'error');
  });

  it('accepts only well-formed messages from the page', () => {
    const uri = meta.documentUri;
    const good = [
      { type: 'ready' },
      { type: 'reveal', documentUri: uri, start: 3, end: 8 },
      { type: 'pickAlternative', documentUri: uri, label: 'SURFACE', display: '1500 m²' },
      { type: 'editField', documentUri: uri, label: 'OWNER', value: '' },
    ];
    for (const m of good) assert.deepEqual(parseTemplateFromWebview({ ...m, extra: 1 }), m);
    const bad = [
      null,
      'ready',
      { type: 'stop', runId: 'x' },
      { type: 'reveal', documentUri: uri, start: 8, end: 3 },
      { type: 'reveal', documentUri: uri, start: -1, end: 3 },
      { type: 'reveal', documentUri: '', start: 0, end: 3 },
      { type: 'pickAlternative', documentUri: uri, label: '<b>', display: 'x' },
      { type: 'editField', documentUri: uri, label: 'PRICE', value: 5 },
      { type: 'editField', documentUri: uri, label: 'PRICE', value: 'x'.repeat(1001) },
    ];
    for (const m of bad) assert.equal(parseTemplateFromWebview(m), undefined, JSON.stringify(m));
  });
});
