import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Annotation } from '../../../src/core/annotations/annotation-set';
import { extractRecord } from '../../../src/core/extract';
import {
  correctionChange,
  describeAction,
  editCorrection,
  pickCorrection,
  templateRecord,
} from '../../../src/extension/template/record';
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
  return { start, end: start + needle.length, label, text: needle, origin: 'human', task: 'listings' };
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
    if (picked.kind === 'label') {
      assert.equal(text.slice(picked.span.start, picked.span.end), picked.span.text);
      assert.equal(picked.message, 'Surface set to “1500 m²”, saved as an annotation of “1 500 m²”.');
    }
    // A typed value that normalizes to a candidate's value takes that candidate's span, and the
    // form says why it shows otherwise than typed.
    const typed = editCorrection(record, text, 'SURFACE', '1500 m2');
    assert.equal(typed.kind, 'label');
    if (typed.kind === 'label' && picked.kind === 'label') {
      assert.deepEqual(typed.span, picked.span);
      assert.equal(
        typed.message,
        'Surface set to “1500 m²”, not “1500 m2” as typed: a surface is written as its number and m² or ft². It is saved as an annotation of “1 500 m²”.',
      );
    }
    // Otherwise the typed text itself, found in the listing (case-insensitive), said so.
    const owner = editCorrection(record, text, 'OWNER', 'mimi lasouris');
    assert.equal(owner.kind, 'label');
    if (owner.kind === 'label') {
      assert.equal(owner.span.text, 'Mimi LASOURIS');
      assert.match(owner.message, /not “mimi lasouris” as typed: the listing writes it “Mimi LASOURIS”/);
    }
    const absent = editCorrection(record, text, 'OWNER', 'Jean Dupont');
    assert.equal(absent.kind, 'refused');
    assert.match(absent.message, /“Jean Dupont” does not appear in the listing.*Owner keeps “Mimi LASOURIS”/);
    const cleared = editCorrection(record, text, 'PHONE', '  ');
    assert.equal(cleared.kind, 'reject');
    if (cleared.kind === 'reject')
      assert.deepEqual(
        cleared.spans.map((s) => s.text),
        ['06.43.43.43.43'],
      );
    assert.equal(pickCorrection(record, 'PRICE', '1 EUR').kind, 'refused');
  });

  describe('the issue’s Lyon listing (appartement-lyon.txt)', () => {
    const lyonText = fs.readFileSync(
      path.resolve(__dirname, '../../fixtures/sample-workspace/listings/appartement-lyon.txt'),
      'utf8',
    );
    const lyon = templateRecord(extractRecord(lyonText, null), [], {
      ...meta,
      documentName: 'appartement-lyon.txt',
    });
    const lyonAnnotation = (needle: string, label: string): Annotation => {
      const start = lyonText.indexOf(needle);
      return { start, end: start + needle.length, label, text: needle, origin: 'human', task: 'listings' };
    };

    it('refuses a year that is not in the text, and says the field keeps its value', () => {
      assert.equal(lyon.fields.YEAR?.display, '1930');
      const year = editCorrection(lyon, lyonText, 'YEAR', '1932');
      assert.equal(year.kind, 'refused');
      assert.match(
        year.message,
        /^“1932” does not appear in the listing, so it cannot be annotated: Year built keeps “1930”\./,
      );
    });

    it('refuses a value that is not of the field’s type', () => {
      const rooms = editCorrection(lyon, lyonText, 'ROOMS', 'et une');
      assert.deepEqual(rooms, {
        kind: 'refused',
        label: 'ROOMS',
        message: '“et une” is not a number of rooms: Rooms keeps “3”.',
      });
      assert.equal(editCorrection(lyon, lyonText, 'PRICE', 'cher').kind, 'refused');
    });

    it('says what became of “Mme Claire Dubois-Martin”, and why', () => {
      const owner = editCorrection(lyon, lyonText, 'OWNER', 'Mme Claire Dubois-Martin');
      assert.equal(owner.kind, 'label');
      if (owner.kind !== 'label') return;
      assert.equal(owner.span.text, 'Claire Dubois-Martin');
      assert.equal(
        owner.message,
        'Owner set to “Claire Dubois-Martin”, not “Mme Claire Dubois-Martin” as typed: an owner is named without a title (M., Mme, Mr, Dr …) or a “Contact:” label. It is saved as an annotation.',
      );
      // With no candidate left (the extracted name rejected), the typed text is found in the
      // listing and narrowed to the name, as owner spans are annotated.
      const rejected = templateRecord(
        extractRecord(lyonText, null),
        [lyonAnnotation('Claire Dubois-Martin', 'O')],
        meta,
      );
      assert.equal(rejected.fields.OWNER, null);
      const again = editCorrection(rejected, lyonText, 'OWNER', 'Mme Claire Dubois-Martin');
      assert.equal(again.kind, 'label');
      if (again.kind === 'label') {
        assert.equal(lyonText.slice(again.span.start, again.span.end), 'Claire Dubois-Martin');
        assert.match(again.message, /without a title/);
      }
    });

    it('makes one annotation step of a correction: the field’s old human value out, the new one in', () => {
      const old = lyonAnnotation('2015', 'YEAR');
      const other = lyonAnnotation('Lyon', 'LOC');
      const correction = editCorrection(lyon, lyonText, 'YEAR', '1930');
      assert.equal(correction.kind, 'label');
      if (correction.kind !== 'label') return;
      const change = correctionChange(correction, [old, other]);
      assert.deepEqual(change.remove, [old]);
      assert.deepEqual(change.add, [
        { ...correction.span, label: 'YEAR', origin: 'human', task: 'listings' },
      ]);
      const clear = editCorrection(lyon, lyonText, 'PHONE', '');
      assert.equal(clear.kind, 'reject');
      if (clear.kind === 'reject')
        assert.deepEqual(
          correctionChange(clear, []).add.map((a) => [a.text, a.label, a.task]),
          [['04 78 12 34 56', 'O', 'listings']],
          'a listing field is annotated for the listings task',
        );
    });
  });

  it('describes annotation steps for the Undo and Redo buttons, and puts them in the record', () => {
    const rooms = annotation('4 pièces', 'ROOMS');
    assert.equal(describeAction({ added: [rooms], removed: [] }), 'Rooms = “4 pièces”');
    assert.equal(
      describeAction({ added: [annotation('Mimi LASOURIS', 'PER')], removed: [] }),
      'PER = “Mimi LASOURIS”',
    );
    assert.equal(
      describeAction({ added: [annotation('06.43.43.43.43', 'O')], removed: [] }),
      '“06.43.43.43.43” as no value',
    );
    assert.equal(describeAction({ added: [], removed: [rooms] }), 'removing Rooms “4 pièces”');
    const record = templateRecord(extracted, [rooms], meta, { undo: { added: [rooms], removed: [] } });
    assert.deepEqual(record.history, { undo: 'Rooms = “4 pièces”', redo: null });
  });

  it('accepts only well-formed messages from the page', () => {
    const uri = meta.documentUri;
    const good = [
      { type: 'ready' },
      { type: 'reveal', documentUri: uri, start: 3, end: 8 },
      { type: 'pickAlternative', documentUri: uri, label: 'SURFACE', display: '1500 m²' },
      { type: 'editField', documentUri: uri, label: 'OWNER', value: '' },
      { type: 'undo', documentUri: uri },
      { type: 'redo', documentUri: uri },
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
      { type: 'undo' },
      { type: 'redo', documentUri: 5 },
    ];
    for (const m of bad) assert.equal(parseTemplateFromWebview(m), undefined, JSON.stringify(m));
  });
});
