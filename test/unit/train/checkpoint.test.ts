import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadTensorflow } from '../../../src/core/backend';
import { readCorpus } from '../../../src/core/corpus';
import { trainTagger } from '../../../src/core/train/trainer';
import type { TaggedSentence } from '../../../src/core/types';
import { DATA_DIR } from '../data';

const data = DATA_DIR;
const tf = loadTensorflow();
const small = { hidden: 8, charHidden: 8, charDim: 8, wordDim: 16, layers: 1 };

async function sentences(file: string, from: number, count: number): Promise<TaggedSentence[]> {
  return (await readCorpus(path.join(data, file))).sentences.slice(from, from + count);
}

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-checkpoint-'));
const units = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((e) => /^epoch-\d+$/.test(e))
    .sort();

test('a resumed run continues where the checkpoint stopped and ends with the best epoch’s weights', async () => {
  const train = await sentences('ud-en-ewt/en_ewt-ud-train.conllu', 0, 120);
  const dev = await sentences('ud-en-ewt/en_ewt-ud-dev.conllu', 0, 40);
  const checkpointDir = tempDir();
  const options = { name: 'ckpt', model: small, trainSentences: train, devSentences: dev, checkpointDir };
  const first = await trainTagger({ ...options, train: { epochs: 2, learningRate: 0.01 } });
  first.tagger.dispose();
  assert.deepEqual(units(checkpointDir), ['epoch-0001', 'epoch-0002']);
  const manifest = JSON.parse(fs.readFileSync(path.join(checkpointDir, 'checkpoint.json'), 'utf8'));
  assert.equal(manifest.latest, 'epoch-0002');

  const resumed = await trainTagger({
    ...options,
    train: { epochs: 4, learningRate: 0.01, minEpochs: 4 },
    resume: true,
  });
  try {
    assert.deepEqual(
      resumed.history.map((h) => h.epoch),
      [1, 2, 3, 4],
    );
    assert.equal(resumed.history[0]!.loss, first.history[0]!.loss);
    // Only the latest, the previous and the best units are kept.
    const kept = units(checkpointDir);
    assert.ok(kept.includes('epoch-0004') && kept.includes('epoch-0003'), kept.join(', '));
    assert.ok(kept.length <= 3, kept.join(', '));
    // The tagger holds the best epoch's weights: its dev score is the best one recorded.
    const best = Math.max(...resumed.history.map((h) => h.dev!.score));
    assert.equal(resumed.history[resumed.bestEpoch - 1]!.dev!.score, best);
    const { evaluateTagger } = await import('../../../src/core/train/evaluate');
    assert.equal(evaluateTagger(resumed.tagger, dev).score, best);
  } finally {
    resumed.tagger.dispose();
  }
});

test('a damaged latest checkpoint falls back to the previous complete one; with none complete, resuming is refused', async () => {
  const train = await sentences('ud-en-ewt/en_ewt-ud-train.conllu', 200, 80);
  const checkpointDir = tempDir();
  const options = { name: 'ckpt', model: small, trainSentences: train, checkpointDir };
  (await trainTagger({ ...options, train: { epochs: 3 } })).tagger.dispose();
  // Epoch 3's optimizer state cut short (what a torn write would leave).
  const optimizerFolder = path.join(checkpointDir, 'epoch-0003', 'optimizer');
  const weightsFile = fs.readdirSync(optimizerFolder).find((f) => f.endsWith('.bin'))!;
  fs.truncateSync(path.join(optimizerFolder, weightsFile), 100);

  const warnings: string[] = [];
  const resumed = await trainTagger({
    ...options,
    train: { epochs: 4 },
    resume: true,
    onWarning: (w) => warnings.push(w),
  });
  try {
    assert.match(
      warnings.join('\n'),
      /epoch-0003: optimizer\/weights-[0-9a-f]+\.bin does not match its checksum/,
    );
    assert.match(warnings.join('\n'), /resuming from the complete checkpoint of epoch 2/);
    assert.deepEqual(
      resumed.history.map((h) => h.epoch),
      [1, 2, 3, 4],
    );
  } finally {
    resumed.tagger.dispose();
  }

  // Every unit damaged: a clear refusal, and nothing leaked.
  for (const unit of units(checkpointDir)) fs.rmSync(path.join(checkpointDir, unit, 'trainer-state.json'));
  const before = tf.memory().numTensors;
  await assert.rejects(
    trainTagger({ ...options, train: { epochs: 5 }, resume: true }),
    /no complete checkpoint to resume from \(.*trainer-state\.json missing.*\); train without --resume/,
  );
  assert.equal(tf.memory().numTensors, before, 'a refused resume leaks no tensors');
});
