import fs from 'node:fs';
import path from 'node:path';
import type { Listing } from './batch';
import { FIELD_LABELS, type ListingRecord } from './fields';

/** A listing file that cannot be read, with `file:line` where it helps. */
export class ListingInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ListingInputError';
  }
}

const LISTING_EXTENSIONS = new Set(['.txt', '.md', '.text', '.jsonl']);

/** Files of a folder (recursively, sorted) that hold listings. */
function filesUnder(folder: string): string[] {
  return fs
    .readdirSync(folder, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) return filesUnder(full);
      return LISTING_EXTENSIONS.has(path.extname(entry.name).toLowerCase()) ? [full] : [];
    });
}

/**
 * Listings from files: a text file is one listing (its id is the path); a `.jsonl` file holds one
 * listing per line as `{"text", "id"?}` (the id defaults to `file:line`).
 */
export function readListings(inputs: readonly string[]): Listing[] {
  const listings: Listing[] = [];
  for (const input of inputs) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(input);
    } catch (err) {
      throw new ListingInputError(
        `${input}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    }
    const files = stat.isDirectory() ? filesUnder(input) : [input];
    if (stat.isDirectory() && files.length === 0) {
      throw new ListingInputError(`${input}: no listing files (.txt, .md, .jsonl) in this folder`);
    }
    for (const file of files) {
      const content = fs.readFileSync(file, 'utf8');
      if (path.extname(file).toLowerCase() !== '.jsonl') {
        listings.push({ id: file, text: content });
        continue;
      }
      content.split('\n').forEach((line, i) => {
        if (line.trim() === '') return;
        let record: { text?: unknown; id?: unknown };
        try {
          record = JSON.parse(line);
        } catch (err) {
          throw new ListingInputError(`${file}:${i + 1}: invalid JSON (${(err as Error).message})`);
        }
        if (typeof record.text !== 'string')
          throw new ListingInputError(`${file}:${i + 1}: a listing needs a "text" string`);
        const id =
          typeof record.id === 'string' || typeof record.id === 'number'
            ? String(record.id)
            : `${file}:${i + 1}`;
        listings.push({ id, text: record.text });
      });
    }
  }
  return listings;
}

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One row per listing: id, then each field's value, confidence and source. */
export function recordsToCsv(records: readonly ListingRecord[]): string {
  const header = ['id', ...FIELD_LABELS.flatMap((l) => [l, `${l}_confidence`, `${l}_source`])];
  const rows = records.map((record) => [
    record.id,
    ...FIELD_LABELS.flatMap((label) => {
      const field = record.fields[label];
      return field ? [field.display, Number(field.confidence.toFixed(3)), field.source] : [null, null, null];
    }),
  ]);
  return `${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n')}\n`;
}
