#!/usr/bin/env -S npx tsx
/**
 * Seeded generator of French and English property listings with gold spans for REF, PRICE,
 * SURFACE, YEAR, ROOMS, OWNER and PHONE, for training the real-estate tagger.
 *
 *   npx tsx scripts/generate-listings.ts [--seed 7] [--count 6000] [--out gen]
 *
 * Writes, for each split (train 80 %, dev 10 %, test 10 %):
 *   OUT/<split>.jsonl           training records `{"id", "text", "spans"}`, one per group of
 *                               sentences as the tagger cuts them (tokenizeSentences), so training
 *                               sees the same contexts as inference; a gold span never straddles two
 *                               records;
 *   OUT/<split>.listings.jsonl  whole listings `{"id", "lang", "text", "spans", "values"}` with the
 *                               canonical value of each field, for extraction scoring
 *                               (src/core/extract parseGoldJsonl);
 * and OUT/handwritten.jsonl: the hand-written evaluation set (test/fixtures/listings) as training-
 * format records, to score a model's spans on it (`spanlight eval MODEL OUT/handwritten.jsonl`).
 *
 * The canonical values are computed here from the generated numbers, not by the normalizers, so
 * scoring the extraction on a generated split also checks the normalizers. The same seed and count
 * always give the same files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createRandom, shuffled } from '../src/core/encode/random';
import type { FieldLabel } from '../src/core/extract/fields';
import { type GoldListing, goldSpanRecord, parseHandwrittenListings } from '../src/core/extract/gold';
import { tokenize, tokenizeSentences } from '../src/core/tokens';
import type { Span } from '../src/core/types';

type Lang = 'fr' | 'en';

/** The project's seeded generator (mulberry32) with the draws the templates need. */
function createRandomDraws(seed: number) {
  const next = createRandom(seed);
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const chance = (p: number): boolean => next() < p;
  const shuffle = <T>(items: readonly T[]): T[] => shuffled(items, next);
  return { next, int, pick, chance, shuffle };
}
type Random = ReturnType<typeof createRandomDraws>;

/** A listing under construction: plain text pieces and labelled pieces whose offsets are kept. */
class ListingBuilder {
  text = '';
  spans: Span[] = [];
  add(piece: string): this {
    this.text += piece;
    return this;
  }
  field(label: FieldLabel, piece: string): this {
    this.spans.push({ start: this.text.length, end: this.text.length + piece.length, label });
    this.text += piece;
    return this;
  }
}

/** A piece of text: plain strings, or a field value to label. */
type Piece = string | { label: FieldLabel; text: string };
const f = (label: FieldLabel, text: string): Piece => ({ label, text });

// ---------------------------------------------------------------- value formatting

const groupThousands = (n: number, separator: string): string =>
  String(n).replace(/\B(?=(\d{3})+(?!\d))/g, separator);

function stripAccents(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC');
}

type Currency = 'EUR' | 'USD' | 'GBP' | 'CAD' | 'CHF';

function formatPrice(rng: Random, amount: number, currency: Currency, lang: Lang): string {
  const millions = amount >= 1_000_000 && amount % 10_000 === 0;
  const thousands = amount % 1000 === 0 && amount < 2_000_000;
  const decimal = (n: number): string => (lang === 'fr' ? String(n).replace('.', ',') : String(n));
  if (currency === 'EUR') {
    const options = [
      () => `${groupThousands(amount, ' ')} €`,
      () => `${groupThousands(amount, '\u00a0')}\u00a0€`,
      () => `${groupThousands(amount, '.')} €`,
      () => `${groupThousands(amount, ' ')}€`,
      () => `${amount} €`,
      () => `${groupThousands(amount, ' ')} euros`,
      () => `${groupThousands(amount, '.')} EUR`,
      () => `${groupThousands(amount, ' ')} EUR`,
      () => `€${groupThousands(amount, ',')}`,
      ...(millions ? [() => `${decimal(amount / 1e6)} M€`, () => `€${amount / 1e6}M`] : []),
      ...(thousands ? [() => `${amount / 1000} k€`, () => `${amount / 1000}k€`] : []),
    ];
    return rng.pick(options)();
  }
  const symbol = { USD: '$', GBP: '£', CAD: 'C$', CHF: 'CHF ' }[currency];
  const options = [
    () => `${symbol}${groupThousands(amount, ',')}`,
    () => `${symbol}${groupThousands(amount, ',')}`,
    () => `${symbol}${amount}`,
    ...(currency === 'USD'
      ? [() => `USD ${groupThousands(amount, ',')}`, () => `${groupThousands(amount, ',')} USD`]
      : []),
    ...(currency === 'CHF' ? [() => `CHF ${groupThousands(amount, "'")}`] : []),
    ...(millions && currency !== 'CHF'
      ? [() => `${symbol}${amount / 1e6}M`, () => `${symbol}${amount / 1e6} million`]
      : []),
  ];
  return rng.pick(options)();
}

function formatSurface(rng: Random, value: number, unit: 'm²' | 'ft²', lang: Lang): string {
  const written = lang === 'fr' ? String(value).replace('.', ',') : String(value);
  if (unit === 'm²') {
    return rng.pick([
      `${written} m²`,
      `${written} m²`,
      `${written}m²`,
      `${written} m2`,
      `${written}m2`,
      `${written} M²`,
      ...(lang === 'fr' ? [`${written} mètres carrés`] : [`${written} sq m`, `${written} sqm`]),
    ]);
  }
  const grouped = groupThousands(value, ',');
  return rng.pick([
    `${grouped} sq ft`,
    `${grouped} sq ft`,
    `${grouped} sq. ft.`,
    `${value} sqft`,
    `${grouped} square feet`,
    `${grouped} ft²`,
  ]);
}

const FR_NUMBER_WORDS = ['', 'une', 'deux', 'trois', 'quatre', 'cinq', 'six', 'sept', 'huit', 'neuf', 'dix'];
const EN_NUMBER_WORDS = ['', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function formatRooms(rng: Random, rooms: number, lang: Lang): string {
  if (lang === 'fr') {
    const options = [
      `${rooms} pièces`,
      `${rooms} pièces`,
      `${rooms} pieces`,
      `${rooms}p`,
      `${rooms} p.`,
      `T${rooms}`,
      `T${rooms}`,
      `F${rooms}`,
      `${rooms} PIÈCES`,
      `type ${rooms}`,
      `Type ${rooms}`,
      ...(rooms <= 10
        ? [`${FR_NUMBER_WORDS[rooms]} pièces`, `${capitalize(FR_NUMBER_WORDS[rooms]!)} pièces`]
        : []),
    ];
    return rng.pick(options);
  }
  return rng.pick([
    `${rooms} rooms`,
    `${rooms} rooms`,
    `${rooms}-room`,
    `${rooms} room`,
    ...(rooms <= 10
      ? [
          `${EN_NUMBER_WORDS[rooms]}-room`,
          `${capitalize(EN_NUMBER_WORDS[rooms]!)}-room`,
          `${EN_NUMBER_WORDS[rooms]} rooms`,
        ]
      : []),
  ]);
}

interface PhoneValue {
  written: string;
  display: string;
}

function frenchPhone(rng: Random, mobile: boolean): PhoneValue {
  const first = mobile ? rng.pick(['6', '7']) : rng.pick(['1', '2', '3', '4', '5', '9']);
  const pairs = [0, 0, 0, 0].map(() => String(rng.int(0, 99)).padStart(2, '0'));
  const nine = `${first}${pairs.join('')}`;
  const display = `0${first} ${pairs.join(' ')}`;
  const written = rng.pick([
    display,
    display,
    `0${first}.${pairs.join('.')}`,
    `0${first}${pairs.join('')}`,
    `0${first}-${pairs.join('-')}`,
    `+33 ${first} ${pairs.join(' ')}`,
    `+33 (0)${first} ${pairs.join(' ')}`,
    `+33${nine}`,
    `0033 ${first} ${pairs.join(' ')}`,
  ]);
  return { written, display };
}

function americanPhone(rng: Random): PhoneValue {
  const area = String(rng.int(201, 989));
  const exchange = String(rng.int(200, 999));
  const line = String(rng.int(0, 9999)).padStart(4, '0');
  const display = `(${area}) ${exchange}-${line}`;
  const written = rng.pick([
    display,
    display,
    `${area}-${exchange}-${line}`,
    `${area}.${exchange}.${line}`,
    `${area} ${exchange} ${line}`,
    `+1 ${area} ${exchange} ${line}`,
    `+1 (${area}) ${exchange}-${line}`,
  ]);
  return { written, display };
}

function britishPhone(rng: Random): PhoneValue {
  const london = rng.chance(0.5);
  const rest = london
    ? `20${rng.int(3, 8)}${String(rng.int(0, 999)).padStart(3, '0')}${String(rng.int(0, 9999)).padStart(4, '0')}`
    : `7700${String(rng.int(900000, 900999))}`;
  const national = london
    ? `0${rest.slice(0, 2)} ${rest.slice(2, 6)} ${rest.slice(6)}`
    : `0${rest.slice(0, 4)} ${rest.slice(4)}`;
  const international = london
    ? `+44 ${rest.slice(0, 2)} ${rest.slice(2, 6)} ${rest.slice(6)}`
    : `+44 ${rest.slice(0, 4)} ${rest.slice(4)}`;
  return { written: rng.pick([national, national, international]), display: `+44${rest}` };
}

// ---------------------------------------------------------------- vocabulary

const FR_FIRST = [
  'Mimi',
  'Jean',
  'Marie',
  'Pierre',
  'Sophie',
  'Luc',
  'Camille',
  'Hélène',
  'François',
  'Nathalie',
  'Julien',
  'Chloé',
  'Éric',
  'Anne',
  'Jean-Pierre',
  'Marie-Claire',
  'Yannick',
  'Agnès',
  'Thierry',
  'Léa',
  'Olivier',
  'Céline',
  'Mathieu',
  'Sandrine',
  'Hugo',
  'Inès',
  'Bruno',
  'Valérie',
  'Rémi',
  'Zoé',
  'Farid',
  'Leïla',
  'Gaëlle',
  'Loïc',
  'Bérénice',
  'Noël',
];
const FR_LAST = [
  'Lasouris',
  'Dupont',
  'Martin',
  'Bernard',
  'Lefèvre',
  'Moreau',
  'Girard',
  'Fontaine',
  'Rousseau',
  'Mercier',
  'Blanchard',
  'Guérin',
  'Chevalier',
  'Le Goff',
  'Morel',
  'Lambert',
  'Bonnet',
  'Faure',
  'Gauthier',
  'Perrot',
  'Boucher',
  'Renaud',
  'Brunet',
  'Caron',
  'Meunier',
  'Benoît',
  'Aubert',
  'Roussel',
  'Benhamou',
  'Nguyen',
  'Da Silva',
  'Kervella',
  'Rivière',
  'Texier',
  'Poulain',
  "D'Almeida",
];
const EN_FIRST = [
  'John',
  'Mary',
  'James',
  'Patricia',
  'Robert',
  'Jennifer',
  'Michael',
  'Linda',
  'David',
  'Susan',
  'Emily',
  'Daniel',
  'Laura',
  'Kevin',
  'Rachel',
  'Brian',
  'Megan',
  'Steven',
  'Olivia',
  'Grace',
  'Ethan',
  'Hannah',
  'Liam',
  'Chloe',
  'Nathan',
  'Ava',
  'Oliver',
  'Isla',
  'Raj',
  'Mei',
  'Carlos',
  'Aisha',
];
const EN_LAST = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Miller',
  'Davis',
  'Wilson',
  'Anderson',
  'Taylor',
  'Thomas',
  'Moore',
  'Jackson',
  'White',
  'Harris',
  'Clark',
  'Lewis',
  'Walker',
  'Young',
  'Hall',
  'Allen',
  "O'Connor",
  'McKenzie',
  'Fitzgerald',
  'Sanchez',
  'Kim',
  'Patel',
  'Cohen',
  'Murphy',
  'Turner',
  'Hughes',
  'Bennett',
];
const FR_TOWNS = [
  ['Paris', '75016'],
  ['Lyon', '69006'],
  ['Nice', '06000'],
  ['Cannes', '06400'],
  ['Bordeaux', '33000'],
  ['Nantes', '44000'],
  ['Lille', '59000'],
  ['Toulouse', '31000'],
  ['Rennes', '35000'],
  ['Aix-en-Provence', '13100'],
  ['Annecy', '74000'],
  ['Biarritz', '64200'],
  ['Dijon', '21000'],
  ['Tours', '37000'],
  ['Montpellier', '34000'],
  ['La Rochelle', '17000'],
] as const;
const EN_TOWNS = [
  ['Austin, TX', '78704'],
  ['Denver, CO', '80205'],
  ['Portland, OR', '97214'],
  ['Brooklyn, NY', '11215'],
  ['Oakland, CA', '94610'],
  ['Raleigh, NC', '27601'],
  ['Bath', 'BA1 2QH'],
  ['Bristol', 'BS8 1TH'],
  ['London', 'SW11 5AB'],
  ['Seattle, WA', '98103'],
  ['Savannah, GA', '31401'],
  ['Madison, WI', '53703'],
] as const;
const FR_TYPES = [
  'villa',
  'maison',
  'appartement',
  'maison de ville',
  'loft',
  'longère',
  'mas',
  'duplex',
  'chalet',
  'échoppe',
  'bastide',
  'maison de maître',
];
const EN_TYPES = [
  'house',
  'home',
  'townhouse',
  'condo',
  'bungalow',
  'colonial',
  'cottage',
  'loft',
  'ranch',
  'flat',
  'craftsman',
  'Victorian',
];
const FR_ADJ = [
  'Superbe',
  'Belle',
  'Charmante',
  'Lumineuse',
  'Spacieuse',
  'Rare',
  'Magnifique',
  'Jolie',
  'Exceptionnelle',
  'Agréable',
];
const EN_ADJ = [
  'Stunning',
  'Charming',
  'Bright',
  'Spacious',
  'Beautiful',
  'Rare',
  'Elegant',
  'Cozy',
  'Renovated',
  'Sunny',
];
const FR_EXTRAS = [
  'piscine',
  'garage double',
  'jardin arboré',
  'vue mer',
  'parquet ancien',
  'cheminée',
  'terrasse plein sud',
  'cave voûtée',
  'double vitrage',
  'cuisine équipée',
];
const EN_EXTRAS = [
  'pool',
  'two-car garage',
  'landscaped garden',
  'ocean views',
  'hardwood floors',
  'fireplace',
  'south-facing deck',
  'finished basement',
  'new windows',
  'chef’s kitchen',
];
const AGENCIES_FR = [
  'Agence du Port',
  'Immobilière des Alpes',
  'Cabinet Durand Immobilier',
  'Agence Centrale',
  'Orpi Saint-Michel',
];
const AGENCIES_EN = [
  'Harbor Realty',
  'Keystone Properties',
  'Blue Door Real Estate',
  'Oak & Stone Homes',
  'Summit Realty Group',
];

// ---------------------------------------------------------------- references and names

const REF_LETTERS = 'ABCDEFGHJKLMNPRSTVWXYZ';
const letters = (rng: Random, n: number): string =>
  Array.from({ length: n }, () => rng.pick([...REF_LETTERS])).join('');

/** Agency reference codes: plain numbers, letter prefixes or suffixes, hyphenated parts. */
function makeRef(rng: Random): string {
  const digits = (min: number, max: number): string => String(rng.int(min, max));
  return rng.pick([
    () => digits(1000, 99999),
    () => digits(100, 999999),
    () => `${letters(rng, 2)}-${digits(100, 9999)}`,
    () => `${letters(rng, 3)}-${digits(10, 999)}`,
    () => `${digits(10, 99)}-${digits(100, 9999)}`,
    () => `${digits(1000, 9999)}${letters(rng, 1)}`,
    () => `${digits(1000, 9999)}-${letters(rng, rng.int(1, 3))}`,
    () => `${String(rng.int(1, 999)).padStart(4, '0')}-${letters(rng, 3)}`,
    () => `${letters(rng, 2)}${digits(1000, 99999)}`,
    () => `${letters(rng, 1)}/${digits(100, 9999)}`,
  ])();
}

const FR_PARTICLES = ['de', 'de La', 'du', 'de la', 'Le', "d'"];
const EN_PARTICLES = ['van', 'van der', 'de', 'Mac', 'St.'];

/** A family name: plain, hyphenated (two names), or with a particle ("de La Tour"). */
function familyName(rng: Random, lang: Lang): string {
  const names = lang === 'fr' ? FR_LAST : EN_LAST;
  const style = rng.next();
  const simple = names.filter((n) => !/[ ']/.test(n));
  if (style < 0.15) return `${rng.pick(simple)}-${rng.pick(simple)}`;
  if (style < 0.25) {
    const particle = rng.pick(lang === 'fr' ? FR_PARTICLES : EN_PARTICLES);
    const name = rng.pick(simple);
    return particle.endsWith("'") ? `${particle}${name}` : `${particle} ${name}`;
  }
  return rng.pick(names);
}

/**
 * The owner as agents write them: "Jean Dupont", "Jean DUPONT", "JEAN DUPONT", a family name
 * after a title ("Mme Dupont"), a couple ("Tom & Linda Baxter", "Jean et Marie Dupont"), a first
 * name alone, lower-case in informal ads ("nathalie"), or no owner at all.
 */
function makeOwner(
  rng: Random,
  lang: Lang,
  noAccents: boolean,
): { owner: string | null; ownerTitle: string | null } {
  const firstNames = lang === 'fr' ? FR_FIRST : EN_FIRST;
  const first = rng.pick(firstNames);
  const last = familyName(rng, lang);
  const style = rng.next();
  let owner: string | null;
  let ownerTitle: string | null = null;
  if (style < 0.27) owner = `${first} ${last.toUpperCase()}`;
  else if (style < 0.57) owner = `${first} ${last}`;
  else if (style < 0.64) owner = `${first.toUpperCase()} ${last.toUpperCase()}`;
  else if (style < 0.72) {
    owner = last;
    ownerTitle =
      lang === 'fr'
        ? rng.pick(['M.', 'Mme', 'Me', 'Madame', 'Monsieur'])
        : rng.pick(['Mr.', 'Mrs.', 'Ms.', 'Dr.']);
  } else if (style < 0.79) {
    const partner = rng.pick(firstNames.filter((n) => n !== first));
    const and = lang === 'fr' ? rng.pick(['&', 'et']) : rng.pick(['&', 'and']);
    owner = `${first} ${and} ${partner} ${last}`;
  } else if (style < 0.85) owner = first;
  else if (style < 0.9) owner = rng.chance(0.5) ? first.toLowerCase() : `${first} ${last}`.toLowerCase();
  else if (style < 0.94) {
    owner = `${first} ${last}`;
    ownerTitle = lang === 'fr' ? rng.pick(['M.', 'Mme', 'Me']) : rng.pick(['Mr.', 'Mrs.', 'Dr.']);
  } else owner = null;
  if (owner && noAccents) owner = stripAccents(owner);
  return { owner, ownerTitle };
}

/** A French typo: a letter dropped or two letters swapped, in plain words only (never a field). */
function withTypo(rng: Random, text: string): string {
  const words = [...text.matchAll(/\p{L}{5,}/gu)];
  if (words.length === 0) return text;
  const word = rng.pick(words);
  const at = word.index + rng.int(1, word[0].length - 2);
  return rng.chance(0.5)
    ? text.slice(0, at) + text.slice(at + 1)
    : text.slice(0, at) + text[at + 1] + text[at] + text.slice(at + 2);
}

// ---------------------------------------------------------------- one listing

interface Truth {
  REF: string | null;
  PRICE: string | null;
  SURFACE: string | null;
  YEAR: string | null;
  ROOMS: string | null;
  OWNER: string | null;
  PHONE: string | null;
}

interface Sentence {
  pieces: Piece[];
}

function makeListing(rng: Random, lang: Lang): { text: string; spans: Span[]; values: Truth } {
  const noAccents = lang === 'fr' && rng.chance(0.12);
  const town = lang === 'fr' ? rng.pick(FR_TOWNS) : rng.pick(EN_TOWNS);
  const kind = lang === 'fr' ? rng.pick(FR_TYPES) : rng.pick(EN_TYPES);
  const adjective = lang === 'fr' ? rng.pick(FR_ADJ) : rng.pick(EN_ADJ);
  const extras = rng.shuffle(lang === 'fr' ? FR_EXTRAS : EN_EXTRAS).slice(0, rng.int(0, 3));

  // Values first; the text is written from them.
  const rooms = rng.int(1, 10);
  const metric = lang === 'fr' || rng.chance(0.3);
  const surface = metric
    ? rng.chance(0.1)
      ? rng.int(200, 2400) / 10
      : rng.int(18, 30 * rooms + 60)
    : rng.int(40, 400) * 10 + rng.pick([0, 0, 5]) * rng.int(0, 1);
  const currency: Currency =
    lang === 'fr'
      ? rng.chance(0.05)
        ? 'CHF'
        : 'EUR'
      : rng.pick(['USD', 'USD', 'USD', 'GBP', 'EUR', 'CAD'] as const);
  const amount =
    rng.pick([1000, 1000, 500, 5000, 10000]) * rng.int(8, 900) + (rng.chance(0.1) ? rng.int(1, 9) * 100 : 0);
  const year = rng.chance(0.8) ? rng.int(1850, 2024) : null;
  const ref = rng.chance(0.7) ? makeRef(rng) : null;
  const { owner, ownerTitle } = makeOwner(rng, lang, noAccents);
  const british = lang === 'en' && currency === 'GBP';
  const phone =
    lang === 'fr' ? frenchPhone(rng, rng.chance(0.75)) : british ? britishPhone(rng) : americanPhone(rng);
  const agencyPhone = rng.chance(0.35)
    ? lang === 'fr'
      ? frenchPhone(rng, false)
      : british
        ? britishPhone(rng)
        : americanPhone(rng)
    : null;
  const hasRooms = lang === 'fr' ? rng.chance(0.9) : rng.chance(0.55);

  const values: Truth = {
    REF: ref,
    PRICE: `${amount} ${currency}`,
    SURFACE: `${surface} ${metric ? 'm²' : 'ft²'}`,
    YEAR: year === null ? null : String(year),
    ROOMS: hasRooms ? String(rooms) : null,
    OWNER: owner,
    PHONE: phone.display,
  };

  const priceText = formatPrice(rng, amount, currency, lang);
  const surfaceText = formatSurface(rng, surface, metric ? 'm²' : 'ft²', lang);
  const roomsText = formatRooms(rng, rooms, lang);
  const fr = lang === 'fr';

  // Sentences, each a list of pieces; the layout decides how they are joined.
  const sentences: Sentence[] = [];
  const head: Piece[] = [];
  // "Surface : 190 m²" and "Pièces : 4" as lines of their own, with the language's captions.
  const labelledLines = (surfaceCaptions: readonly string[], roomsCaptions: readonly string[]) => {
    sentences.push({ pieces: [rng.pick(surfaceCaptions), f('SURFACE', surfaceText)] });
    if (hasRooms) {
      sentences.push({
        pieces: rng.chance(0.5)
          ? [rng.pick(roomsCaptions), f('ROOMS', String(rooms))]
          : [f('ROOMS', roomsText)],
      });
    }
  };
  // The reference (unless it came first), the owner and phone line, and maybe an agency's number.
  const contactLines = (wording: {
    ownerIntros: readonly string[];
    ownerToPhone: readonly string[];
    phoneIntros: readonly string[];
    agencyLine: (number: string) => string;
  }) => {
    const refPieces = refFirst ? [] : refPiece();
    if (refPieces.length > 0) sentences.push({ pieces: refPieces });
    const contact: Piece[] = [];
    if (owner) {
      contact.push(rng.pick(wording.ownerIntros));
      if (ownerTitle) contact.push(`${ownerTitle} `);
      contact.push(f('OWNER', owner), rng.pick(wording.ownerToPhone), f('PHONE', phone.written));
    } else {
      contact.push(rng.pick(wording.phoneIntros), f('PHONE', phone.written));
    }
    sentences.push({ pieces: contact });
    if (agencyPhone) sentences.push({ pieces: [wording.agencyLine(agencyPhone.written)] });
  };
  const refPiece = (): Piece[] => {
    if (!ref) return [];
    const style = rng.int(0, 5);
    if (fr) {
      if (style === 0) return [f('REF', `Réf.${ref}`)];
      return [
        rng.pick([
          'Réf. ',
          'Réf : ',
          'Ref ',
          'réf. ',
          'Référence : ',
          'Mandat n° ',
          'REF. ',
          'Réf. annonce ',
          'Réf. annonce : ',
          'Référence annonce : ',
          'N° de mandat : ',
          'Mandat ',
          'Annonce n° ',
          'Dossier ',
        ]),
        f('REF', ref),
      ];
    }
    if (style === 0) return ['Listing #', f('REF', ref)];
    return [
      rng.pick([
        'Ref: ',
        'Ref. ',
        'Listing ID: ',
        'MLS # ',
        'Reference: ',
        'Property ID ',
        'REF ',
        'Listing # ',
        'MLS#',
        'Ref no. ',
        'Listing ref: ',
        'Property ref. ',
      ]),
      f('REF', ref),
    ];
  };
  const bedrooms = Math.max(1, rooms - rng.int(1, 2));
  // A header that opens with the reference: "Réf. 12390 — Superbe villa …".
  const refFirst = ref !== null && rng.chance(0.25);
  if (refFirst) head.push(...refPiece(), rng.pick([' — ', ' - ', ' – ', '. ', ' | ', ' : ']));
  // Surface and rooms on their own labelled lines ("Surface habitable : 135 m²", "Rooms: 9").
  const labelled = rng.chance(0.25);
  const secondaryArea = (): string =>
    fr
      ? `${rng.pick(['terrain de', 'parc de', 'jardin de', 'dépendance de', 'sous-sol de', 'garage de', 'cave de', 'grenier de', 'terrasse de'])} ${groupThousands(rng.int(5, 4000), ' ')} ${rng.pick(['m²', 'm2'])}`
      : metric
        ? `${rng.pick(['garden of', 'plot of', 'basement of', 'garage of', 'grounds of'])} ${rng.int(10, 900)} m²`
        : rng.pick([
            `finished basement of ${groupThousands(rng.int(3, 20) * 100, ',')} sq ft`,
            `${groupThousands(rng.int(20, 200) * 100, ',')} sq ft lot`,
            `garage ${rng.int(2, 8) * 100} sq ft`,
            `lot of ${rng.int(1, 30) / 10} acres`,
          ]);
  const distractor = (): string =>
    fr
      ? rng.pick([
          `visites le samedi à ${rng.int(9, 19)}h${rng.pick(['', '', '30'])}`,
          `à ${rng.int(1, 9)},${rng.int(1, 9)} km du centre`,
          `village de ${groupThousands(rng.int(800, 9000), ' ')} habitants`,
          `toiture refaite en ${rng.int(1990, 2024)}`,
          `DPE ${rng.pick(['A', 'B', 'C', 'D', 'E'])} (${rng.int(80, 400)} kWh/m²/an)`,
          `bus n° ${rng.int(1, 99)}`,
          `copropriété de ${rng.int(4, 120)} lots`,
          `libre au ${rng.int(1, 28)}/${String(rng.int(1, 12)).padStart(2, '0')}`,
        ])
      : rng.pick([
          `open house Sat ${rng.int(1, 4)}-${rng.int(5, 7)}pm`,
          `${rng.int(1, 9)}.${rng.int(1, 9)} miles to downtown`,
          `roof replaced ${rng.int(1990, 2024)}`,
          `town of ${groupThousands(rng.int(800, 9000), ',')}`,
          `${rng.int(2, 30)} min to the station`,
          `unit ${rng.int(2, 40)}${rng.pick(['', 'B', 'C'])}`,
          `zoned R-${rng.int(1, 4)}`,
        ]);

  if (fr) {
    const roomsPieces: Piece[] = hasRooms && !labelled ? [', ', f('ROOMS', roomsText)] : [];
    if (labelled) head.push(`${adjective} ${kind}`);
    else if (rng.chance(0.15))
      head.push(
        `Sur un ${secondaryArea()}, ${adjective.toLowerCase()} ${kind} de `,
        f('SURFACE', surfaceText),
        ...roomsPieces,
      );
    else head.push(`${adjective} ${kind} de `, f('SURFACE', surfaceText), ...roomsPieces);
    if (rng.chance(0.5)) head.push(` à ${town[0]}`);
    if (rng.chance(0.3)) head.push(` (${town[1]})`);
    sentences.push({ pieces: head });
    if (labelled) {
      labelledLines(
        ['Surface : ', 'Surface habitable : ', 'Superficie : ', 'Surface '],
        ['Pièces : ', 'Nombre de pièces : '],
      );
    }
    if (year !== null) {
      sentences.push({
        pieces: rng.pick([
          ['Construite en ', f('YEAR', String(year))],
          ['Année de construction : ', f('YEAR', String(year))],
          ['Maison de ', f('YEAR', String(year))],
          ['Bâtie en ', f('YEAR', String(year))],
          [
            'Construction ',
            f('YEAR', String(year)),
            rng.chance(0.4) ? `, rénovée en ${Math.min(2024, year + rng.int(5, 40))}` : '',
          ],
        ] as Piece[][]),
      });
    }
    const details: string[] = [];
    if (rng.chance(0.5)) details.push(`${bedrooms} chambres`);
    if (rng.chance(0.4)) details.push(`${rng.int(1, 8)}e étage`);
    if (rng.chance(0.35)) details.push(`terrain de ${groupThousands(rng.int(200, 5000), ' ')} m²`);
    if (rng.chance(0.2)) details.push(`séjour de ${rng.int(20, 60)} m²`);
    if (rng.chance(0.3)) details.push(secondaryArea());
    if (rng.chance(0.4)) details.push(distractor());
    details.push(...extras);
    if (details.length > 0) sentences.push({ pieces: [capitalize(rng.shuffle(details).join(', '))] });
    sentences.push({
      pieces: [
        rng.pick(['Prix : ', 'Prix ', 'Prix de vente : ', 'A vendre ', '']),
        f('PRICE', priceText),
        rng.pick(['', '', ' FAI', ' honoraires inclus', ' net vendeur']),
      ],
    });
    if (rng.chance(0.3))
      sentences.push({
        pieces: [
          rng.pick([
            `Frais d'agence : ${groupThousands(rng.int(3, 30) * 1000, ' ')} €`,
            `Charges : ${rng.int(50, 400)} €/mois`,
            `Taxe foncière : ${groupThousands(rng.int(600, 3500), ' ')} €`,
          ]),
        ],
      });
    if (rng.chance(0.2))
      sentences.push({
        pieces: [
          `Disponible le ${rng.int(1, 28)}/${String(rng.int(1, 12)).padStart(2, '0')}/${rng.int(2024, 2026)}`,
        ],
      });
    contactLines({
      ownerIntros: [
        'Contact : ',
        'Propriétaire : ',
        'Contactez ',
        'Vendeur : ',
        'Renseignements : ',
        'Appelez ',
      ],
      ownerToPhone: [
        ' ',
        ' - ',
        ', ',
        ' au ',
        ' – tél. ',
        ' Tél : ',
        ' Téléphone ',
        ' Tél. ',
        ', tél : ',
        ' Mobile : ',
        ' ☎ ',
        ', portable ',
      ],
      phoneIntros: ['Tél : ', 'Contact : ', 'Appelez le ', 'Tél. '],
      agencyLine: (number) => `${rng.pick(AGENCIES_FR)} : ${number}`,
    });
  } else {
    const roomsPieces: Piece[] = hasRooms && !labelled ? [f('ROOMS', roomsText), ' '] : [];
    head.push(`${adjective} `, ...roomsPieces, `${kind} in ${town[0]}`);
    if (rng.chance(0.3)) head.push(` ${town[1]}`);
    if (!labelled) {
      head.push(
        rng.pick([', ', ', ', ` with ${bedrooms} bedrooms, `, `, ${bedrooms} bedrooms, `]),
        f('SURFACE', surfaceText),
      );
    }
    sentences.push({ pieces: head });
    if (labelled) {
      labelledLines(
        ['Living area: ', 'Size: ', 'Interior: ', 'Floor area: '],
        ['Rooms: ', 'Number of rooms: ', 'Total rooms: '],
      );
    }
    if (year !== null) {
      sentences.push({
        pieces: rng.pick([
          ['Built in ', f('YEAR', String(year))],
          ['Year built: ', f('YEAR', String(year))],
          ['Built ', f('YEAR', String(year))],
          [
            'Constructed in ',
            f('YEAR', String(year)),
            rng.chance(0.4) ? `, renovated ${Math.min(2024, year + rng.int(5, 40))}` : '',
          ],
        ] as Piece[][]),
      });
    }
    const details: string[] = [];
    if (rng.chance(0.7))
      details.push(
        `${bedrooms} ${rng.pick(['bedrooms', 'bed', 'BR', 'beds'])}, ${rng.int(1, 4)} ${rng.pick(['baths', 'bath', 'bathrooms'])}`,
      );
    if (rng.chance(0.3)) details.push(`${rng.pick(['2nd', '3rd', '4th', '5th'])} floor`);
    if (rng.chance(0.35))
      details.push(
        metric
          ? `garden of ${rng.int(100, 900)} m²`
          : `${groupThousands(rng.int(20, 200) * 100, ',')} sq ft lot`,
      );
    if (rng.chance(0.3)) details.push(secondaryArea());
    if (rng.chance(0.4)) details.push(distractor());
    details.push(...extras);
    if (details.length > 0) sentences.push({ pieces: [capitalize(rng.shuffle(details).join(', '))] });
    sentences.push({
      pieces: [
        rng.pick(['Price: ', 'Asking ', 'Offered at ', 'Listed at ', 'Guide price ', '']),
        f('PRICE', priceText),
      ],
    });
    if (rng.chance(0.3))
      sentences.push({
        pieces: [
          rng.pick([
            `HOA $${rng.int(50, 600)}/month`,
            `Taxes $${groupThousands(rng.int(1500, 12000), ',')} per year`,
            `Buyer's agent fee ${rng.int(1, 3)}%`,
            `Service charge £${groupThousands(rng.int(500, 4000), ',')} per year`,
          ]),
        ],
      });
    if (rng.chance(0.2))
      sentences.push({ pieces: [`Open house ${rng.int(1, 12)}/${rng.int(1, 28)}/${rng.int(2024, 2026)}`] });
    contactLines({
      ownerIntros: ['Contact: ', 'Owner: ', 'Call ', 'Seller: ', 'Contact ', 'Ask for '],
      ownerToPhone: [
        ' ',
        ', ',
        ' at ',
        ' on ',
        ' - ',
        ' | Tel: ',
        ' Phone: ',
        ' Tel. ',
        ' Mobile ',
        ', cell ',
        ' ☎ ',
      ],
      phoneIntros: ['Call ', 'Phone: ', 'Tel: ', 'Contact: '],
      agencyLine: (number) => `${rng.pick(AGENCIES_EN)} office: ${number}`,
    });
  }

  // Layout: one line, a multi-line ad, a bullet list, or a header plus body; the order of the
  // middle sentences varies.
  const [first0, ...rest] = sentences;
  const middle = rng.chance(0.5) ? rng.shuffle(rest.slice(0, -1)) : rest.slice(0, -1);
  const ordered = [first0!, ...middle, rest[rest.length - 1]!];
  const layout = rng.pick(['oneline', 'lines', 'bullets', 'header'] as const);
  const builder = new ListingBuilder();
  // Informal ads are typed in lower case; any ad may carry a typo or two (plain words only).
  const lowerCase = rng.chance(0.06);
  const typoRate = rng.chance(0.3) ? 0.15 : 0;
  const write = (pieces: Piece[]): void => {
    for (const piece of pieces) {
      if (typeof piece !== 'string') {
        builder.field(piece.label, piece.text);
        continue;
      }
      let plain = noAccents ? stripAccents(piece) : piece;
      if (lowerCase) plain = plain.toLowerCase();
      if (rng.chance(typoRate)) plain = withTypo(rng, plain);
      builder.add(plain);
    }
  };
  ordered.forEach((sentence, i) => {
    if (i > 0) {
      builder.add(
        layout === 'oneline'
          ? rng.pick(['. ', '. ', ' - ', ' – '])
          : layout === 'bullets' && i < ordered.length - 1
            ? '\n- '
            : layout === 'header' && i === 1
              ? '\n\n'
              : rng.pick(['.\n', '\n']),
      );
    }
    write(sentence.pieces);
  });
  if (rng.chance(0.5)) builder.add('.');
  let text = builder.text;
  if (layout === 'header' && rng.chance(0.5)) {
    // An all-caps header line changes only text before the first field? Keep offsets: upper-case
    // the first line only when it holds no field span.
    const firstLineEnd = text.indexOf('\n');
    if (firstLineEnd > 0 && !builder.spans.some((s) => s.start < firstLineEnd)) {
      text = text.slice(0, firstLineEnd).toUpperCase() + text.slice(firstLineEnd);
    }
  }
  return { text, spans: builder.spans, values };
}

// ---------------------------------------------------------------- checks and output

/** Whether every span starts and ends on token boundaries of the tagger's tokenizer. */
function alignedOnTokens(text: string, spans: readonly Span[]): boolean {
  const starts = new Set<number>();
  const ends = new Set<number>();
  for (const token of tokenize(text)) {
    starts.add(token.start);
    ends.add(token.end);
  }
  return spans.every((s) => starts.has(s.start) && ends.has(s.end));
}

/**
 * Training records: the listing cut into sentences as the tagger cuts it, consecutive sentences
 * merged where a gold span crosses their boundary.
 */
function trainingRecords(
  id: string,
  text: string,
  spans: readonly Span[],
): Array<{ id: string; text: string; spans: Span[] }> {
  const groups: Array<[number, number]> = [];
  for (const sentence of tokenizeSentences(text)) {
    const last = groups[groups.length - 1];
    const crossing = last && spans.some((s) => s.start < last[1] && s.end > sentence.start);
    if (last && crossing) last[1] = sentence.end;
    else groups.push([sentence.start, sentence.end]);
  }
  return groups.map(([start, end], i) => ({
    id: `${id}-s${i + 1}`,
    text: text.slice(start, end),
    spans: spans
      .filter((s) => s.start >= start && s.end <= end)
      .map((s) => ({ start: s.start - start, end: s.end - start, label: s.label })),
  }));
}

function main(): void {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '7' },
      count: { type: 'string', default: '6000' },
      out: { type: 'string', default: 'gen' },
      handwritten: { type: 'string', default: 'test/fixtures/listings/handwritten.json' },
    },
  });
  const seed = Number(values.seed);
  const count = Number(values.count);
  if (!Number.isInteger(seed) || !Number.isInteger(count) || count < 10) {
    console.error('usage: generate-listings [--seed N] [--count N ≥ 10] [--out DIR]');
    process.exit(2);
  }
  const rng = createRandomDraws(seed);
  const out = values.out!;
  fs.mkdirSync(out, { recursive: true });
  const listings: Array<{ id: string; lang: Lang; text: string; spans: Span[]; values: Truth }> = [];
  let rejected = 0;
  while (listings.length < count) {
    const lang: Lang = rng.chance(0.55) ? 'fr' : 'en';
    const listing = makeListing(rng, lang);
    if (!alignedOnTokens(listing.text, listing.spans)) {
      rejected += 1;
      continue;
    }
    listings.push({ id: `gen-${String(listings.length + 1).padStart(5, '0')}`, lang, ...listing });
  }
  const trainEnd = Math.round(count * 0.8);
  const devEnd = Math.round(count * 0.9);
  const splits = {
    train: listings.slice(0, trainEnd),
    dev: listings.slice(trainEnd, devEnd),
    test: listings.slice(devEnd),
  };
  for (const [name, items] of Object.entries(splits)) {
    const records = items.flatMap((l) => trainingRecords(l.id, l.text, l.spans));
    fs.writeFileSync(
      path.join(out, `${name}.jsonl`),
      records.map((r) => JSON.stringify(r)).join('\n') + '\n',
    );
    fs.writeFileSync(
      path.join(out, `${name}.listings.jsonl`),
      items.map((l) => JSON.stringify(l)).join('\n') + '\n',
    );
    console.log(
      `${name}: ${items.length} listings, ${records.length} records → ${path.join(out, `${name}.jsonl`)}`,
    );
  }
  const handwrittenFile = values.handwritten!;
  if (fs.existsSync(handwrittenFile)) {
    const gold: GoldListing[] = parseHandwrittenListings(
      fs.readFileSync(handwrittenFile, 'utf8'),
      handwrittenFile,
    );
    const records = gold.flatMap((g) => {
      const { id, text, spans } = goldSpanRecord(g);
      return trainingRecords(id, text, spans);
    });
    fs.writeFileSync(
      path.join(out, 'handwritten.jsonl'),
      records.map((r) => JSON.stringify(r)).join('\n') + '\n',
    );
    console.log(
      `handwritten: ${gold.length} listings, ${records.length} records → ${path.join(out, 'handwritten.jsonl')}`,
    );
  }
  console.log(`seed ${seed}; ${rejected} drafts rejected for spans off token boundaries`);
}

main();
