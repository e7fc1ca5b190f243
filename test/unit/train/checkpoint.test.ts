import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadTensorflow } from '../../../src/core/backend';
import { readCorpus } from '../../../src/core/corpus';
import { Tagger } from '../../../src/core/model/tagger';
import { findResumePoint, readOptimizerState } from '../../../src/core/train/checkpoint';
import { trainTagger } from '../../../src/core/train/trainer';
import type { TaggedSentence } from '../../../src/core/types';

const repoRoot = path.resolve(__dirname, '../../..');
const data = path.resolve(repoRoot, '../shared/data');
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

/** Runs the CLI in a child that pauses after every rename; kills it after rename `killAt`. */
async function trainUntilKilled(args: string[], killAt: number): Promise<'killed' | 'finished'> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'train-child.ts'), ...args],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SPANLIGHT_NO_PROGRESS: '1' },
    },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  let outcome: 'killed' | 'finished' = 'finished';
  child.stdout.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line === `rename ${killAt}`) {
        outcome = 'killed';
        child.kill('SIGKILL');
      }
    }
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  if (outcome === 'finished' && code !== 0) throw new Error(`the training child failed (${code}): ${stderr}`);
  return outcome;
}

test('SIGKILL between any two renames leaves a checkpoint that verifies as one epoch and a model folder that loads', async () => {
  const work = tempDir();
  const corpus = path.join(work, 'train.conll');
  const train = await sentences('ud-en-ewt/en_ewt-ud-train.conllu', 0, 40);
  fs.writeFileSync(
    corpus,
    `${train.map((s) => s.tokens.map((t, i) => `${t}\t${s.tags[i]}`).join('\n')).join('\n\n')}\n`,
  );
  const config = path.join(work, 'config.json');
  fs.writeFileSync(config, JSON.stringify({ model: { ...small, output: 'softmax', casingDim: 0 } }));
  const checkpointDir = path.join(work, 'checkpoint');
  const out = path.join(work, 'model');
  const epochs = 6;
  const args = [
    'train',
    '--train',
    corpus,
    '--config',
    config,
    '--epochs',
    String(epochs),
    '--checkpoint',
    checkpointDir,
    '--out',
    out,
  ];
  /** After a kill: the checkpoint is absent (killed before the first unit was complete) or
   * verifies as one unit whose optimizer state, trainer state and weights are of one epoch; the
   * model folder, once written, loads (the old or the new one, never a mix). */
  const check = async (when: string) => {
    const point = await findResumePoint(checkpointDir);
    if (point) {
      const optimizer = await readOptimizerState(point.folder);
      const iteration = optimizer.find((w) => w.name === 'adam/iteration')!.data[0];
      assert.equal(iteration, point.state.steps, `${when}: optimizer and trainer state agree`);
      assert.equal(point.state.history.length, point.state.epoch, when);
      (await Tagger.load(point.folder)).dispose();
    }
    if (fs.existsSync(out) || fs.readdirSync(work).some((e) => e.startsWith('.model.new-'))) {
      const tagger = await Tagger.load(out);
      assert.ok(tagger.labels.includes('NOUN'), when);
      tagger.dispose();
    }
  };
  // Training: about 9 renames per epoch (the unit's files, its switch, the manifest); each run
  // resumes from what the previous kill left.
  let kills = 0;
  for (const killAt of [2, 5, 7, 8, 9, 10, 12, 13]) {
    const resuming = fs.existsSync(checkpointDir);
    if ((await trainUntilKilled([...args, ...(resuming ? ['--resume'] : [])], killAt)) === 'finished') break;
    kills++;
    await check(`killed after rename ${killAt} while training`);
  }
  assert.equal(await trainUntilKilled([...args, '--resume'], Number.POSITIVE_INFINITY), 'finished');
  // Every epoch is checkpointed now: a resumed run only writes the model folder (about 6
  // renames), so each kill below lands in a different window of its switch.
  for (let killAt = 1; killAt <= 6; killAt++) {
    if ((await trainUntilKilled([...args, '--resume'], killAt)) === 'killed') kills++;
    await check(`killed after rename ${killAt} of the model folder's save`);
  }
  assert.ok(kills >= 12, `${kills} kills landed`);
  assert.equal(await trainUntilKilled([...args, '--resume'], Number.POSITIVE_INFINITY), 'finished');
  const tagger = await Tagger.load(out);
  try {
    const training = tagger.card.training as { epochs: Array<{ epoch: number }> };
    assert.deepEqual(
      training.epochs.map((e) => e.epoch),
      Array.from({ length: epochs }, (_, i) => i + 1),
    );
  } finally {
    tagger.dispose();
  }
  // Nothing a crash left behind stays next to the model once a save has run.
  assert.deepEqual(
    fs.readdirSync(work).filter((e) => e.startsWith('.model.')),
    [],
  );
});
