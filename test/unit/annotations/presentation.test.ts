import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Annotation } from '../../../src/core/annotations/annotation-set';
import { conllGoldTokens } from '../../../src/core/annotations/gold';
import { planLayers, toggleLayer } from '../../../src/core/annotations/layers';
import { escapeMarkdown, plainLabel } from '../../../src/core/annotations/markdown';
import { sampleWorkspace } from './helpers';

describe('escapeMarkdown', () => {
  const hostile = [
    '<img src=x onerror=alert(1)>',
    '</script><script>alert(2)</script>',
    '[click](command:workbench.action.terminal.new)',
    '**bold** _em_ `code` # title',
    '\u202Eevil\u202C',
    'zero\u200Bwidth\uFEFF',
    'line\nbreak',
    'https://example.com',
  ];

  it('leaves no Markdown or HTML syntax unescaped', () => {
    for (const text of hostile) {
      const escaped = escapeMarkdown(text);
      assert.ok(!/(^|[^\\])[<>[\]()`*_#]/.test(escaped), `${JSON.stringify(text)} → ${escaped}`);
      assert.ok(!/[\u202A-\u202E\u200B\uFEFF\n]/.test(escaped), 'no invisible characters or line breaks');
    }
  });

  it('keeps the text readable: removing the escapes gives back the visible text', () => {
    assert.equal(escapeMarkdown('<img src=x>').replace(/\\(.)/g, '$1'), '<img src=x>');
    assert.equal(escapeMarkdown('\u202Eevil').replace(/\\(.)/g, '$1'), '⟨U+202E⟩evil');
    assert.equal(escapeMarkdown('شركة أبل'), 'شركة أبل');
  });

  it('makes one-line plain labels for views', () => {
    assert.equal(plainLabel('a\n  b\u200B'), 'a b⟨U+200B⟩');
    assert.equal(plainLabel('x'.repeat(100), 10).length, 10);
  });
});

describe('conllGoldTokens', () => {
  it('reads the gold labels of a CoNLL file at the token offsets', () => {
    const text = fs.readFileSync(path.join(sampleWorkspace, 'corpus/tiny-ner.conll'), 'utf8');
    const tokens = conllGoldTokens(text);
    assert.deepEqual(
      tokens.map((t) => [text.slice(t.start, t.end), t.label, t.begins]),
      [
        ['Angela', 'PER', true],
        ['Merkel', 'PER', false],
        ['Paris', 'LOC', true],
        ['Apple', 'ORG', true],
        ['Tim', 'PER', true],
        ['Cook', 'PER', false],
        ['London', 'LOC', true],
      ],
    );
  });
});

describe('planLayers', () => {
  const annotation = (start: number, end: number, label: string): Annotation => ({
    start,
    end,
    label,
    text: 'x'.repeat(end - start),
    origin: 'human',
    task: 'entities',
  });
  const suggestion = (start: number, end: number, label: string, confidence = 0.9) => ({
    start,
    end,
    label,
    text: '',
    confidence,
    alternatives: [],
  });

  it('lets annotations (and rejections) hide the suggestions they overlap, and strikes rejections through', () => {
    const layers = planLayers({
      mode: 'entities',
      annotations: [annotation(0, 5, 'ORG'), annotation(20, 25, 'O')],
      entities: [suggestion(0, 5, 'PER'), suggestion(10, 15, 'LOC'), suggestion(20, 25, 'PER')],
      posTokens: [],
    });
    assert.deepEqual(Object.fromEntries(layers), {
      'annotated:ORG': [{ start: 0, end: 5, label: 'ORG' }],
      'rejected:O': [{ start: 20, end: 25, label: 'O' }],
      'suggested:LOC': [{ start: 10, end: 15, label: 'LOC' }],
    });
  });

  it('follows the display mode, the confidence threshold and the POS length limit', () => {
    const input = {
      annotations: [],
      entities: [suggestion(0, 5, 'PER', 0.4), suggestion(6, 9, 'LOC', 0.95)],
      posTokens: [{ start: 0, end: 5, label: 'PROPN', confidence: 1, alternatives: [] }],
      minConfidence: 0.5,
    };
    assert.deepEqual([...planLayers({ ...input, mode: 'entities' }).keys()], ['suggested:LOC']);
    assert.deepEqual([...planLayers({ ...input, mode: 'pos' }).keys()], ['pos:PROPN']);
    assert.deepEqual([...planLayers({ ...input, mode: 'both' }).keys()].sort(), [
      'pos:PROPN',
      'suggested:LOC',
    ]);
    assert.deepEqual([...planLayers({ ...input, mode: 'both', showPos: false }).keys()], ['suggested:LOC']);
    assert.equal(planLayers({ ...input, mode: 'off' }).size, 0);
  });
});

it('toggling a layer switches only that layer: the Toggle Entities and Toggle Part of Speech commands', () => {
  const modes = ['entities', 'pos', 'both', 'off'] as const;
  assert.deepEqual(
    modes.map((mode) => toggleLayer(mode, 'entities')),
    ['off', 'both', 'pos', 'entities'],
  );
  assert.deepEqual(
    modes.map((mode) => toggleLayer(mode, 'pos')),
    ['both', 'off', 'entities', 'pos'],
  );
});
