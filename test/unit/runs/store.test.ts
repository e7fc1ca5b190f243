import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  isValidRunId,
  listRuns,
  METRICS_FILE,
  newRunId,
  parseMetrics,
  RunWriter,
  readRun,
  runToCsv,
} from '../../../src/core/runs/store';
import type { RunConfig, RunEvent } from '../../../src/core/runs/types';
import { splitDev, summarizeData } from '../../../src/core/train/prepare';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-runs-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function config(id: string, createdAt: string, name = 'ner'): RunConfig {
  const empty = { sentences: 0, tokens: 0, labelCounts: {} };
  return {
    id,
    name,
    task: 'entities',
    scheme: 'IOB2',
    preset: 'fast',
    createdAt,
    trainFiles: ['corpus/a.conll'],
    devFiles: [],
    vectors: false,
    model: {},
    train: { epochs: 2 },
    data: { train: empty, dev: empty, repairs: 0, problems: 0 },
    modelFolder: '/m',
  };
}

const epoch = (n: number, score: number): RunEvent => ({
  kind: 'epoch',
  epoch: n,
  loss: 1 / n,
  tokensPerSecond: 1000,
  seconds: 1,
  dev: { score, accuracy: 0.9, f1: score, precision: score, recall: score },
  best: true,
  elapsed: n,
});

describe('run history storage', () => {
  it('writes config, events in order and outcome, and reads them back', async () => {
    const writer = await RunWriter.create(root, config('20250101-000000-ner', '2025-01-01T00:00:00Z'));
    const events: RunEvent[] = [
      {
        kind: 'step',
        epoch: 1,
        step: 1,
        stepsPerEpoch: 2,
        globalStep: 1,
        loss: 2,
        tokensPerSecond: 10,
        eta: 3,
        elapsed: 0.1,
      },
      epoch(1, 0.5),
      epoch(2, 0.75),
    ];
    // Not awaited one by one: the writer keeps call order.
    for (const e of events) void writer.append(e);
    await writer.finish({
      status: 'completed',
      finishedAt: '2025-01-01T00:01:00Z',
      epochs: 2,
      bestEpoch: 2,
      tokensPerSecond: 1000,
      seconds: 60,
      modelFolder: '/m',
    });
    const read = await readRun(root, '20250101-000000-ner');
    assert.deepEqual(read?.record.events, events);
    assert.equal(read?.record.outcome?.status, 'completed');
    assert.deepEqual(read?.problems, []);
  });

  it('lists runs newest first; a run without outcome is interrupted; damaged lines are reported', async () => {
    await RunWriter.create(root, config('20250201-000000-pos', '2025-02-01T00:00:00Z', 'pos'));
    const file = path.join(root, '20250201-000000-pos', METRICS_FILE);
    fs.appendFileSync(file, `${JSON.stringify(epoch(1, 0.6))}\n{"kind":"epoch","ep`);
    fs.mkdirSync(path.join(root, 'not-a-run'));
    const runs = await listRuns(root);
    assert.deepEqual(
      runs.map((r) => [r.id, r.status, r.epochs, r.bestScore]),
      [
        ['20250201-000000-pos', 'interrupted', 1, 0.6],
        ['20250101-000000-ner', 'completed', 2, 0.75],
      ],
    );
    const read = await readRun(root, '20250201-000000-pos');
    assert.deepEqual(read?.problems, [`${file}:2: not valid JSON (the run may have stopped mid-write)`]);
    assert.deepEqual(parseMetrics('{"kind":"other"}\n', 'm.jsonl').problems, [
      'm.jsonl:1: not a run event (no kind step, epoch or evaluation)',
    ]);
  });

  it('refuses run ids that could leave the runs folder', async () => {
    for (const bad of ['..', '../x', 'a/b', '', '.hidden', 'a\\b', 'x'.repeat(200)])
      assert.equal(isValidRunId(bad), false, bad);
    assert.equal(await readRun(root, '../outside'), undefined);
    await assert.rejects(RunWriter.create(root, config('../evil', '2025-01-01T00:00:00Z')));
  });

  it('makes sortable, unique ids from the name', () => {
    const now = new Date('2025-03-04T05:06:07.890Z');
    assert.equal(newRunId(root, 'My NER <model>!', now), '20250304-050607-my-ner-model');
    fs.mkdirSync(path.join(root, '20250304-050607-x'));
    assert.equal(newRunId(root, 'x', now), '20250304-050607-x-2');
  });

  it('exports epochs and labels as CSV with quoting', () => {
    const csv = runToCsv({
      config: config('r', '2025-01-01T00:00:00Z'),
      events: [
        epoch(1, 0.5),
        {
          kind: 'evaluation',
          split: 'dev',
          accuracy: 0.9,
          f1: 0.5,
          perLabel: { 'A,"B"': { precision: 1, recall: 0.5, f1: 2 / 3, support: 4 } },
          confusion: { labels: ['O'], counts: [[1]] },
        },
      ],
    });
    const lines = csv.trim().split('\n');
    assert.equal(lines.length, 3);
    assert.equal(lines[1], 'epoch,1,,1,1000,0.5,0.5,0.5,0.5,');
    assert.equal(lines[2], `label (dev),,"A,""B""",,,,1,0.5,${2 / 3},4`);
  });
});

describe('training data preparation', () => {
  const sentences = Array.from({ length: 10 }, (_, i) => ({ tokens: [`w${i}`], tags: ['O'] }));
  it('holds out a seeded share as dev, the same each time, disjoint from train', () => {
    const a = splitDev(sentences, 0.2, 7);
    const b = splitDev(sentences, 0.2, 7);
    assert.equal(a.dev.length, 2);
    assert.equal(a.train.length, 8);
    assert.deepEqual(a, b);
    const devWords = new Set(a.dev.map((s) => s.tokens[0]));
    assert.ok(a.train.every((s) => !devWords.has(s.tokens[0])));
  });

  it('counts chunks per entity type, not tokens', () => {
    const summary = summarizeData(
      [{ tokens: ['New', 'York', 'and', 'Ann', 'Bo'], tags: ['B-LOC', 'I-LOC', 'O', 'B-PER', 'B-PER'] }],
      'entities',
    );
    assert.deepEqual(summary, { sentences: 1, tokens: 5, labelCounts: { LOC: 1, PER: 2 } });
  });
});
