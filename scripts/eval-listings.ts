#!/usr/bin/env -S npx tsx
/**
 * Field-level exact match of listing extraction on a gold set, per field.
 *
 *   npx tsx scripts/eval-listings.ts [--model DIR] [--gold FILE] [--no-rules] [--json]
 *
 * --gold defaults to the hand-written set test/fixtures/listings/handwritten.json; a `.jsonl` gold
 * file is read as generated listings (OUT/test.listings.jsonl of scripts/generate-listings.ts).
 * Without --model the rules alone extract; with it, the model's spans come first.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import {
  evaluateExtraction,
  extractListings,
  formatExtractionEvaluation,
  type GoldListing,
  parseGoldJsonl,
  parseHandwrittenListings,
} from '../src/core/extract';
import { Tagger } from '../src/core/model/tagger';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      gold: { type: 'string', default: 'test/fixtures/listings/handwritten.json' },
      'no-rules': { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const goldFile = values.gold!;
  const content = fs.readFileSync(goldFile, 'utf8');
  const gold: GoldListing[] = goldFile.endsWith('.jsonl')
    ? parseGoldJsonl(content, goldFile)
    : parseHandwrittenListings(content, goldFile);
  const tagger = values.model ? await Tagger.load(values.model) : null;
  const started = performance.now();
  const records = extractListings(
    gold.map((g) => ({ id: g.id, text: g.text })),
    tagger,
    { rules: !values['no-rules'] },
  );
  const seconds = (performance.now() - started) / 1000;
  tagger?.dispose();
  const evaluation = evaluateExtraction(records, gold);
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ gold: goldFile, model: values.model ?? null, seconds, ...evaluation }, null, 2)}\n`,
    );
    return;
  }
  const source = values.model
    ? `model ${values.model}${values['no-rules'] ? ' only' : ' + rules'}`
    : 'rules only';
  process.stdout.write(`${goldFile}: ${gold.length} listings, ${source}, ${seconds.toFixed(2)} s\n\n`);
  process.stdout.write(formatExtractionEvaluation(evaluation));
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exitCode = 1;
});
