import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { extractCommand } from '../../../src/cli/commands/extract';
import { parseCorpus } from '../../../src/core/corpus/read';
import {
  evaluateExtraction,
  extractListings,
  FIELD_LABELS,
  type ListingRecord,
  parseGoldJsonl,
  readListings,
  recordsToCsv,
} from '../../../src/core/extract';
import { assertGoldSpansNormalize } from './helpers';

const root = path.resolve(__dirname, '../../..');

function generate(seed: number, count: number): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-listings-'));
  execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'scripts/generate-listings.ts',
      '--seed',
      String(seed),
      '--count',
      String(count),
      '--out',
      out,
    ],
    { cwd: root, stdio: 'pipe' },
  );
  return out;
}

const corpus = generate(11, 400);

test('the generator is reproducible from its seed', () => {
  const again = generate(11, 400);
  const other = generate(12, 400);
  for (const name of ['train.jsonl', 'dev.jsonl', 'test.listings.jsonl']) {
    assert.equal(
      fs.readFileSync(path.join(again, name), 'utf8'),
      fs.readFileSync(path.join(corpus, name), 'utf8'),
      name,
    );
  }
  assert.notEqual(
    fs.readFileSync(path.join(other, 'train.jsonl'), 'utf8'),
    fs.readFileSync(path.join(corpus, 'train.jsonl'), 'utf8'),
  );
});

test('generated splits read as JSONL spans with the seven labels and no problems', () => {
  const sizes: Record<string, number> = {};
  for (const split of ['train', 'dev', 'test', 'handwritten']) {
    const file = path.join(corpus, `${split}.jsonl`);
    const result = parseCorpus(fs.readFileSync(file, 'utf8'), { format: 'jsonl', path: file });
    assert.deepEqual(result.problems, [], split);
    sizes[split] = result.sentences.length;
    if (split === 'train') {
      const labels = new Set(
        result.sentences.flatMap((s) => s.tags.filter((t) => t !== 'O').map((t) => t.slice(2))),
      );
      assert.deepEqual([...labels].sort(), [...FIELD_LABELS].sort());
    }
  }
  const listings = (split: string) =>
    fs
      .readFileSync(path.join(corpus, `${split}.listings.jsonl`), 'utf8')
      .trim()
      .split('\n').length;
  assert.deepEqual([listings('train'), listings('dev'), listings('test')], [320, 40, 40]);
  assert.ok(sizes.train! > 320, 'listings are cut into sentence records');
});

test('generated gold values agree with the normalizers, span by span', () => {
  const file = path.join(corpus, 'test.listings.jsonl');
  const gold = parseGoldJsonl(fs.readFileSync(file, 'utf8'), file);
  assert.ok(assertGoldSpansNormalize(gold) > 200);
  const records = extractListings(gold.map((g) => ({ id: g.id, text: g.text })));
  assert.ok(evaluateExtraction(records, gold).overall.accuracy > 0.9);
});

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { parseArgs } = await import('node:util');
  const parsed = parseArgs({ args, options: extractCommand.options, allowPositionals: true, strict: true });
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on('data', (c: Buffer) => chunks.out.push(c));
  err.on('data', (c: Buffer) => chunks.err.push(c));
  const code = await extractCommand.run({ values: parsed.values, positionals: parsed.positionals, out, err });
  return { code, out: Buffer.concat(chunks.out).toString(), err: Buffer.concat(chunks.err).toString() };
}

test('extract: a folder of text files to JSON, and a JSONL file to CSV', async () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-extract-'));
  fs.mkdirSync(path.join(folder, 'sub'));
  fs.writeFileSync(
    path.join(folder, 'a.txt'),
    'Réf. 12390 — villa de 190 m², 4 pièces. Prix : 1 270 000 €. Contact : Mimi LASOURIS 06.43.43.43.43',
  );
  fs.writeFileSync(path.join(folder, 'sub', 'b.txt'), 'Price: $450,000. Owner: John Smith, (555) 123-4567');
  fs.writeFileSync(path.join(folder, 'notes.pdf'), 'not a listing');
  const json = await run(folder);
  assert.equal(json.code, 0);
  const records = JSON.parse(json.out) as ListingRecord[];
  assert.deepEqual(
    records.map((r) => path.relative(folder, r.id)),
    ['a.txt', path.join('sub', 'b.txt')],
  );
  assert.equal(records[0]!.fields.PRICE!.display, '1270000 EUR');
  assert.equal(records[1]!.fields.OWNER!.display, 'John Smith');

  const jsonl = path.join(folder, 'listings.jsonl');
  fs.writeFileSync(
    jsonl,
    `${JSON.stringify({ id: 'q1', text: 'Studio, 24 m², 99 000 €, "vue" (Paris)' })}\n\n${JSON.stringify({ text: 'T3 de 60 m2' })}\n`,
  );
  const csv = await run('--format', 'csv', jsonl);
  const lines = csv.out.trim().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /^id,REF,REF_confidence,REF_source,PRICE,/);
  assert.match(lines[1]!, /^q1,,,,99000 EUR,[\d.]+,rules,24 m²,/);
  assert.match(lines[2]!, new RegExp(`^${jsonl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3,`));
});

test('extract: CSV cells with commas, quotes and newlines are quoted', () => {
  const csv = recordsToCsv([
    {
      id: 'a,"b"\nc',
      fields: Object.fromEntries(FIELD_LABELS.map((l) => [l, null])) as ListingRecord['fields'],
    },
  ]);
  assert.equal(csv.split('\n')[1], '"a,""b""');
});

test('extract: user errors name the file and line', async () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-extract-'));
  const bad = path.join(folder, 'bad.jsonl');
  fs.writeFileSync(bad, '{"text": "ok"}\n{"text": 3}\n');
  assert.throws(
    () => readListings([bad]),
    new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: a listing needs a "text" string`),
  );
  assert.throws(
    () => readListings([path.join(folder, 'missing.txt')]),
    /missing\.txt: cannot read \(ENOENT\)/,
  );
  assert.throws(
    () => readListings([fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-empty-'))]),
    /no listing files/,
  );
  await assert.rejects(run('--format', 'xml', bad), /--format must be json or csv/);
  await assert.rejects(run('--no-rules', bad), /--no-rules needs --model/);
});
