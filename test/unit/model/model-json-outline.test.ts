/**
 * Vocabulary sizes are counted in model.json's bytes before it is parsed (format.ts), so a
 * hostile vocabulary is refused without the parse. The count must be exact whatever the words
 * hold: commas, brackets, quotes and backslashes inside strings are not structure.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import { MODEL_LIMITS, readModelJson } from '../../../src/core/model/format';

const reader = (json: string) => ({
  read: async () => new TextEncoder().encode(json),
  sha256: async (bytes: Uint8Array) => crypto.createHash('sha256').update(bytes).digest('hex'),
});

const tricky = [',', '[', ']', '{', '}', '"', '\\', '\\"', ':', '",["', ' '];
const labels = (n: number) => Array.from({ length: n }, (_, i) => `${tricky[i % tricky.length]}${i}`);
const modelJson = (labelCount: number) =>
  JSON.stringify({
    format: 'spanlight-tagger',
    config: { nested: [[1, 2], { a: [3] }] },
    vocabularies: { words: ['<pad>', '<unk>', ','], chars: ['<pad>', '<unk>'], labels: labels(labelCount) },
    weights: [{ name: 'a', shape: [2, 3] }],
  });

test('model.json: labels counted exactly before the parse, through strings full of JSON punctuation', async () => {
  const limit = MODEL_LIMITS.labels;
  await assert.rejects(
    readModelJson('m', reader(modelJson(limit + 1))),
    new RegExp(`declares ${(limit + 1).toLocaleString('en-US')} labels; a model may have at most`),
  );
  // At the limit the outline lets it through to the parse (which finds the format fine).
  const file = await readModelJson('m', reader(modelJson(limit)));
  assert.equal(file.vocabularies!.labels.length, limit);
});
