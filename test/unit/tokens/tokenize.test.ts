import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenize } from '../../../src/core/tokens';
import { fastestTimes } from '../timing';
import { assertTokenInvariants, values, valuesAndKinds } from './invariants';

/** Tokenizes, checks the invariants, and returns the tokens. */
function checked(text: string) {
  const tokens = tokenize(text);
  assertTokenInvariants(text, tokens);
  return tokens;
}

describe('tokenize: French real-estate text', () => {
  it('splits elided articles off with their apostrophe, straight or curly', () => {
    assert.deepEqual(values(checked("l'appartement")), ["l'", 'appartement']);
    assert.deepEqual(values(checked('L’appartement')), ['L’', 'appartement']);
    assert.deepEqual(values(checked("qu'il jusqu'à d'un")), ["qu'", 'il', "jusqu'", 'à', "d'", 'un']);
    assert.deepEqual(values(checked("L'« oasis »")), ["L'", '«', 'oasis', '»']);
  });

  it("keeps words whose apostrophe is not an elision: aujourd'hui, presqu'île", () => {
    assert.deepEqual(values(checked("d'aujourd'hui")), ["d'", "aujourd'hui"]);
    assert.deepEqual(values(checked("la presqu'île")), ['la', "presqu'île"]);
  });

  it('reads surfaces, grouped prices, dotted phone numbers and references', () => {
    assert.deepEqual(valuesAndKinds(checked('190 m²')), [
      ['190', 'number'],
      ['m²', 'word'],
    ]);
    assert.deepEqual(valuesAndKinds(checked('1 270 000 €')), [
      ['1 270 000', 'number'],
      ['€', 'currency'],
    ]);
    // Typographic thin/no-break spaces group digits too.
    assert.deepEqual(values(checked('1\u202F270\u202F000\u00A0€')), ['1\u202F270\u202F000', '€']);
    assert.deepEqual(valuesAndKinds(checked('06.43.43.43.43')), [['06.43.43.43.43', 'number']]);
    assert.deepEqual(valuesAndKinds(checked('Réf. 12390')), [
      ['Réf.', 'word'],
      ['12390', 'number'],
    ]);
  });

  it('tokenizes a whole listing', () => {
    const text =
      "Bel appartement de 190 m² au 3e étage, l'immeuble date de 1930. Prix : 1 270 000 €. " +
      'Réf. 12390. Visite à 10h30, tél. 06.43.43.43.43 (M. Dupont).';
    assert.deepEqual(values(checked(text)), [
      'Bel',
      'appartement',
      'de',
      '190',
      'm²',
      'au',
      '3e',
      'étage',
      ',',
      "l'",
      'immeuble',
      'date',
      'de',
      '1930',
      '.',
      'Prix',
      ':',
      '1 270 000',
      '€',
      '.',
      'Réf.',
      '12390',
      '.',
      'Visite',
      'à',
      '10h30',
      ',',
      'tél.',
      '06.43.43.43.43',
      '(',
      'M.',
      'Dupont',
      ')',
      '.',
    ]);
  });

  it('gives French ordinals, times and n° their kinds', () => {
    const tokens = checked('le 1er et le 2e, à 18h ou 10h30, n° 5');
    const kindOf = (value: string) => tokens.find((t) => t.value === value)?.kind;
    assert.equal(kindOf('1er'), 'ordinal');
    assert.equal(kindOf('2e'), 'ordinal');
    assert.equal(kindOf('18h'), 'time');
    assert.equal(kindOf('10h30'), 'time');
    assert.equal(kindOf('n°'), 'word');
  });

  it('does not take the French number "sept" for an abbreviation', () => {
    assert.deepEqual(values(checked('Ils sont sept.')), ['Ils', 'sont', 'sept', '.']);
    assert.deepEqual(values(checked('Sept. 11')), ['Sept.', '11']);
  });

  it('splits hyphenated compounds at the hyphen, as UD English does', () => {
    assert.deepEqual(values(checked('rez-de-chaussée')), ['rez', '-', 'de', '-', 'chaussée']);
  });
});

describe('tokenize: English conventions (UD English-EWT)', () => {
  it('splits clitics and negations', () => {
    assert.deepEqual(values(checked("I don't think we can't, she'll say John's.")), [
      'I',
      'do',
      "n't",
      'think',
      'we',
      'ca',
      "n't",
      ',',
      'she',
      "'ll",
      'say',
      'John',
      "'s",
      '.',
    ]);
    assert.deepEqual(values(checked('I won’t')), ['I', 'wo', 'n’t']);
    assert.deepEqual(values(checked('the students’ books')), ['the', 'students', '’', 'books']);
    assert.deepEqual(values(checked('cannot gonna IM')), ['can', 'not', 'gon', 'na', 'IM']);
    assert.deepEqual(values(checked("O'Brien rock'n'roll")), ["O'Brien", "rock'n'roll"]);
  });

  it('keeps abbreviation periods, initials and dotted acronyms', () => {
    assert.deepEqual(values(checked('Dr. Smith met Mr. J. K. Rowling in the U.S. e.g. at No. 5')), [
      'Dr.',
      'Smith',
      'met',
      'Mr.',
      'J.',
      'K.',
      'Rowling',
      'in',
      'the',
      'U.S.',
      'e.g.',
      'at',
      'No.',
      '5',
    ]);
    // "no" is a word unless a number follows; "X." at the very end is a sentence end.
    assert.deepEqual(values(checked('The answer is no.')), ['The', 'answer', 'is', 'no', '.']);
    assert.deepEqual(values(checked('because of X.')), ['because', 'of', 'X', '.']);
    assert.deepEqual(values(checked('apples, etc.')), ['apples', ',', 'etc', '.']);
    assert.deepEqual(values(checked('apples, etc. and more')), ['apples', ',', 'etc.', 'and', 'more']);
    assert.deepEqual(values(checked('and so on etc...')), ['and', 'so', 'on', 'etc', '...']);
  });

  it('splits hyphens except after known prefixes', () => {
    assert.deepEqual(values(checked('a well-known e-mail from a non-profit')), [
      'a',
      'well',
      '-',
      'known',
      'e-mail',
      'from',
      'a',
      'non-profit',
    ]);
  });

  it('reads numbers, times, ordinals, money and units', () => {
    assert.deepEqual(valuesAndKinds(checked('$5.00 at 5pm, 10:30 or 17th; 20% of 5,000 in the 1970s')), [
      ['$', 'currency'],
      ['5.00', 'number'],
      ['at', 'word'],
      ['5', 'time'],
      ['pm', 'word'],
      [',', 'punctuation'],
      ['10:30', 'time'],
      ['or', 'word'],
      ['17th', 'ordinal'],
      [';', 'punctuation'],
      ['20', 'number'],
      ['%', 'symbol'],
      ['of', 'word'],
      ['5,000', 'number'],
      ['in', 'word'],
      ['the', 'word'],
      ['1970s', 'word'],
    ]);
    assert.deepEqual(values(checked('aged 13-17, call 713-853-3989, pay 65k')), [
      'aged',
      '13',
      '-',
      '17',
      ',',
      'call',
      '713-853-3989',
      ',',
      'pay',
      '65',
      'k',
    ]);
    // Digit groups only join 3-digit groups: years and phone-like runs stay apart.
    assert.deepEqual(values(checked('in 2004 300 people; 555 123 4567')), [
      'in',
      '2004',
      '300',
      'people',
      ';',
      '555',
      '123',
      '4567',
    ]);
  });

  it('recognises e-mails, URLs, mentions, hashtags, emoticons', () => {
    assert.deepEqual(
      valuesAndKinds(
        checked(
          'Mail a.b-c@example.co.uk or see https://en.wikipedia.org/wiki/Foo_(bar)). @joe #happy :-) ;)',
        ),
      ),
      [
        ['Mail', 'word'],
        ['a.b-c@example.co.uk', 'email'],
        ['or', 'word'],
        ['see', 'word'],
        ['https://en.wikipedia.org/wiki/Foo_(bar)', 'url'],
        [')', 'punctuation'],
        ['.', 'punctuation'],
        ['@joe', 'mention'],
        ['#happy', 'hashtag'],
        [':-)', 'emoticon'],
        [';)', 'emoticon'],
      ],
    );
    assert.deepEqual(values(checked('Visit www.example.com.')), ['Visit', 'www.example.com', '.']);
  });

  it('does not see faces or times inside words (wink does)', () => {
    assert.deepEqual(values(checked('Note:Do it, C:/dir')), [
      'Note',
      ':',
      'Do',
      'it',
      ',',
      'C',
      ':',
      '/',
      'dir',
    ]);
    assert.deepEqual(values(checked('3 amendments')), ['3', 'amendments']);
  });

  it('keeps punctuation runs together', () => {
    assert.deepEqual(values(checked('What?! No... -- ok!!!')), [
      'What',
      '?!',
      'No',
      '...',
      '--',
      'ok',
      '!!!',
    ]);
  });
});

describe('tokenize: hostile and unusual text', () => {
  it('returns nothing for empty or blank text', () => {
    assert.deepEqual(checked(''), []);
    assert.deepEqual(checked(' \t\r\n\u00A0\u200B\uFEFF\u2028'), []);
  });

  it('handles CRLF line endings and tabs', () => {
    const text = 'one\ttwo\r\nthree\r\n\r\nfour\r';
    assert.deepEqual(
      checked(text).map((t) => [t.value, t.start]),
      [
        ['one', 0],
        ['two', 4],
        ['three', 9],
        ['four', 18],
      ],
    );
  });

  it('keeps emoji sequences whole: ZWJ, skin tones, flags, keycaps, tags', () => {
    const emoji = ['❤️', '👩🏽‍💻', '👨‍👩‍👧‍👦', '🇫🇷', '🏴󠁧󠁢󠁥󠁮󠁧󠁿', '1️⃣', '🏳️‍🌈', '👍🏿'];
    const tokens = checked(`I ${emoji.join(' ')} NY`);
    assert.deepEqual(
      valuesAndKinds(tokens.slice(1, -1)),
      emoji.map((e) => [e, 'emoji']),
    );
    // Glued together, they still split between sequences and never inside one.
    assert.deepEqual(values(checked(emoji.join(''))), emoji);
    assert.deepEqual(valuesAndKinds(checked('©2004 ™')), [
      ['©', 'symbol'],
      ['2004', 'number'],
      ['™', 'symbol'],
    ]);
  });

  it('keeps combining accents with their letter, and orphan marks as their own token', () => {
    assert.deepEqual(values(checked('cafe\u0301 e\u0301te\u0301 cœur Łódź')), [
      'cafe\u0301',
      'e\u0301te\u0301',
      'cœur',
      'Łódź',
    ]);
    assert.deepEqual(valuesAndKinds(checked('a \u0301 !\u0301')), [
      ['a', 'word'],
      ['\u0301', 'alien'],
      ['!\u0301', 'punctuation'],
    ]);
  });

  it('treats zero-width spaces and bidi marks as separators, but ZWJ/ZWNJ as part of a word', () => {
    assert.deepEqual(
      checked('foo\u200Bbar \uFEFFbaz').map((t) => [t.value, t.start]),
      [
        ['foo', 0],
        ['bar', 4],
        ['baz', 9],
      ],
    );
    assert.deepEqual(values(checked('می\u200Cخواهم')), ['می\u200Cخواهم']);
    assert.deepEqual(values(checked('\u200F\u05E9\u05DC\u05D5\u05DD\u200F')), ['\u05E9\u05DC\u05D5\u05DD']);
  });

  it('tokenizes right-to-left scripts', () => {
    assert.deepEqual(values(checked('שלום עולם! (ירושלים)')), ['שלום', 'עולם', '!', '(', 'ירושלים', ')']);
    assert.deepEqual(values(checked('مَرْحَبًا بالعالم؟ ٢٠٢٤')), ['مَرْحَبًا', 'بالعالم', '؟', '٢٠٢٤']);
  });

  it('tokenizes HTML as plain text without interpreting it', () => {
    assert.deepEqual(values(checked('<img src=x onerror=alert(1)>')), [
      '<',
      'img',
      'src',
      '=',
      'x',
      'onerror',
      '=',
      'alert',
      '(',
      '1',
      ')',
      '>',
    ]);
    assert.deepEqual(values(checked('<script>alert("x")</script>')), [
      '<',
      'script',
      '>',
      'alert',
      '(',
      '"',
      'x',
      '"',
      ')',
      '<',
      '/',
      'script',
      '>',
    ]);
  });

  it('survives lone surrogates and control characters', () => {
    const text = 'a\uD800b \uDC00 \u0007 \uE000';
    const tokens = checked(text);
    assert.ok(tokens.some((t) => t.value.includes('\uD800')));
    assert.ok(tokens.every((t) => t.kind !== 'alien' || !/\p{L}/u.test(t.value)));
  });

  it('tokenizes a 1 MB line without newline, in linear time', async () => {
    const sentence =
      "The company's CEO, Dr. Smith, paid $1,270,000 for 190 m² in the U.S. (see www.example.com). ";
    const count = Math.ceil(2 ** 20 / sentence.length);
    const line = sentence.repeat(count);
    assert.equal(checked(line).length, tokenize(sentence).length * count);
    // The same text in short lines is its peer: a rescan of the rest of the line at each token
    // would cost ~10^11 steps on the one line and ~10^7 on the short ones.
    const lines = `${sentence}\n`.repeat(count);
    const ms = await fastestTimes({ lines: () => tokenize(lines), line: () => tokenize(line) });
    assert.ok(
      ms.line / ms.lines < 5,
      `one 1 MB line ${ms.line.toFixed(0)} ms, the same in ${count} lines ${ms.lines.toFixed(0)} ms`,
    );
  });

  it('stays linear on adversarial repetitions', async () => {
    // Each of these would be quadratic for a pattern that rescans the rest of the line at
    // every token start (the e-mail local part, digit groups, hyphen prefixes): ~10^10 steps
    // on one line of 200,000 characters, against ~10^7 for the same text in lines of ~100
    // (which some units tokenize differently: "e-e-e-…" is one compound on one line).
    const size = 200_000;
    for (const unit of ['a%', 'a-', "a'", '1 000 ', 'e-', 'a@', ':)', '#a', '\uD800', 'a.']) {
      const text = unit.repeat(size / unit.length);
      checked(text);
      const lines = `${unit.repeat(Math.ceil(100 / unit.length))}\n`.repeat(size / 100);
      const ms = await fastestTimes({ lines: () => tokenize(lines), line: () => tokenize(text) });
      assert.ok(
        ms.line / ms.lines < 10,
        `${JSON.stringify(unit)}: one line ${ms.line.toFixed(1)} ms, the same in short lines ${ms.lines.toFixed(1)} ms`,
      );
    }
  });
});
