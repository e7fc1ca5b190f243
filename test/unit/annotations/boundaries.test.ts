import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeSpans, resizeSpan, splitSpan } from '../../../src/core/annotations/boundaries';

const text = 'Yesterday the Bank of England raised rates. New York Times reported it.';
const span = (s: string) => {
  const start = text.indexOf(s);
  assert.ok(start >= 0, s);
  return { start, end: start + s.length };
};
const textOf = (r: { start: number; end: number } | undefined) =>
  r ? text.slice(r.start, r.end) : undefined;

describe('boundary editing', () => {
  it('grows and shrinks either end by one token, within the sentence', () => {
    assert.equal(textOf(resizeSpan(text, span('Bank of'), 'end', true)), 'Bank of England');
    assert.equal(textOf(resizeSpan(text, span('the Bank of England'), 'start', false)), 'Bank of England');
    assert.equal(textOf(resizeSpan(text, span('Bank of England'), 'start', true)), 'the Bank of England');
    assert.equal(textOf(resizeSpan(text, span('Bank of England'), 'end', false)), 'Bank of');
    assert.equal(resizeSpan(text, span('England'), 'end', false), undefined, 'one token cannot shrink');
    assert.equal(textOf(resizeSpan(text, span('rates'), 'end', true)), 'rates.');
    assert.equal(resizeSpan(text, span('rates.'), 'end', true), undefined, 'not into the next sentence');
    assert.equal(resizeSpan(text, span('Yesterday'), 'start', true), undefined);
  });

  it('merges two spans with only space between, and nothing else', () => {
    assert.equal(textOf(mergeSpans(text, span('New York'), span('Times'))), 'New York Times');
    assert.equal(
      textOf(mergeSpans(text, span('Times'), span('New York'))),
      'New York Times',
      'in either order',
    );
    assert.equal(mergeSpans(text, span('Bank'), span('England')), undefined, '"of" lies between');
  });

  it('splits before the token at the cursor, leaving a token on each side', () => {
    const times = span('New York Times');
    assert.deepEqual(splitSpan(text, times, text.indexOf('Times') + 2)?.map(textOf), ['New York', 'Times']);
    assert.deepEqual(
      splitSpan(text, times, times.start)?.map(textOf),
      ['New', 'York Times'],
      'a cursor on the first token cuts after it',
    );
    assert.deepEqual(
      splitSpan(text, times, times.end)?.map(textOf),
      ['New York', 'Times'],
      'at the span’s end (the whole span selected) the last token goes on its own',
    );
    assert.equal(splitSpan(text, span('Times'), text.indexOf('Times')), undefined);
  });
});
