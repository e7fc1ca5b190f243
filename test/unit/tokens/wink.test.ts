import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alignTokens, winkTokenize } from '../../../src/core/tokens';
import { assertTokenInvariants, valuesAndKinds } from './invariants';

function checkedWink(text: string) {
  const tokens = winkTokenize(text);
  assertTokenInvariants(text, tokens);
  return tokens;
}

describe('winkTokenize (the reference)', () => {
  it("keeps the source text where wink rewrites it (LET'S becomes THAT 'S in wink)", () => {
    assert.deepEqual(valuesAndKinds(checkedWink("LET'S go, Couldn't you?")), [
      ['LET', 'word'],
      ["'S", 'word'],
      ['go', 'word'],
      [',', 'punctuation'],
      ['Could', 'word'],
      ["n't", 'word'],
      ['you', 'word'],
      ['?', 'punctuation'],
    ]);
  });

  it("maps wink's tags to token kinds", () => {
    assert.deepEqual(valuesAndKinds(checkedWink('@joe #tag 4pm 2nd $ 3.5 :) 🎉 a@b.com http://x.io ~')), [
      ['@joe', 'mention'],
      ['#tag', 'hashtag'],
      ['4pm', 'time'],
      ['2nd', 'ordinal'],
      ['$', 'currency'],
      ['3.5', 'number'],
      [':)', 'emoticon'],
      ['🎉', 'emoji'],
      ['a@b.com', 'email'],
      ['http://x.io', 'url'],
      ['~', 'symbol'],
    ]);
  });

  it('holds the invariants where wink is weakest: marks, Latin Extended, zero-width, CRLF', () => {
    const text = 'cœur e\u0301te\u0301 Łódź\r\nfoo\u200Bbar\t👩🏽‍💻 שלום';
    const tokens = checkedWink(text);
    // Wink splits `cœur` around the non-Latin-1 `œ`; the pieces still cover the word exactly.
    assert.equal(
      tokens
        .filter((t) => t.end <= 4)
        .map((t) => t.value)
        .join(''),
      'cœur',
    );
    assert.ok(tokens.every((t) => !t.value.includes('\u200B')));
  });

  it('returns nothing for empty or blank text', () => {
    assert.deepEqual(checkedWink(''), []);
    assert.deepEqual(checkedWink(' \n\t\u200B'), []);
  });
});

describe('alignTokens', () => {
  it('takes pieces in order, skipping separators between them', () => {
    const text = 'a  b\tc';
    assert.deepEqual(
      alignTokens(text, [
        { value: 'a', kind: 'word' },
        { value: 'b', kind: 'word' },
        { value: 'c', kind: 'word' },
      ]).map((t) => [t.value, t.start]),
      [
        ['a', 0],
        ['b', 3],
        ['c', 5],
      ],
    );
  });

  it('aligns a piece whose letter case was changed to the source slice', () => {
    assert.deepEqual(
      alignTokens("Couldn't", [
        { value: 'could', kind: 'word' },
        { value: "n't", kind: 'word' },
      ]).map((t) => t.value),
      ['Could', "n't"],
    );
  });

  it('gives the text skipped by a rewritten piece to that piece, and resynchronises', () => {
    const text = 'xx yy zz';
    const tokens = alignTokens(text, [
      { value: 'xx', kind: 'word' },
      { value: 'QQ', kind: 'number' },
      { value: 'zz', kind: 'word' },
    ]);
    assertTokenInvariants(text, tokens);
    assert.deepEqual(valuesAndKinds(tokens), [
      ['xx', 'word'],
      ['yy', 'number'],
      ['zz', 'word'],
    ]);
  });

  it('covers text that no piece accounts for with alien tokens', () => {
    const text = 'one two three';
    const tokens = alignTokens(text, [{ value: 'one', kind: 'word' }]);
    assert.deepEqual(valuesAndKinds(tokens), [
      ['one', 'word'],
      ['two', 'alien'],
      ['three', 'alien'],
    ]);
  });

  it('gives the rest of the text to a last piece that cannot be found', () => {
    const tokens = alignTokens('one two', [
      { value: 'one', kind: 'word' },
      { value: 'TWO!', kind: 'number' },
    ]);
    assert.deepEqual(valuesAndKinds(tokens), [
      ['one', 'word'],
      ['two', 'number'],
    ]);
  });

  it('drops empty pieces and trims separators off piece edges', () => {
    const text = '\u200Bab\u200B c';
    const tokens = alignTokens(text, [
      { value: '', kind: 'word' },
      { value: '\u200Bab\u200B', kind: 'word' },
      { value: 'c', kind: 'word' },
    ]);
    assertTokenInvariants(text, tokens);
    assert.deepEqual(
      tokens.map((t) => [t.value, t.start]),
      [
        ['ab', 1],
        ['c', 5],
      ],
    );
  });

  it('never jumps ahead past unrelated text when nothing is pending', () => {
    // `b` occurs later, but the first piece is simply missing from the text: it becomes pending
    // and the text up to the next found piece goes to it.
    const text = 'a b';
    const tokens = alignTokens(text, [
      { value: 'zzz', kind: 'number' },
      { value: 'b', kind: 'word' },
    ]);
    assert.deepEqual(valuesAndKinds(tokens), [
      ['a', 'number'],
      ['b', 'word'],
    ]);
  });
});
