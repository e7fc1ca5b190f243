import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  normalizeOwner,
  normalizePhone,
  normalizePrice,
  normalizeRef,
  normalizeRooms,
  normalizeSurface,
  normalizeYear,
  parseLocaleNumber,
} from '../../../src/core/extract';

test('numbers with any thousands or decimal separator', () => {
  const cases: Array<[string, number | null]> = [
    ['1 270 000', 1_270_000],
    ['1\u00a0270\u00a0000', 1_270_000],
    ['1.270.000', 1_270_000],
    ['1,270,000', 1_270_000],
    ["1'250'000", 1_250_000],
    ['85,5', 85.5],
    ['1.27', 1.27],
    ['1,250.50', 1250.5],
    ['1.250,50', 1250.5],
    ['1.2.3', null],
    ['12,', null],
  ];
  for (const [written, expected] of cases) assert.equal(parseLocaleNumber(written), expected, written);
  assert.equal(parseLocaleNumber('1.270', true), 1.27, 'a multiplier makes the separator decimal');
});

test('prices: amount and currency from the formats agents type', () => {
  const cases: Array<[string, string]> = [
    ['1 270 000 €', '1270000 EUR'],
    ['1.270.000 EUR', '1270000 EUR'],
    ['€1.27M', '1270000 EUR'],
    ['1,15 M€', '1150000 EUR'],
    ['350k€', '350000 EUR'],
    ['350 k€', '350000 EUR'],
    ['129 500 euros', '129500 EUR'],
    ["2,3 millions d'euros", '2300000 EUR'],
    ['$450,000', '450000 USD'],
    ['USD 639,000', '639000 USD'],
    ['$1.2 million', '1200000 USD'],
    ['£1,275,000', '1275000 GBP'],
    ['C$749,900', '749900 CAD'],
    ["CHF 2'450'000", '2450000 CHF'],
    ['239000€', '239000 EUR'],
  ];
  for (const [text, display] of cases) {
    const price = normalizePrice(text);
    assert.equal(price?.display, display, text);
    assert.deepEqual(price?.warnings, [], text);
  }
});

test('malformed prices: an extra group of zeros is kept but flagged; no digits is no price', () => {
  const huge = normalizePrice('1 270 000 000 000 €');
  assert.equal(huge?.value.amount, 1_270_000_000_000);
  assert.equal(huge?.value.currency, 'EUR');
  assert.match(huge!.warnings.join(), /implausible/);
  const noCurrency = normalizePrice('415 000');
  assert.equal(noCurrency?.display, '415000 EUR');
  assert.match(noCurrency!.warnings.join(), /no currency/);
  assert.equal(normalizePrice('prix sur demande'), null);
  assert.equal(normalizePrice(''), null);
});

test('surfaces in m² and ft², including a repeated unit', () => {
  const cases: Array<[string, string]> = [
    ['190 m²', '190 m²'],
    ['190m2', '190 m²'],
    ['102 M²', '102 m²'],
    ['83,5 m²', '83.5 m²'],
    ['190 mètres carrés', '190 m²'],
    ['112 sq m', '112 m²'],
    ['1,850 sq ft', '1850 ft²'],
    ['1,640 sq. ft.', '1640 ft²'],
    ['950 sqft', '950 ft²'],
    ['2,400 square feet', '2400 ft²'],
    ['Square footage: 3,200', '3200 ft²'],
  ];
  for (const [text, display] of cases) assert.equal(normalizeSurface(text)?.display, display, text);
  const doubled = normalizeSurface('190 m² m²');
  assert.equal(doubled?.display, '190 m²');
  assert.match(doubled!.warnings.join(), /more than once/);
  assert.equal(normalizeSurface('m²'), null);
});

test('rooms from pièces, type codes, English rooms and number words', () => {
  const cases: Array<[string, number]> = [
    ['4 pièces', 4],
    ['4 PIÈCES', 4],
    ['4p', 4],
    ['5 p.', 5],
    ['T4', 4],
    ['F3', 3],
    ['type 2', 2],
    ['Trois pièces', 3],
    ['4 rooms', 4],
    ['four-room', 4],
    ['six-room', 6],
    ['Studio', 1],
    ['12 rooms', 12],
  ];
  for (const [text, rooms] of cases) assert.equal(normalizeRooms(text)?.value, rooms, text);
  assert.equal(normalizeRooms('pièces'), null);
  assert.equal(normalizeRooms('0 pièce'), null);
  // Captions before the count, and a bare count.
  assert.equal(normalizeRooms('Pièces : 7')?.value, 7);
  assert.equal(normalizeRooms('Nombre de pièces : 6')?.value, 6);
  assert.equal(normalizeRooms('quatre')?.value, 4);
  assert.equal(normalizeRooms('9')?.value, 9);
  // Text that says something else holds no number of rooms, even with a number word in it.
  for (const text of [
    'et une',
    'une',
    'one',
    '4e et',
    'deux chambres',
    '3 chambres et une cuisine',
    'T4 rénové',
  ])
    assert.equal(normalizeRooms(text), null, text);
});

test('years', () => {
  assert.equal(normalizeYear('2005')?.value, 2005);
  assert.equal(normalizeYear('c. 1880')?.value, 1880);
  assert.equal(normalizeYear('12345'), null);
  assert.equal(normalizeYear('95'), null);
  assert.equal(normalizeYear('AH1775'), null, 'a year is not glued to a code');
  assert.equal(normalizeYear('1920s')?.value, 1920);
  assert.match(normalizeYear('2091')!.warnings.join(), /future/);
});

test('phones: French, North American, British and other international numbers', () => {
  const cases: Array<[string, string]> = [
    ['06.43.43.43.43', '06 43 43 43 43'],
    ['0643434343', '06 43 43 43 43'],
    ['06-43-43-43-43', '06 43 43 43 43'],
    ['+33 6 43 43 43 43', '06 43 43 43 43'],
    ['+33 (0)6 43 43 43 43', '06 43 43 43 43'],
    ['0033 6 43 43 43 43', '06 43 43 43 43'],
    ['(555) 123-4567', '(555) 123-4567'],
    ['555-123-4567', '(555) 123-4567'],
    ['+1 (804) 555-0131', '(804) 555-0131'],
    ['212.555.0184', '(212) 555-0184'],
    ['020 7946 0321', '+442079460321'],
    ['+44 20 7946 0321', '+442079460321'],
    ['+41 22 555 01 88', '+41225550188'],
  ];
  for (const [text, display] of cases) assert.equal(normalizePhone(text)?.display, display, text);
  assert.equal(normalizePhone('+33 6 43 43 43 43')?.value.e164, '+33643434343');
  assert.equal(normalizePhone('75016'), null);
  assert.equal(normalizePhone('06 43 43'), null);
});

test('owner names lose titles and labels, keep their case; an empty owner is no owner', () => {
  assert.equal(normalizeOwner('Mimi LASOURIS')?.display, 'Mimi LASOURIS');
  assert.equal(normalizeOwner('  M.  Pierre   Dufresne ')?.display, 'Pierre Dufresne');
  assert.equal(normalizeOwner('Contact : Mme Sophie Lambert,')?.display, 'Sophie Lambert');
  assert.equal(normalizeOwner('Béatrice de La Rochefoucauld')?.display, 'Béatrice de La Rochefoucauld');
  assert.equal(normalizeOwner(''), null);
  assert.equal(normalizeOwner('   '), null);
  assert.equal(normalizeOwner('Contact :'), null);
  assert.equal(normalizeOwner('M.'), null);
});

test('references lose their prefix', () => {
  assert.equal(normalizeRef('12390')?.display, '12390');
  assert.equal(normalizeRef('Réf.12390')?.display, '12390');
  assert.equal(normalizeRef('Ref: AB-1234')?.display, 'AB-1234');
  assert.equal(normalizeRef('#A-77310')?.display, 'A-77310');
  assert.equal(normalizeRef('4471-B.')?.display, '4471-B');
  assert.equal(normalizeRef('Réf.'), null);
});

test('a layout dash after a reference is not part of it; a dash inside is', () => {
  assert.equal(normalizeRef('12390 —')?.display, '12390');
  assert.equal(normalizeRef('Réf. 8832-NC -')?.display, '8832-NC');
  assert.equal(normalizeRef('AB-12 –')?.display, 'AB-12');
  assert.equal(normalizeRef('4410 /')?.display, '4410');
  assert.equal(normalizeRef('AB/4410')?.display, 'AB/4410');
  assert.equal(normalizeRef('0457-DUB')?.display, '0457-DUB');
});
