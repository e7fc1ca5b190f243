import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { main } from '../../../src/cli/spanlight';

const data = path.resolve(__dirname, '../../../../shared/data');

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
