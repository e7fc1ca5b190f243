import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { main } from '../../../src/cli/spanlight';
import { DATA_DIR } from '../data';

const data = DATA_DIR;

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on('data', (c: Buffer) => chunks.out.push(c));
  err.on('data', (c: Buffer) => chunks.err.push(c));
  const code = await main(args, out, err);
  return { code, out: Buffer.concat(chunks.out).toString(), err: Buffer.concat(chunks.err).toString() };
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-cli-'));
}

test('stats on EWT train reports the README counts and all 17 UPOS counts', async () => {
  const { code, out } = await cli('stats', '--json', path.join(data, 'ud-en-ewt/en_ewt-ud-train.conllu'));
  assert.equal(code, 0);
  const stats = JSON.parse(out);
  assert.equal(stats.sentences, 12_544);
  assert.equal(stats.tokens, 204_577);
  assert.equal(stats.scheme, 'none');
  assert.deepEqual(stats.labels, {
    NOUN: 34_751,
    PUNCT: 23_596,
    VERB: 22_576,
    PRON: 18_677,
    ADP: 17_742,
    DET: 16_299,
    ADJ: 13_137,
    AUX: 12_815,
    PROPN: 12_620,
    ADV: 10_167,
    CCONJ: 6_687,
    PART: 5_748,
    NUM: 4_126,
    SCONJ: 3_819,
    SYM: 722,
    INTJ: 695,
    X: 400,
  });
});

test('stats on WNUT-17 train finds IOB2 and the entity counts per type', async () => {
  const { code, out } = await cli('stats', '--json', path.join(data, 'wnut17/wnut17train.conll'));
  assert.equal(code, 0);
  const stats = JSON.parse(out);
  assert.equal(stats.sentences, 3_394);
  assert.equal(stats.tokens, 62_730);
  assert.equal(stats.scheme, 'IOB2');
  assert.equal(stats.repairs, 0);
  assert.deepEqual(stats.entities, {
    person: 660,
    location: 548,
    group: 264,
    corporation: 221,
    product: 142,
    'creative-work': 140,
  });
});

test('stats reports file:line problems and exits 1', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'bad.conll');
  fs.writeFileSync(file, 'Paris\tB-LOC\nis\tO\n\nnot-enough-columns\n');
  const { code, err } = await cli('stats', file);
  assert.equal(code, 1);
  assert.match(err, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: `));
});

test('convert to BIOES JSONL and back to CoNLL IOB2 keeps every entity (eval 100%)', async () => {
  const dir = tempDir();
  const gold = path.join(data, 'wnut17/emerging.dev.conll');
  const jsonl = path.join(dir, 'dev.jsonl');
  const back = path.join(dir, 'dev.conll');
  assert.equal((await cli('convert', '--to', 'jsonl', '--scheme', 'BIOES', gold, jsonl)).code, 0);
  assert.equal((await cli('convert', '--to', 'conll', '--scheme', 'IOB2', jsonl, back)).code, 0);
  const { code, out } = await cli('eval', '--gold', gold, '--pred', back, '--json');
  assert.equal(code, 0);
  const report = JSON.parse(out);
  assert.equal(report.kind, 'chunks');
  assert.equal(report.spans.foundCorrect, 836);
  assert.equal(report.spans.correctChunk, 836);
});

test('eval scores a corrupted prediction below 100% with conlleval semantics', async () => {
  const dir = tempDir();
  const gold = path.join(data, 'wnut17/emerging.dev.conll');
  const pred = path.join(dir, 'pred.conll');
  // Every B-person becomes B-location: exactly the person chunks turn wrong.
  fs.writeFileSync(pred, fs.readFileSync(gold, 'utf8').replace(/\tB-person$/gm, '\tB-location'));
  const { out } = await cli('eval', '--gold', gold, '--pred', pred, '--json');
  const report = JSON.parse(out);
  assert.equal(report.spans.perLabel.person.recall, 0);
  assert.equal(report.spans.correctChunk, 836 - 470);
});

test('usage errors exit 2 and say what is wrong', async () => {
  assert.equal((await cli()).code, 2);
  assert.equal((await cli('frobnicate')).code, 2);
  const noArgs = await cli('convert', 'only-one');
  assert.equal(noArgs.code, 2);
  assert.match(noArgs.err, /exactly one input and one output/);
  const badFormat = await cli('stats', '--format', 'xml', 'x');
  assert.equal(badFormat.code, 2);
  const missing = await cli('stats', path.join(tempDir(), 'missing.conll'));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /cannot read \(ENOENT\)/);
});

test('--version, a help per command with every option and its default, and one clear line for a bad option', async () => {
  const version = await cli('--version');
  const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8'));
  assert.equal(version.out, `spanlight ${pkg.version}\n`);
  const help = await cli('train', '--help');
  assert.equal(help.code, 0);
  for (const option of [
    '--train FILE…',
    '--dev FILE…',
    '--init-from DIR',
    '--optimizer adam|sgd',
    '--preset NAME',
  ])
    assert.ok(help.out.includes(option), `train --help lists ${option}`);
  assert.match(
    help.out,
    /--min-epochs N\s+early stopping never ends a run before this many epochs\s+\(default:\s/,
  );
  assert.match(help.out, /--dev FILE…\s+dev corpus: .*\(default:\s+none: no early stopping/s);
  const unknown = await cli('train', '--epoch', '3');
  assert.equal(unknown.code, 2);
  assert.equal(
    unknown.err,
    "spanlight train: unknown option --epoch (did you mean --epochs?); run 'spanlight train --help' for its options\n",
  );
  const missing = await cli('tag', '--model');
  assert.equal(missing.err.split('\n').filter(Boolean).length, 1);
  assert.match(missing.err, /--model needs a value \(DIR\)/);
});

test('stats calls CoNLL-2003-style IOB1 with a few stray B- tags IOB1, not IOB2 with thousands of repairs', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'iob1.conll');
  const wikigold = fs.readFileSync(path.join(data, 'wikigold/wikigold.conll.txt'), 'utf8');
  // Two annotation slips of the kind CoNLL-2003 has: a B- after O.
  fs.writeFileSync(file, `${wikigold}\nParis I-LOC\nand O\nLyon B-LOC\n\nthe O\nB-LOC B-LOC\n`);
  const { out } = await cli('stats', '--json', file);
  const stats = JSON.parse(out);
  assert.equal(stats.scheme, 'IOB1');
  assert.ok(stats.repairs <= 2, `${stats.repairs} repairs`);
});

test('eval MODEL CORPUS on an IOB1 corpus scores the model in the corpus’s scheme; --map-labels renames types', async () => {
  const dir = tempDir();
  const corpus = path.join(dir, 'iob1.conll');
  // Wikigold's first 300 sentences (IOB1, with MISC) against the shipped en-ner (IOB2, no MISC).
  const blocks = fs.readFileSync(path.join(data, 'wikigold/wikigold.conll.txt'), 'utf8').split(/\n\s*\n/);
  fs.writeFileSync(corpus, `${blocks.slice(0, 300).join('\n\n')}\n`);
  const model = path.resolve(__dirname, '../../../models/en-ner');
  const { code, out } = await cli('eval', model, corpus, '--map-labels', 'MISC=O', '--json');
  assert.equal(code, 0);
  const report = JSON.parse(out);
  assert.equal(report.spans.perLabel.MISC, undefined, 'MISC was mapped away');
  // The same predictions written out and scored as files agree with it: token accuracy counts
  // tags in the gold scheme, so an entity start is not an error just for being B- instead of I-.
  const pred = path.join(dir, 'pred.conll');
  assert.equal((await cli('tag', '--model', model, '--out', pred, '--to', 'conll', corpus)).code, 0);
  const files = JSON.parse(
    (await cli('eval', '--gold', corpus, '--pred', pred, '--map-labels', 'MISC=O', '--json')).out,
  );
  assert.equal(files.accuracy, report.accuracy);
  assert.equal(files.spans.correctChunk, report.spans.correctChunk);
  const entityTokens = 1 - report.perTag?.O?.gold / report.tokens;
  assert.ok(report.accuracy > 0.9, `token accuracy ${report.accuracy} (${entityTokens})`);
});

test('tag on a CoNLL file keeps its tokens (a -DOCSTART- line is not text) and writes aligned CoNLL', async () => {
  const dir = tempDir();
  const corpus = path.join(dir, 'in.conll');
  fs.writeFileSync(corpus, '-DOCSTART- O\n\nAngela B-PER\nMerkel I-PER\nvisited O\nParis B-LOC\n.\tO\n');
  const model = path.resolve(__dirname, '../../../models/en-ner');
  const { code, out } = await cli('tag', '--model', model, corpus);
  assert.equal(code, 0);
  const rows = out
    .trim()
    .split('\n')
    .map((line) => line.split('\t'));
  assert.deepEqual(
    rows.map((r) => r[0]),
    ['Angela', 'Merkel', 'visited', 'Paris', '.'],
  );
  assert.deepEqual(
    rows.map((r) => r[1]),
    ['B-PER', 'I-PER', 'O', 'B-LOC', 'O'],
  );
  const inline = await cli('tag', '--model', model, '--to', 'inline', corpus);
  assert.equal(inline.out, '[Angela Merkel]PER visited [Paris]LOC .\n');
});

/** The environment as a user's shell has it: the test runner's TF_CPP_MIN_LOG_LEVEL removed. */
function withoutTensorflowLogLevel(): NodeJS.ProcessEnv {
  const { TF_CPP_MIN_LOG_LEVEL: _level, ...env } = process.env;
  return env;
}

test('TensorFlow’s load-time log lines are filtered from stderr; everything else passes in order', async () => {
  const { NoiseFilter } = await import('../../../src/cli/quiet-stderr');
  let written = '';
  const filter = new NoiseFilter((text) => {
    written += text;
  });
  const noise = [
    'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n',
    'I0000 00:00:1796418544.235902   11847 port.cc:153] oneDNN custom operations are on. You may see …\n',
  ];
  // Arbitrary chunking, a progress bar redraw (\r, no newline) and a real warning in between.
  const stream = `${noise[0]}loading…\n${noise[1]}\rtraining [##--] 50%\rtraining [####] 100%\nwarning: the dev set has only 9 sentences\n`;
  for (let i = 0; i < stream.length; i += 7) filter.push(stream.slice(i, i + 7));
  filter.end();
  assert.equal(
    written,
    'loading…\n\rtraining [##--] 50%\rtraining [####] 100%\nwarning: the dev set has only 9 sentences\n',
  );
  // The real thing: the built CLI tagging text prints nothing on stderr.
  const cliScript = path.resolve(__dirname, '../../../dist/cli.js');
  assert.ok(fs.existsSync(cliScript), 'dist/cli.js exists (npm run build)');
  const { spawnSync } = await import('node:child_process');
  const run = spawnSync(
    process.execPath,
    [
      cliScript,
      'tag',
      '--model',
      path.resolve(__dirname, '../../../models/en-ner'),
      '--text',
      'Angela Merkel visited Paris',
    ],
    { encoding: 'utf8', env: withoutTensorflowLogLevel() },
  );
  assert.equal(run.status, 0);
  assert.equal(run.stderr, '');
  assert.equal(run.stdout, '[Angela Merkel]PER visited [Paris]LOC\n');
});

test('train --cell gru writes a GRU model (card included); --cell with another value is a usage error', async () => {
  const outDir = tempDir();
  const ewt = path.join(data, 'ud-en-ewt/en_ewt-ud-train.conllu');
  const common = ['--train', ewt, '--max-sentences', '60', '--epochs', '1', '--layers', '1', '--hidden', '8'];
  const { code, err } = await cli('train', ...common, '--cell', 'gru', '--out', outDir);
  assert.equal(code, 0, err);
  const model = JSON.parse(fs.readFileSync(path.join(outDir, 'model.json'), 'utf8'));
  assert.equal(model.config.cell, 'gru');
  assert.match(
    fs.readFileSync(path.join(outDir, 'MODEL.md'), 'utf8'),
    /Char BiGRU .* 1 × BiGRU 8 per direction/,
  );
  const bad = await cli('train', ...common, '--cell', 'rnn', '--out', tempDir());
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--cell must be one of lstm, gru/);
});

test('extract --out FILE.csv writes CSV unless --format says otherwise, replacing the file whole', async () => {
  const dir = tempDir();
  const listing = path.join(dir, 'villa.txt');
  fs.writeFileSync(listing, 'Réf. 12390 villa 4 pièces, 1 270 000 €. Contact 06.43.43.43.43\n');
  const target = path.join(dir, 'out', 'listings.csv');
  fs.mkdirSync(path.dirname(target));
  fs.writeFileSync(target, 'an older export that is longer than the new one '.repeat(100));

  const csv = await cli('extract', '--out', target, listing);
  assert.equal(csv.code, 0, csv.err);
  const lines = fs.readFileSync(target, 'utf8').trim().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^id,REF,REF_confidence/);
  assert.match(lines[1]!, /,12390,.*,4,.*,06 43 43 43 43,/);
  assert.deepEqual(fs.readdirSync(path.dirname(target)), ['listings.csv'], 'no temporary file left');

  const json = await cli('extract', '--format', 'json', '--out', target, listing);
  assert.equal(json.code, 0, json.err);
  assert.equal(JSON.parse(fs.readFileSync(target, 'utf8'))[0].fields.REF.value, '12390');
});
