import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { applyChanges, shiftSpans, type TextChange } from '../../../src/core/annotations/edits';
import { tokenize } from '../../../src/core/tokens';
import { random, sampleWorkspace } from './helpers';

const text = 'Angela Merkel met Emmanuel Macron in Paris.';
const span = (s: string, label: string) => {
  const start = text.indexOf(s);
  return { start, end: start + s.length, label, text: s };
};
const merkel = span('Angela Merkel', 'PER');
const paris = span('Paris', 'LOC');

describe('shiftSpans', () => {
  it('shifts spans after an insertion and keeps spans before it', () => {
    const change = { rangeOffset: text.indexOf('met'), rangeLength: 0, text: 'briefly ' };
    const after = applyChanges(text, [change]);
    const shifted = shiftSpans([merkel, paris], [change]);
    assert.deepEqual(
      shifted.map((s) => after.slice(s.start, s.end)),
      ['Angela Merkel', 'Paris'],
    );
    assert.equal(shifted[0]!.start, merkel.start);
    assert.equal(shifted[1]!.start, paris.start + 'briefly '.length);
  });

  it('does not grow a span when typing right after it, and moves it when typing right before it', () => {
    const typedAfter = shiftSpans([paris], [{ rangeOffset: paris.end, rangeLength: 0, text: 'ian' }]);
    assert.deepEqual(
      typedAfter.map((s) => [s.start, s.end]),
      [[paris.start, paris.end]],
    );
    const typedBefore = shiftSpans([paris], [{ rangeOffset: paris.start, rangeLength: 0, text: 'old ' }]);
    assert.deepEqual(
      typedBefore.map((s) => [s.start, s.end]),
      [[paris.start + 4, paris.end + 4]],
    );
  });

  it('drops a span whose text is deleted, replaced or typed into', () => {
    const cases: TextChange[] = [
      { rangeOffset: merkel.start, rangeLength: merkel.end - merkel.start, text: '' },
      { rangeOffset: merkel.start + 7, rangeLength: 6, text: 'Dorothea' },
      { rangeOffset: merkel.start + 3, rangeLength: 0, text: 'x' },
      { rangeOffset: 0, rangeLength: text.length, text: 'All new text' },
    ];
    for (const change of cases) assert.deepEqual(shiftSpans([merkel], [change]), [], JSON.stringify(change));
  });

  it('applies the changes of one multi-cursor event against the text before the event', () => {
    // Two cursors: one before "Merkel", one before "Paris"; offsets refer to the original text.
    const changes = [
      { rangeOffset: text.indexOf('met'), rangeLength: 3, text: 'welcomed' },
      { rangeOffset: text.indexOf('in Paris'), rangeLength: 2, text: 'at the Elysée in' },
    ];
    const after = applyChanges(text, changes);
    assert.equal(after, 'Angela Merkel welcomed Emmanuel Macron at the Elysée in Paris.');
    const shifted = shiftSpans([merkel, span('Emmanuel Macron', 'PER'), paris], changes);
    assert.deepEqual(
      shifted.map((s) => after.slice(s.start, s.end)),
      ['Angela Merkel', 'Emmanuel Macron', 'Paris'],
    );
  });

  it('never leaves a span on text other than its own, through thousands of random edits', () => {
    const document = fs.readFileSync(path.join(sampleWorkspace, 'notes.txt'), 'utf8');
    const next = random(7);
    const pieces = ['', 'a', ' ', 'Berlin', '\n', 'é', '\u200b', 'New York City '];
    for (let round = 0; round < 200; round++) {
      let current = document;
      let spans = tokenize(current)
        .filter(() => next() < 0.4)
        .map((t) => ({ start: t.start, end: t.end, label: 'X', text: t.value }));
      const initialCount = spans.length;
      for (let step = 0; step < 15; step++) {
        const events = 1 + Math.floor(next() * 3);
        // Non-overlapping changes of one event, all against the current text.
        const cuts = Array.from({ length: events * 2 }, () => Math.floor(next() * (current.length + 1))).sort(
          (a, b) => a - b,
        );
        const changes: TextChange[] = [];
        for (let e = 0; e < events; e++) {
          const from = cuts[2 * e]!;
          const to = next() < 0.5 ? from : Math.min(cuts[2 * e + 1]!, from + 12);
          if (changes.some((c) => c.rangeOffset + c.rangeLength >= from)) continue;
          changes.push({
            rangeOffset: from,
            rangeLength: to - from,
            text: pieces[Math.floor(next() * pieces.length)]!,
          });
        }
        const shifted = shiftSpans(spans, changes);
        current = applyChanges(current, changes);
        for (const s of shifted)
          assert.equal(current.slice(s.start, s.end), s.text, `round ${round} step ${step}`);
        // Only spans some change touched may disappear.
        for (const s of spans) {
          const touched =
            changes.some((c) => c.rangeOffset < s.end && c.rangeOffset + c.rangeLength > s.start) ||
            changes.some((c) => c.rangeLength === 0 && c.rangeOffset > s.start && c.rangeOffset < s.end);
          if (!touched)
            assert.ok(
              shifted.some((x) => x.text === s.text),
              'an untouched span survives',
            );
        }
        spans = shifted;
      }
      assert.ok(initialCount >= spans.length);
    }
  });

  it('returns new objects and leaves its input alone', () => {
    const input = [merkel];
    const out = shiftSpans(input, [{ rangeOffset: 0, rangeLength: 0, text: '>> ' }]);
    assert.notEqual(out[0], merkel);
    assert.equal(merkel.start, 0);
  });
});
