import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  alignModelToRules,
  type Candidate,
  extractRecord,
  findRuleCandidates,
  implausibility,
  normalizeField,
} from '../../../src/core/extract';

/** A tagger result with one span per [needle, label, confidence], found in `text`. */
function modelSpans(text: string, spans: Array<[string, string, number]>) {
  return {
    spans: spans.map(([needle, label, confidence]) => {
      const start = text.indexOf(needle);
      assert.ok(start >= 0, `${needle} is in the text`);
      return { start, end: start + needle.length, label, confidence };
    }),
  };
}

test('a model span cut short or overrunning takes the overlapping rule match’s extent', () => {
  const text = 'Réf. 7310-QB — Maison 5 pièces. Contact : Odile Ferrand-Lagarde Téléphone 06 12 34 56 78';
  const record = extractRecord(
    text,
    modelSpans(text, [
      ['7310-QB —', 'REF', 0.97],
      ['Odile Ferrand', 'OWNER', 0.98],
      ['5', 'ROOMS', 0.9],
    ]),
  );
  assert.equal(record.fields.REF?.display, '7310-QB');
  assert.equal(record.fields.REF?.source, 'model');
  assert.equal(record.fields.REF?.spans[0]?.text, '7310-QB');
  assert.equal(record.fields.OWNER?.display, 'Odile Ferrand-Lagarde');
  assert.equal(record.fields.ROOMS?.spans[0]?.text, '5 pièces');
  const glued = 'Contact : Paul Garnier Téléphone 06 12 34 56 78';
  const owner = extractRecord(glued, modelSpans(glued, [['Paul Garnier Téléphone', 'OWNER', 0.9]]));
  assert.equal(owner.fields.OWNER?.display, 'Paul Garnier');
});

test('a model span holding more words than the rule match keeps them when its value is plausible', () => {
  // A stand-in rule match that stops at the connector, as a narrower rule would.
  const text = 'Contact: Tom & Linda Baxter at 252-555-0145';
  const rule: Candidate = {
    label: 'OWNER',
    start: text.indexOf('Tom'),
    end: text.indexOf('Tom') + 3,
    text: 'Tom',
    confidence: 0.7,
    source: 'rules',
    context: 0,
  };
  const model: Candidate = {
    ...rule,
    end: text.indexOf(' at'),
    text: 'Tom & Linda Baxter',
    confidence: 0.9,
    source: 'model',
  };
  const [kept] = alignModelToRules(text, [model], [rule]);
  assert.equal(kept?.text, 'Tom & Linda Baxter');
  assert.equal(kept?.agreed, true);
  const glued = { ...model, end: text.indexOf('252') + 3, text: 'Tom & Linda Baxter at 252' };
  const [cut] = alignModelToRules(text, [glued], [rule]);
  assert.equal(cut?.text, 'Tom', 'an implausible longer span (digits in a name) takes the rule’s extent');
});

test('alignment marks agreement and contradiction and keeps the model’s own extent', () => {
  const text = 'Maison de 120 m², terrain de 900 m².';
  const rules = findRuleCandidates(text);
  const model: Candidate[] = ['120', '900 m²'].map((needle) => {
    const start = text.indexOf(needle);
    return {
      label: 'SURFACE',
      start,
      end: start + needle.length,
      text: needle,
      confidence: 0.9,
      source: 'model',
    };
  });
  const [living, land, ...rest] = alignModelToRules(text, model, rules);
  assert.equal(living?.agreed, true);
  assert.equal(living?.text, '120 m²');
  assert.deepEqual(living?.modelExtent, { start: text.indexOf('120'), end: text.indexOf('120') + 3 });
  assert.equal(land?.contradicted, true, '"terrain de" reads as land');
  assert.equal(land?.text, '900 m²', 'a contradicted span is not moved');
  assert.deepEqual(rest, rules, 'rule candidates pass through unchanged');
});

test('a confident model span on a land area loses to the rule’s living area, and stays an alternative', () => {
  const text = 'Longère de 145 m² habitables, terrain de 2 400 m². Prix : 310 000 €.';
  const record = extractRecord(text, modelSpans(text, [['2 400 m²', 'SURFACE', 0.93]]));
  assert.equal(record.fields.SURFACE?.display, '145 m²');
  assert.equal(record.fields.SURFACE?.source, 'rules');
  const alternatives = record.fields.SURFACE?.alternatives ?? [];
  assert.deepEqual(
    alternatives.map((a) => a.display),
    ['2400 m²'],
  );
  assert.equal(alternatives[0]!.spans[0]!.text, '2 400 m²');
});

test('implausible model values never fill a field: times, years, plain numbers, tiny areas', () => {
  const text =
    'Visite samedi à 19h. Rénové en 2011, à 3.1 km du centre, 1,980 habitants. Cave de 4 m². 12 ans.';
  const record = extractRecord(
    text,
    modelSpans(text, [
      ['19h', 'REF', 0.8],
      ['2011', 'REF', 0.7],
      ['3.1', 'REF', 0.7],
      ['1,980', 'REF', 0.9],
      ['12', 'REF', 0.6],
      ['4 m²', 'SURFACE', 0.9],
      ['2011', 'YEAR', 0.9],
    ]),
    { rules: false },
  );
  assert.equal(record.fields.REF, null);
  assert.equal(record.fields.SURFACE, null);
  assert.equal(record.fields.YEAR?.display, '2011', 'a year is a fine YEAR');
});

test('a rule that agrees rescues a value that looks implausible on its own', () => {
  const text = 'Réf. 2011 — appartement T3, 64 m².';
  const record = extractRecord(text, modelSpans(text, [['2011', 'REF', 0.9]]));
  assert.equal(record.fields.REF?.display, '2011');
  assert.equal(record.fields.REF?.source, 'model');
  const alone = extractRecord(text, modelSpans(text, [['2011', 'REF', 0.9]]), { rules: false });
  assert.equal(alone.fields.REF, null);
});

test('implausibility reasons, field by field', () => {
  const reason = (label: Parameters<typeof normalizeField>[0], text: string): string | null => {
    const normalized = normalizeField(label, text);
    assert.ok(normalized, `${label} ${text} normalizes`);
    return implausibility(label, text, normalized);
  };
  assert.equal(reason('REF', 'LY-4471'), null);
  assert.equal(reason('REF', '12390'), null);
  assert.match(reason('REF', '19h30') ?? '', /time/);
  assert.match(reason('REF', '2e') ?? '', /ordinal/);
  assert.match(reason('REF', '350 €') ?? '', /amount/);
  assert.match(reason('PRICE', '850 €') ?? '', /small/);
  assert.equal(reason('PRICE', '85 000 €'), null);
  assert.match(reason('SURFACE', '1890') ?? '', /unit/);
  assert.match(reason('SURFACE', '40 sq ft') ?? '', /small/);
  assert.equal(reason('SURFACE', '40 m²'), null);
  assert.match(reason('YEAR', '1520') ?? '', /year/);
  assert.match(reason('OWNER', 'Agence du Port') ?? '', /agency/);
  assert.match(reason('OWNER', 'Jean Roux Tél') ?? '', /label/);
  assert.equal(reason('OWNER', 'Béatrice de La Tour'), null);
  assert.match(reason('OWNER', 'et') ?? '', /connector/);
  assert.match(reason('OWNER', 'Anne Vidal Ligne') ?? '', /label/);
});
