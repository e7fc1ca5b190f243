import fs from 'node:fs';
import path from 'node:path';
import {
  extractListings,
  FIELD_LABELS,
  type Listing,
  type ListingRecord,
  type SpanTagger,
} from '../../core/extract';
import type { CommandSpec } from '../command';
import { loadTaggerForCli } from '../model-input';
import { UsageError, UserError } from '../usage';

type OutputFormat = 'json' | 'csv';

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
      throw new UserError(
        `${input}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    }
    const files = stat.isDirectory() ? filesUnder(input) : [input];
    if (stat.isDirectory() && files.length === 0) {
      throw new UserError(`${input}: no listing files (.txt, .md, .jsonl) in this folder`);
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
          throw new UserError(`${file}:${i + 1}: invalid JSON (${(err as Error).message})`);
        }
        if (typeof record.text !== 'string')
          throw new UserError(`${file}:${i + 1}: a listing needs a "text" string`);
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

export const extractCommand: CommandSpec = {
  name: 'extract',
  summary: 'extract listing records (reference, price, surface, year, rooms, owner, phone) from files',
  usage:
    'spanlight extract [--model DIR] [--format json|csv] [--out FILE] [--no-rules] FILE|FOLDER…\n' +
    '       (a text file is one listing; a .jsonl file has one {"text"} per line; folders are read recursively)',
  options: {
    model: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    'no-rules': { type: 'boolean' },
  },
  async run({ values, positionals, out, err }) {
    const format = (values.format ?? 'json') as OutputFormat;
    if (format !== 'json' && format !== 'csv') throw new UsageError('--format must be json or csv');
    if (positionals.length === 0) throw new UsageError('give one or more listing files or folders');
    if (values['no-rules'] && typeof values.model !== 'string') {
      throw new UsageError('--no-rules needs --model (without both there is nothing to extract with)');
    }
    const listings = readListings(positionals);
    const tagger = typeof values.model === 'string' ? await loadTaggerForCli(values.model) : null;
    let records: ListingRecord[];
    try {
      records = extractListings(listings, tagger as SpanTagger | null, { rules: !values['no-rules'] });
    } finally {
      tagger?.dispose();
    }
    const text = format === 'csv' ? recordsToCsv(records) : `${JSON.stringify(records, null, 2)}\n`;
    if (typeof values.out === 'string') {
      try {
        fs.writeFileSync(values.out, text);
      } catch (e) {
        throw new UserError(
          `${values.out}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        );
      }
      err.write(`${records.length} listing(s) → ${values.out}\n`);
    } else {
      out.write(text);
    }
    return 0;
  },
};
