/**
 * The seven template fields of a property listing, their normalized value types, and the shape
 * of an extracted record. A field's `display` string is its canonical form: two values are the
 * same field value exactly when their displays are equal (this is what evaluation compares).
 */
import type { Span } from '../types';

export const FIELD_LABELS = ['REF', 'PRICE', 'SURFACE', 'YEAR', 'ROOMS', 'OWNER', 'PHONE'] as const;
export type FieldLabel = (typeof FIELD_LABELS)[number];

export const FIELD_NAMES: Record<FieldLabel, string> = {
  REF: 'Reference',
  PRICE: 'Price',
  SURFACE: 'Surface',
  YEAR: 'Year built',
  ROOMS: 'Rooms',
  OWNER: 'Owner',
  PHONE: 'Telephone',
};

/** What a value of each field is, in a sentence: "“et une” is not a number of rooms". */
export const FIELD_KINDS: Record<FieldLabel, string> = {
  REF: 'reference',
  PRICE: 'price',
  SURFACE: 'surface',
  YEAR: 'year',
  ROOMS: 'number of rooms',
  OWNER: 'name',
  PHONE: 'telephone number',
};

/** How each field's canonical value is written: why a typed value may be shown otherwise. */
export const FIELD_FORMS: Record<FieldLabel, string> = {
  REF: 'a reference is its code, without “Réf.”, “No.” or “#”',
  PRICE: 'a price is written as its amount and currency code',
  SURFACE: 'a surface is written as its number and m² or ft²',
  YEAR: 'a year built is its four digits',
  ROOMS: 'rooms are counted as a number',
  OWNER: 'an owner is named without a title (M., Mme, Mr, Dr …) or a “Contact:” label',
  PHONE: 'a telephone number is written as it is dialled at home, in groups',
};

export type Currency = 'EUR' | 'USD' | 'GBP' | 'CHF' | 'CAD';
export type SurfaceUnit = 'm²' | 'ft²';

export interface Price {
  amount: number;
  currency: Currency;
}

export interface Surface {
  value: number;
  unit: SurfaceUnit;
}

export interface Phone {
  /** The number as written at home: `06 43 43 43 43`, `(555) 123-4567`; E.164 for other countries. */
  national: string;
  /** `+33643434343`. */
  e164: string;
  country: 'FR' | 'US' | 'GB' | 'other';
}

/** The normalized value type of each field. */
export interface FieldValues {
  REF: string;
  PRICE: Price;
  SURFACE: Surface;
  YEAR: number;
  ROOMS: number;
  OWNER: string;
  PHONE: Phone;
}

/** What a normalizer makes of a span's text. */
export interface Normalized<L extends FieldLabel> {
  value: FieldValues[L];
  /** Canonical form: `1270000 EUR`, `190 m²`, `2005`, `4`, `06 43 43 43 43`. */
  display: string;
  /** Oddities that did not prevent a value (an implausible amount, a repeated unit). */
  warnings: string[];
}

export type CandidateSource = 'model' | 'rules';

/** A span of the listing that may hold a field's value. */
export interface Candidate extends Span {
  label: FieldLabel;
  text: string;
  /** Model: mean token probability. Rules: a 0–1 score from the pattern and its context. */
  confidence: number;
  source: CandidateSource;
  /** Rules only: the sum of the context cues' weights (negative: the words around say distractor). */
  context?: number;
}

/** A field value with every span that gave it. */
export interface FieldChoice<L extends FieldLabel = FieldLabel> {
  value: FieldValues[L];
  display: string;
  /** The spans that read as this value, best first. */
  spans: Array<Span & { text: string; source: CandidateSource; confidence: number }>;
  confidence: number;
  /** Where the best span came from: the tagger, or the rule-based candidate finder. */
  source: CandidateSource;
  warnings: string[];
}

export interface ExtractedField<L extends FieldLabel = FieldLabel> extends FieldChoice<L> {
  label: L;
  /** Other values found for this field, best first. */
  alternatives: FieldChoice<L>[];
}

export type ListingFields = { [L in FieldLabel]: ExtractedField<L> | null };

export interface ListingRecord {
  id: string;
  fields: ListingFields;
}

export function isFieldLabel(label: string): label is FieldLabel {
  return (FIELD_LABELS as readonly string[]).includes(label);
}
