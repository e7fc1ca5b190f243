/**
 * Reading must not need memory in proportion to the file: a generated ~50 MB CoNLL file is
 * streamed while the heap is measured after forced garbage collections.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { after, before, test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { readSentences } from '../../../src/core/corpus';
import { makeTempDir } from './helpers';

const TARGET_BYTES = 50 * 1024 * 1024;
const TOKENS_PER_SENTENCE = 25;
const LABELS = ['PER', 'LOC', 'ORG', 'MISC'];

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

let dir: string;
let file: string;
let expected: { sentences: number; tokens: number; bytes: number };

/** Writes sentences of made-up tokens (with a BIO entity every few tokens) until the file is big enough. */
async function generate(target: string): Promise<typeof expected> {
  const out = fs.createWriteStream(target);
  let bytes = 0;
  let sentences = 0;
  while (bytes < TARGET_BYTES) {
    const lines: string[] = [];
    for (let t = 0; t < TOKENS_PER_SENTENCE; t++) {
      const label = LABELS[(sentences + t) % LABELS.length]!;
      const tag = t % 7 === 3 ? `B-${label}` : t % 7 === 4 ? `I-${label}` : 'O';
      lines.push(`token${sentences}_${t}\t${tag}\n`);
    }
    const chunk = `${lines.join('')}\n`;
    bytes += Buffer.byteLength(chunk);
    sentences++;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await finished(out);
  return { sentences, tokens: sentences * TOKENS_PER_SENTENCE, bytes };
}

before(async () => {
  dir = await makeTempDir();
  file = path.join(dir, 'big.conll');
  expected = await generate(file);
});

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

test('streaming a ~50 MB CoNLL file keeps heap growth far below the file size', async () => {
  assert.ok(fs.statSync(file).size >= TARGET_BYTES);
  collectGarbage();
  const baseline = process.memoryUsage().heapUsed;
  let peakGrowth = 0;
  let sentences = 0;
  let tokens = 0;
  let entities = 0;
  for await (const sentence of readSentences(file, { chunkTags: true })) {
    sentences++;
    tokens += sentence.tokens.length;
    entities += sentence.tags.filter((tag) => tag.startsWith('B-')).length;
    if (sentences % 25_000 === 0) {
      collectGarbage();
      peakGrowth = Math.max(peakGrowth, process.memoryUsage().heapUsed - baseline);
    }
  }
  assert.equal(sentences, expected.sentences);
  assert.equal(tokens, expected.tokens);
  assert.equal(entities, expected.sentences * 4);
  assert.ok(sentences >= 100_000, `${sentences} sentences, enough to sample the heap several times`);
  console.log(
    `streamed ${(expected.bytes / 2 ** 20).toFixed(1)} MB, peak heap growth ${(peakGrowth / 2 ** 20).toFixed(2)} MB`,
  );
  assert.ok(
    peakGrowth < expected.bytes / 10,
    `heap grew by ${peakGrowth} bytes for a ${expected.bytes}-byte file`,
  );
});
