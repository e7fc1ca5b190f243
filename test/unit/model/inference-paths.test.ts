import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Tensor3D } from '@tensorflow/tfjs-node';
import { loadTensorflow, readFloats } from '../../../src/core/backend';
import { encodeBatch, encodeWords } from '../../../src/core/encode/batch';
import { buildCharTrie, charTries, wordsOfCharGroups } from '../../../src/core/encode/char-trie';
import { VocabularyIndex } from '../../../src/core/encode/vocab';
import { trieGraphSupport } from '../../../src/core/kernels/trie-states';
import { inferenceGraphSupport } from '../../../src/core/model/inference-graph';
import { loadModelFiles } from '../../../src/core/model/io';
import { Tagger } from '../../../src/core/model/tagger';
import { corpusPath } from '../data';

const tf = loadTensorflow();
const root = path.resolve(__dirname, '../../..');
const ewtTest = corpusPath('ud-en-ewt/en_ewt-ud-test.conllu');

/** The first `count` sentences of the EWT test set, as tokens. */
function ewtSentences(count: number): string[][] {
  const sentences: string[][] = [];
  let tokens: string[] = [];
  for (const line of fs.readFileSync(ewtTest, 'utf8').split('\n')) {
    if (line.trim() === '') {
      if (tokens.length > 0) sentences.push(tokens);
      tokens = [];
      if (sentences.length === count) break;
    } else if (!line.startsWith('#')) {
      const [id, form] = line.split('\t');
      if (!id!.includes('-') && !id!.includes('.')) tokens.push(form!);
    }
  }
  return sentences;
}

test('char tries: one node per distinct prefix, parents one level up, each word ending on its own node', () => {
  const words = ['cat', 'car', 'cart', 'dog', 'do', 'cat'].map((w) =>
    Int32Array.from(w, (c) => c.charCodeAt(0)),
  );
  const trie = buildCharTrie(words);
  assert.deepEqual(
    trie.levels.map((level) => String.fromCharCode(...level.charIds)),
    ['cd', 'ao', 'trg', 't'],
  );
  // Walk each word's path back up from its final node: it must spell the word.
  const offsets = trie.levels.map((_, t) =>
    trie.levels.slice(0, t).reduce((n, l) => n + l.charIds.length, 0),
  );
  const spell = (node: number) => {
    let level = offsets.findLastIndex((offset) => offset <= node);
    let local = node - offsets[level]!;
    let text = '';
    for (; level >= 0; level--) {
      text = String.fromCharCode(trie.levels[level]!.charIds[local]!) + text;
      local = trie.levels[level]!.parents[local]!;
    }
    return text;
  };
  assert.deepEqual(Array.from(trie.finalNodes, spell), ['cat', 'car', 'cart', 'dog', 'do', 'cat']);
  assert.equal(trie.finalNodes[0], trie.finalNodes[5]);

  // Padded to more levels: a chain of padding chars that no word ends on.
  const padded = buildCharTrie(words, 6);
  assert.equal(padded.levels.length, 6);
  assert.deepEqual(
    padded.levels.map((level) => level.charIds.length),
    [3, 3, 4, 2, 1, 1],
  );
  assert.deepEqual(
    Array.from(padded.finalNodes, (node) => node),
    Array.from(trie.finalNodes, (node, w) => {
      // Each level before a word's last gained one padding node, so its index moves by its depth.
      return node + words[w]!.length - 1;
    }),
  );
  assert.throws(() => buildCharTrie([new Int32Array(0)]), /no chars/);
});

test('the suffix trie reads each word backwards, and the groups give back the words in row order', () => {
  const letters = [...'abcdefghijklmnopqrstuvwxyz'];
  const index = new VocabularyIndex({
    words: ['<pad>', '<unk>'],
    chars: ['<pad>', '<unk>', ...letters],
    labels: [],
  });
  const words = encodeWords(['walking', 'talking', 'walked', 'a'], index, { maxWordLength: 20 });
  const rows = wordsOfCharGroups(words.charGroups);
  for (const [key, row] of words.rowOf) {
    assert.deepEqual(
      Array.from(rows[row]!),
      Array.from(key, (c) => index.char.get(c)!),
    );
  }
  const { forward, backward } = charTries(words.charGroups, 20);
  assert.equal(forward.levels.length, 20);
  assert.equal(backward.levels.length, 20);
  // Levels 1–7 hold w t a | wa ta | wal tal | walk talk | walki walke talki | walkin walked
  // talkin | walking talking (17), and backward g d a | gn de | … | gniklaw gniklat (15), each
  // plus one padding node per level.
  const firstSeven = (trie: typeof forward) =>
    trie.levels.slice(0, 7).reduce((n, l) => n + l.charIds.length, 0);
  assert.equal(firstSeven(forward), 17 + 7);
  assert.equal(firstSeven(backward), 15 + 7);
});

/** A shipped model, or (for `…-gru`) a GRU network of the same shape and vocabularies with fresh weights. */
async function taggerFor(model: string): Promise<Tagger> {
  if (!model.endsWith('-gru')) return Tagger.load(path.join(root, 'models', model));
  const { card } = await loadModelFiles(path.join(root, 'models', model.replace(/-gru$/, '')));
  return Tagger.create({ ...card, config: { ...card.config, cell: 'gru' } }, { seed: 5 });
}

for (const model of ['en-ner', 'en-pos', 'en-ner-gru', 'en-pos-gru']) {
  test(`${model}: char states over tries equal the padded buckets, and the one-graph inference pass equals the eager ops`, async () => {
    const tagger = await taggerFor(model);
    try {
      const sentences = ewtSentences(60);
      const network = tagger.network;
      const { config } = tagger.card;
      // Both fast paths fall back silently where graphs cannot run: here they must run.
      assert.equal(config.cell, model.endsWith('-gru') ? 'gru' : 'lstm');
      assert.deepEqual(trieGraphSupport(tf, config.cell, config.maxWordLength), { available: true });
      assert.deepEqual(inferenceGraphSupport(tf, config.cell, config.layers, config.casingDim > 0), {
        available: true,
      });
      const before = tf.memory().numTensors;

      const words = encodeWords(sentences.flat(), tagger.index, tagger.card.config);
      const buckets = readFloats(tf, () => network.charStates(words.charGroups, true));
      const tries = readFloats(tf, () => network.charStates(words.charGroups, false));
      assert.equal(tries.length, buckets.length);
      assert.ok(maxDiff(tries, buckets) < 1e-5, `char states differ by ${maxDiff(tries, buckets)}`);

      const batch = encodeBatch(
        sentences.map((tokens) => ({ tokens })),
        tagger.index,
        tagger.card.config,
      );
      // The private inference path against the public eager one, on real (not padded) steps.
      const inference = network as unknown as {
        inferenceScores(b: typeof batch, output: 'emissions'): Tensor3D;
      };
      const eager = readFloats(tf, () => network.logits(batch, false));
      const graph = readFloats(tf, () => inference.inferenceScores(batch, 'emissions'));
      const labels = network.numLabels;
      let worst = 0;
      for (let s = 0; s < batch.size; s++) {
        for (let t = 0; t < batch.lengths[s]!; t++) {
          const at = (s * batch.maxLength + t) * labels;
          worst = Math.max(worst, maxDiff(graph.subarray(at, at + labels), eager.subarray(at, at + labels)));
        }
      }
      assert.ok(worst < 1e-4, `emissions differ by ${worst}`);
      assert.ok(
        batch.lengths.some((length) => length < batch.maxLength),
        'the batch must have padding',
      );
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    } finally {
      tagger.dispose();
    }
  });
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}
