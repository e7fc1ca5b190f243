/**
 * Field normalization: the text of a span (from the tagger or the rule finder) → a typed value
 * and its canonical display. Every normalizer accepts the sloppy forms agents type ("1.270.000
 * EUR", "€1.27M", "350 k€", "m2", "T4", "+33 6 43 43 43 43") and returns null when the text holds
 * no value at all, never throws.
 */
import type { Currency, FieldLabel, Normalized, Phone, Price, Surface, SurfaceUnit } from './fields';

const SPACES = /[\s\u00a0\u202f\u2009]+/g;

/**
 * Reads a number written with any of the usual separators: `1 270 000`, `1.270.000`, `1,270,000`,
 * `1'250'000`, `85,5`, `1.27`. A single separator followed by exactly three digits is a thousands
 * separator unless a multiplier follows (`1.270M` reads as 1.27 million).
 */
export function parseLocaleNumber(written: string, multiplied = false): number | null {
  const compact = written.replace(SPACES, '').replace(/['’]/g, '');
  if (!/^\d[\d.,]*$/.test(compact) || /[.,]$/.test(compact)) return null;
  const lastDot = compact.lastIndexOf('.');
  const lastComma = compact.lastIndexOf(',');
  let plain: string;
  if (lastDot >= 0 && lastComma >= 0) {
    const decimal = lastDot > lastComma ? '.' : ',';
    const thousands = decimal === '.' ? ',' : '.';
    plain = compact.split(thousands).join('').replace(decimal, '.');
  } else if (lastDot >= 0 || lastComma >= 0) {
    const separator = lastDot >= 0 ? '.' : ',';
    const parts = compact.split(separator);
    const isThousands = parts.length > 2 || (parts[1]!.length === 3 && !multiplied && parts[0]!.length <= 3);
    plain = isThousands ? parts.join('') : parts.join('.');
    if (parts.length > 2 && parts.slice(1).some((p) => p.length !== 3)) return null;
  } else {
    plain = compact;
  }
  const value = Number(plain);
  return Number.isFinite(value) ? value : null;
}

/** The first number of a text, with its separators (spaces between groups of three included). */
const NUMBER = /\d{1,3}(?:[ \u00a0\u202f'’](?=\d{3}(?!\d))\d{3})+(?:[.,]\d+)?|\d[\d.,]*\d|\d/;

function firstNumber(text: string): { written: string; index: number } | null {
  const match = NUMBER.exec(text);
  return match ? { written: match[0], index: match.index } : null;
}

const CURRENCIES: Array<[RegExp, Currency]> = [
  [/C\$|\bCAD\b|canadian dollars?/i, 'CAD'],
  [/\bCHF\b|francs? suisses?|swiss francs?/i, 'CHF'],
  [/€|\beur(?:o|os)?\b/i, 'EUR'],
  [/£|\bGBP\b|\bpounds?\b|livres? sterling/i, 'GBP'],
  [/\$|\bUSD\b|\bdollars?\b/i, 'USD'],
];

const MILLION = /^\s*(?:M(?:io|ln|n)?|mio|mln|millions?|m(?=\s*(?:€|\$|£|eur|usd)))(?![a-zé²2])/i;
const THOUSAND = /^\s*(?:k|K|mille)(?![a-zé])/;

/** Prices above this read as typing mistakes (an extra group of zeros), so they carry a warning. */
const IMPLAUSIBLE_PRICE = 1e9;

export function normalizePrice(text: string): Normalized<'PRICE'> | null {
  const number = firstNumber(text);
  if (!number) return null;
  const after = text.slice(number.index + number.written.length);
  const multiplier = MILLION.test(after) ? 1e6 : THOUSAND.test(after) ? 1e3 : 1;
  const parsed = parseLocaleNumber(number.written, multiplier !== 1);
  if (parsed === null) return null;
  const warnings: string[] = [];
  const currency = CURRENCIES.find(([pattern]) => pattern.test(text))?.[1];
  if (!currency) warnings.push('no currency; EUR assumed');
  const amount = Math.round(parsed * multiplier);
  if (amount <= 0) return null;
  if (amount >= IMPLAUSIBLE_PRICE) warnings.push(`implausible amount ${amount}`);
  const value: Price = { amount, currency: currency ?? 'EUR' };
  return { value, display: `${amount} ${value.currency}`, warnings };
}

const FEET =
  /ft\s*[²2]|\bsq\.?\s*f(?:ee)?t\b\.?|\bsqft\b|\bsquare\s*f(?:ee|oo)t(?:age)?\b|\bpieds?\s*carr[ée]s\b/gi;
const METRES =
  /m\s*[²2](?!\d)|\bm[eè]tres?\s*carr[ée]s\b|\bmeters?\s*carr[ée]s\b|\bm\.?\s*carr[ée]s\b|\bsq\.?\s*m\b\.?|\bsqm\b|\bsquare\s*met(?:er|re)s?\b/gi;

export function normalizeSurface(text: string): Normalized<'SURFACE'> | null {
  const number = firstNumber(text);
  if (!number) return null;
  const parsed = parseLocaleNumber(number.written);
  if (parsed === null || parsed <= 0) return null;
  // The unit may come before the number too: "Square footage: 3,200".
  const rest = `${text.slice(0, number.index)} ${text.slice(number.index + number.written.length)}`;
  const feet = rest.match(FEET)?.length ?? 0;
  const metres = rest.match(METRES)?.length ?? 0;
  const warnings: string[] = [];
  let unit: SurfaceUnit;
  if (feet > 0 && metres === 0) unit = 'ft²';
  else if (metres > 0 && feet === 0) unit = 'm²';
  else if (feet === 0) {
    unit = 'm²';
    warnings.push('no unit; m² assumed');
  } else {
    unit = rest.search(FEET) < rest.search(METRES) ? 'ft²' : 'm²';
    warnings.push('both m² and ft² written');
  }
  if (feet + metres > 1) warnings.push('unit written more than once');
  if (parsed > 100_000) warnings.push(`implausible surface ${parsed}`);
  const value: Surface = { value: parsed, unit };
  return { value, display: `${parsed} ${unit}`, warnings };
}

/** Number words up to twelve, English and French, as they appear in "four-room" or "cinq pièces". */
export const NUMBER_WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  un: 1,
  une: 1,
  deux: 2,
  trois: 3,
  quatre: 4,
  cinq: 5,
  sept: 7,
  huit: 8,
  neuf: 9,
  dix: 10,
  onze: 11,
  douze: 12,
};

/** "Pièces : 7", "Nombre de pièces : 6", "Rooms: 9": a caption before the count. */
const ROOMS_CAPTION = /^(?:(?:nombre\s+de\s+pi[eè]ces|number\s+of\s+rooms|pi[eè]ces|rooms)\s*:?\s*)/iu;
const ROOM_NOUN = String.raw`(?:pi[eè]ces?|pieces?|p\.?|pcs\.?|rooms?|roomed)`;
const TYPE_CODE = /^(?:[TF]|type)\s?(\d{1,2})$/iu;
const COUNT_DIGITS = new RegExp(String.raw`^(\d{1,2})(?:[\s-]?${ROOM_NOUN})?$`, 'iu');
const COUNT_WORD = new RegExp(String.raw`^(\p{L}+)([\s-]?${ROOM_NOUN})?$`, 'iu');

/**
 * A number of rooms, from text that says only that: a count (digits, or a number word) with or
 * without a room noun ("4 pièces", "4p", "Trois pièces", "four-room", "7"), a type code ("T4",
 * "F3", "type 2"), "studio", maybe after a caption ("Pièces : 7"). Text with other words ("et
 * une", "4e et") holds no number of rooms, even when a number word is in it.
 */
export function normalizeRooms(text: string): Normalized<'ROOMS'> | null {
  const compact = text
    .replace(SPACES, ' ')
    .trim()
    .replace(ROOMS_CAPTION, '')
    .replace(/[.,;:]$/, '');
  let rooms: number | undefined;
  const typeCode = TYPE_CODE.exec(compact);
  const digits = COUNT_DIGITS.exec(compact);
  const word = COUNT_WORD.exec(compact);
  if (typeCode) rooms = Number(typeCode[1]);
  else if (digits) rooms = Number(digits[1]);
  else if (/^studio$/iu.test(compact)) rooms = 1;
  else if (word) {
    const n = NUMBER_WORDS[word[1]!.toLowerCase()];
    // Alone, "un", "une" and "one" are articles or pronouns far more often than counts.
    if (n !== undefined && (word[2] !== undefined || n > 1)) rooms = n;
  }
  if (rooms === undefined || rooms < 1 || rooms > 50) return null;
  return { value: rooms, display: String(rooms), warnings: [] };
}

export function normalizeYear(text: string): Normalized<'YEAR'> | null {
  // A year stands alone: not inside a longer number, nor glued to a code's letters ("AH1775").
  const match = /(?<![\p{L}\d])(1[5-9]\d\d|20\d\d)(?!\d)/u.exec(text);
  if (!match) return null;
  const year = Number(match[1]);
  const warnings = year > new Date().getFullYear() + 5 ? [`year ${year} is in the future`] : [];
  return { value: year, display: String(year), warnings };
}

function groupPairs(digits: string): string {
  return digits.replace(/(\d\d)(?=\d)/g, '$1 ');
}

export function normalizePhone(text: string): Normalized<'PHONE'> | null {
  // `+33 (0)6 …`: the bracketed trunk zero is not dialled from abroad.
  const cleaned = text.replace(/\(0\)/g, '');
  const plus = /^\s*\+/.test(cleaned.replace(/^[^\d+]*/, ''));
  let digits = cleaned.replace(/\D/g, '');
  if (!plus && digits.startsWith('00')) digits = digits.slice(2);
  const international = plus || /^\s*\D*00/.test(cleaned);
  let phone: Phone | null = null;
  if (international && digits.startsWith('33') && digits.length === 11) {
    phone = frenchPhone(digits.slice(2));
  } else if (international && digits.startsWith('1') && digits.length === 11) {
    phone = americanPhone(digits.slice(1));
  } else if (international && digits.startsWith('44') && (digits.length === 12 || digits.length === 11)) {
    phone = { national: `0${digits.slice(2)}`, e164: `+${digits}`, country: 'GB' };
  } else if (international && digits.length >= 8 && digits.length <= 15) {
    phone = { national: `+${digits}`, e164: `+${digits}`, country: 'other' };
  } else if (!international && digits.length === 10 && digits.startsWith('0')) {
    phone = frenchPhone(digits.slice(1));
  } else if (!international && digits.length === 11 && digits.startsWith('0')) {
    phone = { national: digits, e164: `+44${digits.slice(1)}`, country: 'GB' };
  } else if (!international && digits.length === 10 && /^[2-9]/.test(digits)) {
    phone = americanPhone(digits);
  } else if (!international && digits.length === 11 && digits.startsWith('1')) {
    phone = americanPhone(digits.slice(1));
  }
  if (!phone) return null;
  const display = phone.country === 'FR' || phone.country === 'US' ? phone.national : phone.e164;
  return { value: phone, display, warnings: [] };
}

function frenchPhone(nineDigits: string): Phone {
  return { national: groupPairs(`0${nineDigits}`), e164: `+33${nineDigits}`, country: 'FR' };
}

function americanPhone(tenDigits: string): Phone {
  return {
    national: `(${tenDigits.slice(0, 3)}) ${tenDigits.slice(3, 6)}-${tenDigits.slice(6)}`,
    e164: `+1${tenDigits}`,
    country: 'US',
  };
}

const OWNER_LEAD =
  /^(?:(?:contact|propri[ée]taire|owner|vendeur|seller|agent|contacter|call|appelez|interlocut(?:eur|rice))\s*:?\s*)+/i;
const TITLES =
  /^(?:(?:m\.|mme\.?|mlle\.?|mr\.?|mrs\.?|ms\.?|miss|dr\.?|me\.?|madame|monsieur|mademoiselle|mister)(?:\s+|$))+/i;

export function normalizeOwner(text: string): Normalized<'OWNER'> | null {
  let name = text.replace(SPACES, ' ').trim();
  name = name.replace(OWNER_LEAD, '').replace(TITLES, '');
  name = name.replace(/^[\s,.;:–—-]+|[\s,;:–—-]+$/g, '');
  if (!/\p{L}/u.test(name)) return null;
  const warnings = name.split(' ').length > 5 ? ['unusually long name'] : [];
  return { value: name, display: name, warnings };
}

const REF_LEAD =
  /^(?:(?:r[ée]f(?:[ée]rence)?|reference|ref|mandat|listing(?:\s*id)?|mls|annonce|id|n[°o]|no\.?|num[ée]ro)\b\.?|[#°:.\s–—-])+/i;

export function normalizeRef(text: string): Normalized<'REF'> | null {
  const code = text
    .replace(SPACES, ' ')
    .trim()
    .replace(REF_LEAD, '')
    // A dash or bar after the code is the layout's ("Réf. 12390 — Superbe villa"), not the code's.
    .replace(/(?:[\s.,;:)]|\s[—–\-/|])+$/, '');
  if (!/\d/.test(code) || code.length > 24) return null;
  return { value: code, display: code, warnings: [] };
}

type Normalizer = (text: string) => Normalized<FieldLabel> | null;

export const NORMALIZERS: { [L in FieldLabel]: (text: string) => Normalized<L> | null } = {
  REF: normalizeRef,
  PRICE: normalizePrice,
  SURFACE: normalizeSurface,
  YEAR: normalizeYear,
  ROOMS: normalizeRooms,
  OWNER: normalizeOwner,
  PHONE: normalizePhone,
};

/** Normalizes a span's text as the given field. */
export function normalizeField<L extends FieldLabel>(label: L, text: string): Normalized<L> | null {
  return (NORMALIZERS[label] as Normalizer)(text) as Normalized<L> | null;
}
