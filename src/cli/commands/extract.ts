import { writeFileAtomic } from '../../core/atomic';
import {
  extractListings,
  type ListingRecord,
  readListings,
  recordsToCsv,
  type SpanTagger,
} from '../../core/extract';
import type { CommandSpec } from '../command';
import { loadTaggerForCli } from '../model-input';
import { UsageError, UserError } from '../usage';

type OutputFormat = 'json' | 'csv';

export const extractCommand: CommandSpec = {
  name: 'extract',
  summary: 'extract listing records (reference, price, surface, year, rooms, owner, phone) from files',
  usage:
    'spanlight extract [--model DIR] [--format json|csv] [--out FILE] [--no-rules] FILE|FOLDER…\n' +
    '       (a text file is one listing; a .jsonl file has one {"text"} per line; folders are read recursively)',
  options: {
    model: {
      type: 'string',
      value: 'DIR',
      help: 'a listing model to find the fields with',
      defaultText: 'none: the rules alone',
    },
    format: {
      type: 'string',
      value: 'json|csv',
      help: 'output format',
      defaultText: 'csv when --out ends in .csv, else json',
    },
    out: { type: 'string', value: 'FILE', help: 'write the records to FILE', defaultText: 'standard output' },
    'no-rules': { type: 'boolean', help: 'use the model’s spans only, not the extraction rules' },
  },
  async run({ values, positionals, out, err }) {
    const outFile = typeof values.out === 'string' ? values.out : undefined;
    const format = (values.format ??
      (outFile?.toLowerCase().endsWith('.csv') ? 'csv' : 'json')) as OutputFormat;
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
        await writeFileAtomic(values.out, text);
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
