/**
 * Gold listings: a text, the canonical value of each field (null when the listing does not state
 * it) and the gold spans. Hand-written sets give spans by their text (found at the first
 * occurrence that starts and ends on token boundaries, or at occurrence `nth`); generated sets
 * give offsets. Both read into the same `GoldListing`.
 */
import { tokenize } from '../tokens';
import type { Span } from '../types';
import { FIELD_LABELS, type FieldLabel, isFieldLabel } from './fields';

export interface GoldField {
  value: string;
  spans: Span[];
}

export interface GoldListing {
  id: string;
  lang?: string;
  text: string;
  fields: Record<FieldLabel, GoldField | null>;
}

type SpanRef = string | { text: string; nth?: number };

interface HandwrittenListing {
  id?: unknown;
  lang?: unknown;
  lines?: unknown;
  text?: unknown;
  fields?: unknown;
}

/** Thrown with every problem of a gold file, each as `file: listing id: what is wrong`. */
export class GoldFileError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'GoldFileError';
  }
}

/** Offsets of the `nth` occurrence of `needle` in `text` that starts and ends on token boundaries. */
export function locateOnTokens(text: string, needle: string, nth = 1): Span | null {
  const starts = new Set<number>();
  const ends = new Set<number>();
  for (const token of tokenize(text)) {
    starts.add(token.start);
    ends.add(token.end);
  }
  let seen = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
    if (!starts.has(at) || !ends.has(at + needle.length)) continue;
    seen += 1;
    if (seen === nth) return { start: at, end: at + needle.length, label: '' };
  }
  return null;
}

/** Reads the hand-written JSON format (`{"listings": [{id, lang, lines | text, fields}]}`). */
export function parseHandwrittenListings(json: string, file: string): GoldListing[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new GoldFileError([`${file}: invalid JSON: ${(err as Error).message}`]);
  }
  const listings = (parsed as { listings?: unknown })?.listings;
  if (!Array.isArray(listings)) throw new GoldFileError([`${file}: expected {"listings": [...]}`]);
  const problems: string[] = [];
  const result: GoldListing[] = [];
  listings.forEach((raw: HandwrittenListing, index) => {
    const id = typeof raw.id === 'string' ? raw.id : `#${index + 1}`;
    const where = `${file}: listing ${id}`;
    const text = Array.isArray(raw.lines)
      ? raw.lines.join('\n')
      : typeof raw.text === 'string'
        ? raw.text
        : null;
    if (text === null) {
      problems.push(`${where}: needs "lines" (array of strings) or "text"`);
      return;
    }
    const rawFields = (raw.fields ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(rawFields)) {
      if (!isFieldLabel(key)) problems.push(`${where}: unknown field "${key}"`);
    }
    const fields = {} as Record<FieldLabel, GoldField | null>;
    for (const label of FIELD_LABELS) {
      const field = rawFields[label] as { value?: unknown; spans?: unknown } | null | undefined;
      if (field === null || field === undefined) {
        fields[label] = null;
        continue;
      }
      if (typeof field.value !== 'string' || !Array.isArray(field.spans) || field.spans.length === 0) {
        problems.push(`${where}: ${label} needs a string "value" and a non-empty "spans" array`);
        fields[label] = null;
        continue;
      }
      const spans: Span[] = [];
      for (const ref of field.spans as SpanRef[]) {
        const needle = typeof ref === 'string' ? ref : ref.text;
        const nth = typeof ref === 'string' ? 1 : (ref.nth ?? 1);
        const span = locateOnTokens(text, needle, nth);
        if (span) spans.push({ ...span, label });
        else
          problems.push(
            `${where}: ${label} span ${JSON.stringify(needle)} is not on token boundaries in the text`,
          );
      }
      fields[label] = { value: field.value, spans };
    }
    const lang = typeof raw.lang === 'string' ? { lang: raw.lang } : {};
    result.push({ id, ...lang, text, fields });
  });
  if (problems.length > 0) throw new GoldFileError(problems);
  return result;
}

/**
 * Reads a JSONL file of generated gold listings, one per line:
 * `{"id", "lang", "text", "spans": [{start, end, label}], "values": {"PRICE": "1270000 EUR", …}}`.
 */
export function parseGoldJsonl(jsonl: string, file: string): GoldListing[] {
  const problems: string[] = [];
  const result: GoldListing[] = [];
  jsonl.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `${file}:${index + 1}`;
    let record: { id?: unknown; lang?: unknown; text?: unknown; spans?: unknown; values?: unknown };
    try {
      record = JSON.parse(line);
    } catch (err) {
      problems.push(`${where}: invalid JSON: ${(err as Error).message}`);
      return;
    }
    if (typeof record.text !== 'string' || !Array.isArray(record.spans)) {
      problems.push(`${where}: needs "text" and "spans"`);
      return;
    }
    const values = (record.values ?? {}) as Record<string, unknown>;
    const spans = record.spans as Span[];
    const fields = {} as Record<FieldLabel, GoldField | null>;
    for (const label of FIELD_LABELS) {
      const value = values[label];
      fields[label] =
        typeof value === 'string' ? { value, spans: spans.filter((s) => s.label === label) } : null;
    }
    const lang = typeof record.lang === 'string' ? { lang: record.lang } : {};
    result.push({ id: String(record.id ?? `${file}:${index + 1}`), ...lang, text: record.text, fields });
  });
  if (problems.length > 0) throw new GoldFileError(problems);
  return result;
}

/** A gold listing as a JSONL spans record (`{"id", "text", "spans"}`) the corpus readers take. */
export function goldSpanRecord(listing: GoldListing): { id: string; text: string; spans: Span[] } {
  const spans = FIELD_LABELS.flatMap((label) => listing.fields[label]?.spans ?? []).sort(
    (a, b) => a.start - b.start,
  );
  return { id: listing.id, text: listing.text, spans };
}
