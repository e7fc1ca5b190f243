import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadTensorflow } from '../../../src/core/backend';
import { MODEL_FILE, ModelFileError } from '../../../src/core/model/io';
import { Tagger } from '../../../src/core/model/tagger';
import { extendTagger } from '../../../src/core/train/fine-tune';
import { trainTagger } from '../../../src/core/train/trainer';
import { root, sentences, small, tempDir } from './fixtures';

const tf = loadTensorflow();

// That a GRU tagger learns and tags the same after save → load: tagger.test.ts, for both cells.

test('a GRU model: its weights are named for the cell, tag calls leak nothing, it fine-tunes as a GRU, a wrong cell is refused', async () => {
  const train = await sentences('ud-en-ewt/en_ewt-ud-train.conllu', 60);
  const { tagger } = await trainTagger({
    name: 'gru-files',
    model: { ...small, cell: 'gru' },
    train: { epochs: 1 },
    trainSentences: train,
  });
  const folder = tempDir();
  try {
    await tagger.save(folder);
    const json = JSON.parse(fs.readFileSync(path.join(folder, MODEL_FILE), 'utf8'));
    assert.equal(json.config.cell, 'gru');
    const names = json.weights.map((w: { name: string }) => w.name) as string[];
    for (const name of ['char_gru_fw_gate_kernel', 'gru_1_bw_candidate_bias'])
      assert.ok(names.includes(name), name);
    assert.ok(!names.some((name) => name.includes('lstm')), `LSTM weights in a GRU model: ${names}`);

    // Many tag calls, each through the trie and inference graphs: no tensor is left behind.
    tagger.tag([['warm', 'up']]);
    const live = tf.memory().numTensors;
    for (let i = 0; i < 300; i++) tagger.tag([train[i % train.length]!.tokens]);
    assert.equal(tf.memory().numTensors, live, 'tensors leaked');

    // Fine-tuning keeps the cell and every recurrent weight (the vocabulary grows, the cells do not).
    const more = await sentences('ud-en-ewt/en_ewt-ud-dev.conllu', 80);
    const tuned = extendTagger(tagger, more, { name: 'gru-tuned', seed: 3 }).tagger;
    try {
      assert.equal(tuned.card.config.cell, 'gru');
      assert.ok(tuned.card.vocabularies.words.length > tagger.card.vocabularies.words.length);
      const before = new Map(tagger.network.weights().map((w) => [w.name, w.data]));
      for (const weight of tuned.network.weights().filter((w) => w.name.includes('gru'))) {
        assert.deepEqual(weight.data, before.get(weight.name), weight.name);
      }
      assert.equal(tuned.tag([more[0]!.tokens])[0]!.length, more[0]!.tokens.length);
    } finally {
      tuned.dispose();
    }

    // A model.json that names the wrong cell, or no known cell, is refused with a clear message.
    const rewrite = (config: Record<string, unknown>) =>
      fs.writeFileSync(path.join(folder, MODEL_FILE), JSON.stringify({ ...json, config }));
    rewrite({ ...json.config, cell: 'lstm' });
    await assert.rejects(
      Tagger.load(folder),
      (err: unknown) =>
        err instanceof ModelFileError &&
        /do not fit the model's config: missing weight char_lstm_fw_kernel/.test(err.message),
    );
    rewrite({ ...json.config, cell: 'rnn' });
    await assert.rejects(
      Tagger.load(folder),
      (err: unknown) =>
        err instanceof ModelFileError && /model\.cell must be one of lstm, gru/.test(err.message),
    );
  } finally {
    tagger.dispose();
    fs.rmSync(folder, { recursive: true, force: true });
  }
});

test('models saved before the cell could be chosen (no config.cell) load as LSTM models', async () => {
  // The shipped en-pos, as written before the field existed.
  const folder = tempDir();
  const shipped = path.join(root, 'models/en-pos');
  for (const name of fs.readdirSync(shipped))
    fs.copyFileSync(path.join(shipped, name), path.join(folder, name));
  const file = JSON.parse(fs.readFileSync(path.join(folder, MODEL_FILE), 'utf8'));
  delete file.config.cell;
  fs.writeFileSync(path.join(folder, MODEL_FILE), JSON.stringify(file));
  const tagger = await Tagger.load(folder);
  try {
    assert.equal(tagger.card.config.cell, 'lstm');
    const [tagged] = tagger.tag([['The', 'dog', 'barked', '.']]);
    assert.deepEqual(
      tagged!.map((t) => t.tag),
      ['DET', 'NOUN', 'VERB', 'PUNCT'],
    );
  } finally {
    tagger.dispose();
    fs.rmSync(folder, { recursive: true, force: true });
  }
});
