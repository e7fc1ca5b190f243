/**
 * Training checkpoints and model folders under SIGKILL (issue 12, item 1): weights, optimizer
 * state and trainer state were each saved atomically but not together, and a kill between two
 * renames left them from different epochs, which --resume accepted. Now a checkpoint is one
 * verified unit and a model folder is replaced as one unit. The built CLI runs in a child that
 * pauses after every rename (rename-hook.cjs); it is killed after a chosen one, again and again,
 * resuming each time.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readCorpus } from '../../src/core/corpus';
import { Tagger } from '../../src/core/model/tagger';
import { findResumePoint, readOptimizerState } from '../../src/core/train/checkpoint';
import { DATA_DIR } from '../unit/data';
import { cli, hostileDir, repoRoot } from './helpers';

const data = DATA_DIR;
const small = { hidden: 8, charHidden: 8, charDim: 8, wordDim: 16, layers: 1 };

/** Runs the CLI in a child that pauses after every rename; kills it after rename `killAt`. */
async function trainUntilKilled(args: string[], killAt: number): Promise<'killed' | 'finished'> {
  const child = spawn(
    process.execPath,
    ['--require', path.join(__dirname, 'rename-hook.cjs'), cli, ...args],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      // The CLI itself, not the wrapper that filters TensorFlow's log lines out of a child's stderr:
      // the kill must land in the process that writes.
      env: { ...process.env, SPANLIGHT_NO_PROGRESS: '1', SPANLIGHT_CLI_CHILD: '1' },
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
  const work = hostileDir('checkpoint-kill');
  const corpus = path.join(work, 'train.conll');
  const train = (await readCorpus(path.join(data, 'ud-en-ewt/en_ewt-ud-dev.conllu'))).sentences.slice(0, 40);
  fs.writeFileSync(
    corpus,
    `${train.map((s) => s.tokens.map((t, i) => `${t}\t${s.tags[i]}`).join('\n')).join('\n\n')}\n`,
  );
  const config = path.join(work, 'config.json');
  fs.writeFileSync(config, JSON.stringify({ model: { ...small, output: 'softmax', casingDim: 0 } }));
  const checkpointDir = path.join(work, 'checkpoint');
  const out = path.join(work, 'model');
  const epochs = 4;
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
  for (const killAt of [2, 7, 9, 10, 12]) {
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
  assert.ok(kills >= 10, `${kills} kills landed`);
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
