import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadTensorflow } from '../../../src/core/backend';
import { RetrainInputError, retrain } from '../../../src/core/loop/retrain';
import { keyPosition, splitReviewed } from '../../../src/core/loop/reviewed';
import {
  adoptModel,
  currentVersion,
  keepIfNotWorse,
  nextVersionNumber,
  type RetrainResult,
  readVersionHistory,
  recordRetrain,
  reviewedAtLastRetrain,
  startHistory,
  useVersion,
  VERSIONS_FILE,
  VersionHistoryError,
  versionAt,
  versionFolder,
} from '../../../src/core/loop/versions';
import { Tagger } from '../../../src/core/model/tagger';
import { root, sentences } from '../model/fixtures';

const fixtureModel = path.join(root, 'test/fixtures/sample-workspace/.spanlight/models/fixture-ner');
const scoreOf = (f1: number, sentences = 10) => ({ sentences, score: f1, f1, accuracy: 0.9 });
const tempTaskFolder = () => fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-versions-'));

/** A candidate as a retrain leaves it: a model folder in the task folder. */
async function candidate(taskFolder: string, result: Partial<RetrainResult>): Promise<RetrainResult> {
  const folder = path.join(taskFolder, 'candidate');
  await fs.promises.cp(fixtureModel, folder, { recursive: true });
  return {
    folder,
    version: 2,
    name: 'entities v2',
    basedOn: 1,
    reviewedSentences: 25,
    trainSentences: 20,
    heldOut: scoreOf(0.6, 5),
    current: scoreOf(0.5, 5),
    training: { seconds: 3, epochs: 4, bestEpoch: 2 },
    ...result,
  };
}

test('keep-if-not-worse: better and equal are kept, worse is not, anything beats no model', () => {
  assert.equal(keepIfNotWorse(scoreOf(0.62), scoreOf(0.6)).keep, true);
  assert.equal(keepIfNotWorse(scoreOf(0.6), scoreOf(0.6)).keep, true);
  const worse = keepIfNotWorse(scoreOf(0.58), scoreOf(0.6));
  assert.equal(worse.keep, false);
  assert.equal(worse.reason, 'F1 58.0 on held-out sentences, worse than F1 60.0');
  assert.equal(keepIfNotWorse(scoreOf(0), undefined).keep, true);
  // POS models are judged on accuracy.
  assert.equal(keepIfNotWorse({ score: 0.9, accuracy: 0.9 }, { score: 0.91, accuracy: 0.91 }).keep, false);
});

test('held-out split: about a fifth, by key, and a sentence never changes side as more are reviewed', () => {
  const keys = Array.from({ length: 2001 }, (_, i) => ({ key: `answers-${i}-${(i * 7919) % 1000}` }));
  const all = splitReviewed(keys);
  assert.ok(
    all.heldOut.length > 0.17 * keys.length && all.heldOut.length < 0.23 * keys.length,
    `${all.heldOut.length}`,
  );
  const heldOut = new Set(all.heldOut.map((k) => k.key));
  for (const size of [50, 400, 1000]) {
    const part = splitReviewed(keys.slice(0, size));
    assert.ok(part.heldOut.every((k) => heldOut.has(k.key)));
    assert.ok(part.train.every((k) => !heldOut.has(k.key)));
  }
  assert.notEqual(keyPosition('sentence-10'), keyPosition('sentence-11'));
  // Two sentences: one on each side, whatever their hashes.
  for (const pair of [
    [{ key: 'a' }, { key: 'b' }],
    [{ key: 'x1' }, { key: 'x2' }],
  ]) {
    const split = splitReviewed(pair, 0.2);
    assert.equal(split.heldOut.length, 1);
    assert.equal(split.train.length, 1);
    const all = splitReviewed(pair, 0.999);
    assert.equal(all.train.length, 1);
  }
});

test('version history: start from the model in use, keep a better retrain, reject a worse one, go back', async () => {
  const taskFolder = tempTaskFolder();
  try {
    let history = await readVersionHistory(taskFolder, 'entities');
    assert.equal(history.current, 0);
    history = await startHistory(taskFolder, 'entities', { folder: fixtureModel, name: 'fixture-ner' });
    assert.equal(history.current, 1);
    const v1 = currentVersion(history)!;
    assert.deepEqual(v1.origin, { kind: 'start', model: 'fixture-ner', folder: fixtureModel });
    // A copy: the version loads from the task folder.
    (await Tagger.load(versionFolder(taskFolder, v1))).dispose();

    const better = await candidate(taskFolder, {});
    const kept = await recordRetrain(taskFolder, history, better);
    assert.equal(kept.decision.keep, true);
    assert.equal(kept.history.current, 2);
    assert.equal(kept.version?.folder, 'v2');
    assert.ok(!fs.existsSync(better.folder), 'the candidate moved into v2');
    (await Tagger.load(path.join(taskFolder, 'v2'))).dispose();
    // The start version got its held-out score from this first comparison (the loop chart's first point).
    assert.deepEqual(kept.history.versions[0]!.heldOut, scoreOf(0.5, 5));
    assert.deepEqual(kept.version?.replaced, { version: 1, heldOut: scoreOf(0.5, 5) });
    history = kept.history;
    assert.equal(nextVersionNumber(history), 3);

    const worse = await candidate(taskFolder, {
      version: 3,
      basedOn: 2,
      reviewedSentences: 50,
      heldOut: scoreOf(0.55),
      current: scoreOf(0.6),
    });
    const rejected = await recordRetrain(taskFolder, history, worse);
    assert.equal(rejected.decision.keep, false);
    assert.equal(rejected.history.current, 2);
    assert.ok(!fs.existsSync(worse.folder), 'a rejected candidate is removed');
    assert.ok(!fs.existsSync(path.join(taskFolder, 'v3')));
    assert.equal(rejected.history.rejected.length, 1);
    assert.equal(rejected.history.rejected[0]!.reviewedSentences, 50);
    history = rejected.history;

    // Fine-tuning that kept its starting weights (best epoch 0) is no new version.
    const unchanged = await candidate(taskFolder, {
      version: 3,
      basedOn: 2,
      heldOut: scoreOf(0.6),
      current: scoreOf(0.6),
      training: { seconds: 3, epochs: 2, bestEpoch: 0 },
    });
    const same = await recordRetrain(taskFolder, history, unchanged);
    assert.equal(same.decision.keep, false);
    assert.match(same.decision.reason, /no epoch did better than version 2/);
    history = same.history;

    history = await useVersion(taskFolder, history, 1);
    const reread = await readVersionHistory(taskFolder, 'entities');
    assert.deepEqual(reread, history);
    assert.equal(reread.current, 1);
    assert.equal(reread.versions.length, 2);
    assert.equal(reread.rejected.length, 2);
    await assert.rejects(useVersion(taskFolder, history, 7), VersionHistoryError);
  } finally {
    fs.rmSync(taskFolder, { recursive: true, force: true });
  }
});

test('a damaged versions.json is an error naming the file, never a silent new history', async () => {
  const taskFolder = tempTaskFolder();
  try {
    const file = path.join(taskFolder, VERSIONS_FILE);
    fs.writeFileSync(file, '{"format": "spanlight-model-versions", "formatVersion": 1, "versions": [');
    await assert.rejects(readVersionHistory(taskFolder, 'entities'), (err: Error) => {
      assert.ok(err instanceof VersionHistoryError);
      assert.ok(err.message.startsWith(file));
      return true;
    });
    fs.writeFileSync(
      file,
      JSON.stringify({
        format: 'spanlight-model-versions',
        formatVersion: 1,
        task: 'entities',
        current: 4,
        versions: [],
        rejected: [],
      }),
    );
    await assert.rejects(readVersionHistory(taskFolder, 'entities'), /names version 4 as current/);
  } finally {
    fs.rmSync(taskFolder, { recursive: true, force: true });
  }
});

test('a retrain fine-tunes the version in use on reviewed sentences, holds out a fifth and compares on them', async () => {
  const tf = loadTensorflow();
  const taskFolder = tempTaskFolder();
  try {
    const history = await startHistory(taskFolder, 'entities', { folder: fixtureModel, name: 'fixture-ner' });
    const pool = await sentences('uner-en-ewt/en_ewt-ud-dev.iob2', 40);
    const reviewed = pool.map((s, i) => ({ key: s.id ?? String(i), tokens: s.tokens, tags: s.tags }));
    await assert.rejects(
      retrain({ task: 'entities', taskFolder, version: 2, reviewed: reviewed.slice(0, 4) }),
      RetrainInputError,
    );
    const before = tf.memory().numTensors;
    const base = currentVersion(history)!;
    const result = await retrain({
      task: 'entities',
      taskFolder,
      version: nextVersionNumber(history),
      base: { folder: versionFolder(taskFolder, base), version: base.version },
      reviewed,
      train: { epochs: 2, minEpochs: 1 },
    });
    assert.equal(tf.memory().numTensors, before);
    assert.ok(result);
    const split = splitReviewed(reviewed);
    assert.equal(result.trainSentences, split.train.length);
    assert.equal(result.heldOut.sentences, split.heldOut.length);
    assert.equal(result.current?.sentences, split.heldOut.length);
    assert.equal(result.reviewedSentences, 40);
    assert.equal(result.name, 'entities v2');
    const tagger = await Tagger.load(result.folder);
    try {
      assert.equal(tagger.card.name, 'entities v2');
      // The vocabulary grew by the reviewed sentences' words; the labels stayed the model's.
      assert.ok(tagger.card.vocabularies.words.length > 161);
      assert.ok(tagger.card.vocabularies.words.includes('morcillas'));
      assert.deepEqual(tagger.labels.slice(0, 7), [
        'O',
        'B-LOC',
        'B-ORG',
        'B-PER',
        'I-LOC',
        'I-ORG',
        'I-PER',
      ]);
    } finally {
      tagger.dispose();
    }
    const recorded = await recordRetrain(taskFolder, history, result);
    assert.equal(recorded.history.current, recorded.decision.keep ? 2 : 1);
    assert.ok(!fs.existsSync(result.folder));
  } finally {
    fs.rmSync(taskFolder, { recursive: true, force: true });
  }
});

test("the model in use joins the history as a version when it is none of them; the last retrain's count", async () => {
  const taskFolder = tempTaskFolder();
  try {
    let history = await startHistory(taskFolder, 'entities', { folder: fixtureModel, name: 'fixture-ner' });
    assert.equal(reviewedAtLastRetrain(history), 0, 'never retrained');
    assert.equal(versionAt(taskFolder, history, path.join(taskFolder, 'v1'))?.version, 1);
    assert.equal(
      versionAt(taskFolder, history, fixtureModel)?.version,
      1,
      'the model it was copied from is v1 while v1 is in use',
    );
    const kept = await recordRetrain(
      taskFolder,
      history,
      await candidate(taskFolder, { reviewedSentences: 25 }),
    );
    history = kept.history;
    assert.equal(versionAt(taskFolder, history, fixtureModel), undefined, 'not once v2 is in use');
    const rejected = await recordRetrain(
      taskFolder,
      history,
      await candidate(taskFolder, {
        version: 3,
        basedOn: 2,
        reviewedSentences: 50,
        heldOut: scoreOf(0.4, 10),
        current: scoreOf(0.7, 10),
      }),
    );
    assert.equal(rejected.decision.keep, false);
    assert.equal(reviewedAtLastRetrain(rejected.history), 50, 'a rejected retrain counts as the last one');
    // The user picked another model since: it becomes v3, in use, and v1/v2 stay.
    const adopted = await adoptModel(taskFolder, rejected.history, { folder: fixtureModel, name: 'other' });
    assert.equal(adopted.current, 3);
    assert.deepEqual(
      adopted.versions.map((v) => [v.version, v.origin.kind]),
      [
        [1, 'start'],
        [2, 'retrain'],
        [3, 'start'],
      ],
    );
    (await Tagger.load(versionFolder(taskFolder, currentVersion(adopted)!))).dispose();
    assert.deepEqual(await readVersionHistory(taskFolder, 'entities'), adopted, 'written');
  } finally {
    fs.rmSync(taskFolder, { recursive: true, force: true });
  }
});

test('a dev file the user names is read in its own format; one with problems is refused with file:line', async () => {
  const taskFolder = tempTaskFolder();
  try {
    const history = await startHistory(taskFolder, 'entities', { folder: fixtureModel, name: 'fixture-ner' });
    const pool = await sentences('uner-en-ewt/en_ewt-ud-dev.iob2', 12);
    const reviewed = pool.map((s, i) => ({ key: s.id ?? String(i), tokens: s.tokens, tags: s.tags }));
    const base = { folder: versionFolder(taskFolder, currentVersion(history)!), version: 1 };
    const conll = path.join(root, 'test/fixtures/sample-workspace/corpus/tiny-ner.conll');
    const result = await retrain({
      task: 'entities',
      taskFolder,
      version: 2,
      base,
      reviewed,
      devFiles: [conll],
      train: { epochs: 1, minEpochs: 1 },
    });
    assert.ok(result, 'a CoNLL dev file next to the reviewed sentences (JSONL) is read as CoNLL');
    assert.equal(result.trainSentences, 12, 'every reviewed sentence trains');
    assert.equal(result.heldOut.sentences, 2, "judged on the dev file's sentences");
    fs.rmSync(result.folder, { recursive: true, force: true });
    const broken = path.join(taskFolder, 'broken.conll');
    fs.writeFileSync(broken, 'Paris\tB-LOC\nis\tO\tX\tY\tZ\tW\tV\tU\tT\tS\tR\n\nLyon\tB-LOC\n');
    await assert.rejects(
      retrain({ task: 'entities', taskFolder, version: 2, base, reviewed, devFiles: [broken] }),
      (err: Error) => err instanceof RetrainInputError && err.message.includes(`${broken}:`),
    );
    assert.ok(!fs.existsSync(path.join(taskFolder, 'candidate')), 'nothing left behind');
  } finally {
    fs.rmSync(taskFolder, { recursive: true, force: true });
  }
});
