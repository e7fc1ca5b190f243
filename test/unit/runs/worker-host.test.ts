/**
 * The training worker host with the real worker (from source, in a worker thread): successive
 * jobs on one worker, progress events in order, cancellation, corpus problems asked about, the run
 * recorded on disk and the model saved.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listRuns, readRun } from '../../../src/core/runs/store';
import type { RunEvent } from '../../../src/core/runs/types';
import { TrainingWorkerHost, threadWorker } from '../../../src/extension/training/worker-host';
import type { TrainingJob } from '../../../src/extension/training/worker-protocol';
import { typeScriptWorker } from './ts-worker';

const repo = path.resolve(__dirname, '../../..');
const corpus = path.join(repo, 'test/fixtures/sample-workspace/corpus/sample-ner.conll');
const workerEntry = path.join(repo, 'src/extension/training/train-worker.ts');

// Small network: the point is the plumbing, not the accuracy.
const small = {
  model: { wordDim: 16, charDim: 8, charHidden: 8, hidden: 16, layers: 1, minWordFrequency: 1 },
  train: { batchSize: 8, seed: 3, patience: 5 },
};

describe('TrainingWorkerHost', () => {
  let root: string;
  let host: TrainingWorkerHost;
  let job: Omit<TrainingJob, 'jobId'>;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-host-'));
    host = new TrainingWorkerHost(() => threadWorker(typeScriptWorker(workerEntry)));
    job = {
      name: 'sample ner',
      preset: 'fast',
      trainFiles: [corpus],
      devFiles: [],
      devRatio: 0.2,
      vectors: false,
      runsRoot: path.join(root, 'runs'),
      modelsRoot: path.join(root, 'models'),
      workspaceRoot: repo,
      progressEvery: 1,
      model: small.model,
      train: { ...small.train, epochs: 2 },
    };
  });
  after(() => {
    host.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('trains, streams step and epoch events, records the run and saves the model', async () => {
    const events: RunEvent[] = [];
    let checkedTrain = 0;
    const handle = host.start(job, {
      checked: (c) => {
        checkedTrain = c.train.sentences;
        return true;
      },
      event: (e) => events.push(e),
    });
    const result = await handle.done;
    assert.equal(result.status, 'finished', JSON.stringify(result));
    if (result.status !== 'finished') return;
    assert.equal(result.outcome.status, 'completed');
    assert.equal(result.outcome.epochs, 2);
    const epochs = events.filter((e) => e.kind === 'epoch');
    assert.deepEqual(
      epochs.map((e) => e.epoch),
      [1, 2],
    );
    const steps = events.filter((e) => e.kind === 'step');
    const stepsPerEpoch = steps[0]!.kind === 'step' ? steps[0]!.stepsPerEpoch : 0;
    assert.equal(stepsPerEpoch, Math.ceil(checkedTrain / 8));
    assert.equal(steps.length, 2 * stepsPerEpoch, 'one step event per step with progressEvery 1');
    const evaluation = events.at(-1)!;
    assert.equal(evaluation.kind, 'evaluation');
    if (evaluation.kind === 'evaluation') {
      assert.equal(evaluation.split, 'dev');
      assert.ok(evaluation.confusion.labels.includes('O'));
    }
    // The same events are on disk, and the model folder is a loadable model.
    const stored = await readRun(job.runsRoot, result.config!.id);
    assert.deepEqual(stored?.record.events, events);
    assert.equal(stored?.record.outcome?.status, 'completed');
    const card = JSON.parse(fs.readFileSync(path.join(result.outcome.modelFolder!, 'model.json'), 'utf8'));
    assert.equal(card.format, 'spanlight-tagger');
    assert.equal(card.config.task, 'entities');
    assert.ok(fs.existsSync(path.join(result.outcome.modelFolder!, 'MODEL.md')));
  });

  it('runs a second job on the same worker and cancels it after its first epoch', async () => {
    let handle: ReturnType<TrainingWorkerHost['start']> | undefined;
    handle = host.start(
      { ...job, name: 'cancelled', train: { ...small.train, epochs: 50 } },
      {
        event: (e) => {
          if (e.kind === 'epoch' && e.epoch === 1) handle?.cancel();
        },
      },
    );
    const result = await handle.done;
    assert.equal(result.status, 'finished');
    if (result.status !== 'finished') return;
    assert.equal(result.outcome.status, 'cancelled');
    assert.ok(result.outcome.epochs >= 1 && result.outcome.epochs < 50, `${result.outcome.epochs} epochs`);
    assert.equal(host.workersStarted, 1, 'the worker is reused');
    const runs = await listRuns(job.runsRoot);
    assert.deepEqual(runs.map((r) => r.status).sort(), ['cancelled', 'completed']);
  });

  it('asks about corpus problems and trains nothing when the answer is no', async () => {
    const broken = path.join(root, 'broken.conll');
    fs.writeFileSync(broken, 'Paris\tB-LOC\nis\n\nRome\tB-LOC\n.\tO\n');
    let problems: string[] = [];
    const result = await host.start(
      { ...job, trainFiles: [broken], devRatio: 0 },
      {
        checked: (c) => {
          problems = c.problems.map((p) => `${path.basename(p.path)}:${p.line}`);
          return false;
        },
      },
    ).done;
    assert.equal(result.status, 'declined');
    assert.deepEqual(problems, ['broken.conll:2']);
    assert.equal((await listRuns(job.runsRoot)).length, 2, 'no run was recorded');
  });

  it('reports a corpus with no sentences as a user error', async () => {
    const empty = path.join(root, 'empty.conll');
    fs.writeFileSync(empty, '');
    const result = await host.start({ ...job, trainFiles: [empty] }).done;
    assert.equal(result.status, 'failed');
    if (result.status === 'failed') {
      assert.equal(result.userError, true);
      assert.match(result.message, /no sentences/);
    }
  });
});
