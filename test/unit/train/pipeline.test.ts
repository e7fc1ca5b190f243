import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadTensorflow } from '../../../src/core/backend';
import { readCorpus } from '../../../src/core/corpus';
import { resolveTrainConfig } from '../../../src/core/model/config';
import { Tagger } from '../../../src/core/model/tagger';
import type { TrainerState } from '../../../src/core/train/checkpoint';
import { evaluateTagger } from '../../../src/core/train/evaluate';
import { extendTagger } from '../../../src/core/train/fine-tune';
import { runTraining } from '../../../src/core/train/pipeline';
import { suggestLabelMap } from '../../../src/core/train/prepare';
import { learningRateAt, shouldStopEarly, trainTagger } from '../../../src/core/train/trainer';
import type { TaggedSentence } from '../../../src/core/types';
import { DATA_DIR } from '../data';

const data = DATA_DIR;
const tf = loadTensorflow();
const small = { hidden: 16, charHidden: 8, charDim: 8, wordDim: 16, layers: 1 };
const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-pipeline-'));

async function sentences(file: string, from: number, count: number): Promise<TaggedSentence[]> {
  return (await readCorpus(path.join(data, file))).sentences.slice(from, from + count);
}

function writeConll(file: string, list: readonly TaggedSentence[]): string {
  fs.writeFileSync(
    file,
    `${list.map((s) => s.tokens.map((t, i) => `${t}\t${s.tags[i]}`).join('\n')).join('\n\n')}\n`,
  );
  return file;
}

test('without a dev set there is no early stopping: a CRF whose loss stays above 1 trains every epoch', async () => {
  const train = (await sentences('wnut17/wnut17train.conll', 0, 150)).filter((s) =>
    s.tags.some((t) => t !== 'O'),
  );
  const result = await trainTagger({
    name: 'no-dev',
    model: { ...small, task: 'entities', tagScheme: 'IOB2', output: 'crf' },
    train: { epochs: 4, patience: 1, minEpochs: 1, learningRate: 0.01 },
    trainSentences: train,
  });
  try {
    assert.ok(
      result.history.every((h) => h.loss > 1),
      result.history.map((h) => h.loss).join(', '),
    );
    assert.equal(result.history.length, 4);
    assert.equal(result.stopReason, 'epochs');
    // The lowest training loss is kept (not "epoch 0").
    const lowest = result.history.reduce((a, b) => (b.loss < a.loss ? b : a));
    assert.equal(result.bestEpoch, lowest.epoch);
  } finally {
    result.tagger.dispose();
  }
});

test('early stopping waits for the minimum epochs, never fires while the dev score is 0, then honours patience', () => {
  const config = resolveTrainConfig({ minEpochs: 5, patience: 2 });
  const state = (epoch: number, bestScore: number, sinceBest: number): TrainerState => ({
    epoch,
    bestEpoch: epoch - sinceBest,
    bestScore,
    history: [],
    steps: 0,
    sinceBest,
  });
  assert.equal(shouldStopEarly(config, state(3, 0.4, 3), true), false, 'before minEpochs');
  assert.equal(shouldStopEarly(config, state(9, 0, 8), true), false, 'dev F1 still 0');
  assert.equal(shouldStopEarly(config, state(6, 0.4, 1), true), false, 'within patience');
  assert.equal(shouldStopEarly(config, state(6, 0.4, 2), true), true);
  assert.equal(shouldStopEarly(config, state(20, -3, 15), false), false, 'no dev set: never');
  // Ma & Hovy's inverse-time decay: lr / (1 + 0.05·e).
  const sgd = resolveTrainConfig({ optimizer: 'sgd', learningRate: 0.015, lrTimeDecay: 0.05 });
  assert.equal(learningRateAt(sgd, 1), 0.015);
  assert.ok(Math.abs(learningRateAt(sgd, 11) - 0.015 / 1.5) < 1e-12);
});

test('Ma & Hovy’s recipe (SGD with momentum and decay, IOBES, dropout on input and output) trains a CRF tagger', async () => {
  const train = (await sentences('wnut17/wnut17train.conll', 0, 300)).filter((s) =>
    s.tags.some((t) => t !== 'O'),
  );
  const dir = tempDir();
  const outcome = await runTraining({
    name: 'ma-hovy',
    out: path.join(dir, 'model'),
    trainFiles: [writeConll(path.join(dir, 'train.conll'), train)],
    preset: 'ma-hovy',
    model: { ...small },
    train: { epochs: 3, minEpochs: 1 },
  });
  assert.ok(outcome?.folder);
  assert.equal(outcome.plan.scheme, 'BIOES');
  assert.equal(outcome.plan.train.optimizer, 'sgd');
  const losses = outcome.training.history.map((h) => h.loss);
  assert.ok(losses[2]! < losses[0]!, `loss falls: ${losses.join(', ')}`);
  const tagger = await Tagger.load(outcome.folder);
  try {
    assert.equal(tagger.card.config.dropoutAt, 'input-output');
    assert.ok(tagger.labels.some((l) => l.startsWith('S-')) && tagger.labels.some((l) => l.startsWith('E-')));
    assert.match(fs.readFileSync(path.join(outcome.folder, 'MODEL.md'), 'utf8'), /SGD/);
  } finally {
    tagger.dispose();
  }
});

test('a model that finds no entity is a failure with its likely cause; the comparison says when labels do not match', async () => {
  const dir = tempDir();
  const train = (await sentences('wnut17/wnut17train.conll', 0, 40)).filter((s) =>
    s.tags.some((t) => t !== 'O'),
  );
  const trainFile = writeConll(path.join(dir, 'train.conll'), train);
  const outcome = await runTraining({
    name: 'tiny',
    out: path.join(dir, 'tiny'),
    trainFiles: [trainFile],
    devRatio: 0.3,
    model: small,
    train: { epochs: 1, minEpochs: 1 },
  });
  assert.ok(outcome);
  assert.equal(outcome.evaluation?.split, 'dev');
  assert.equal(outcome.evaluation?.f1, 0);
  assert.equal(outcome.verdict.usable, false);
  assert.match(
    outcome.verdict.message!,
    /dev F1 is 0: .* sentences with \d+ entities are likely too little data/,
  );

  // Dev labels that the training data lacks entirely: the cause is the mismatch.
  const renamed = train.map((s) => ({ ...s, tags: s.tags.map((t) => (t === 'O' ? t : `${t[0]}-THING`)) }));
  const devFile = writeConll(path.join(dir, 'dev.conll'), renamed.slice(0, 10));
  const warnings: string[] = [];
  const mismatched = await runTraining(
    {
      name: 'mismatch',
      out: path.join(dir, 'mismatch'),
      trainFiles: [trainFile],
      devFiles: [devFile],
      model: small,
      train: { epochs: 1, minEpochs: 1 },
      compareWith: path.join(dir, 'tiny'),
    },
    { warning: (w) => warnings.push(w) },
  );
  assert.match(warnings.join('\n'), /only 10 sentences/);
  assert.match(warnings.join('\n'), /entity types the training data lacks \(THING\)/);
  assert.match(mismatched!.verdict.message!, /share none with the training data's/);
  assert.equal(mismatched!.comparison?.comparable, false);
  assert.match(
    (mismatched!.comparison as { reason: string }).reason,
    /its labels \(.*person.*\) share none with the data's \(THING\)/,
  );
});

test('fine-tuning: the vocabulary grows, new labels are added, old weights kept, and the start model is epoch 0 unless it lacks a label of the data', async () => {
  const ewt = await sentences('uner-en-ewt/en_ewt-ud-dev.iob2', 0, 400);
  const base = await trainTagger({
    name: 'base',
    model: { ...small, task: 'entities', tagScheme: 'IOB2', output: 'crf' },
    train: { epochs: 2, learningRate: 0.01 },
    trainSentences: ewt,
  });
  const wnut = (await sentences('wnut17/wnut17train.conll', 0, 120)).map((s) => ({
    ...s,
    tags: s.tags.map((t) => t.replace('person', 'PER').replace('location', 'LOC')),
  }));
  try {
    const before = tf.memory().numTensors;
    const { tagger, extension } = extendTagger(base.tagger, wnut, { name: 'tuned', seed: 3 });
    try {
      const old = base.tagger.card.vocabularies;
      const grown = tagger.card.vocabularies;
      assert.deepEqual(grown.words.slice(0, old.words.length), old.words);
      assert.deepEqual(grown.labels.slice(0, old.labels.length), old.labels);
      assert.ok(extension.newWords > 100, `${extension.newWords} new words`);
      const expected = [...new Set(wnut.flatMap((s) => s.tags))].filter((l) => !old.labels.includes(l));
      assert.ok(expected.includes('B-product'));
      assert.deepEqual([...extension.newLabels].sort(), expected.sort());
      const oldWeights = new Map(base.tagger.network.weights().map((w) => [w.name, w]));
      for (const weight of tagger.network.weights()) {
        const previous = oldWeights.get(weight.name)!;
        if (weight.name === 'word_embedding') {
          assert.deepEqual(weight.data.subarray(0, previous.data.length), previous.data);
        } else if (weight.name === 'dense_kernel') {
          const columns = weight.shape[1]!;
          const oldColumns = previous.shape[1]!;
          for (let r = 0; r < previous.shape[0]!; r++)
            assert.deepEqual(
              weight.data.subarray(r * columns, r * columns + oldColumns),
              previous.data.subarray(r * oldColumns, (r + 1) * oldColumns),
            );
        } else if (weight.shape.every((d, i) => d === previous.shape[i])) {
          assert.deepEqual(weight.data, previous.data, weight.name);
        }
      }
    } finally {
      tagger.dispose();
    }
    assert.equal(tf.memory().numTensors, before);

    // Through the pipeline: the start model scores first (epoch 0); with a zero learning rate no
    // epoch can beat it, so its weights are what is saved, when it knows every label of the data.
    const dir = tempDir();
    await base.tagger.save(path.join(dir, 'base'));
    const dev = await sentences('uner-en-ewt/en_ewt-ud-test.iob2', 0, 150);
    const fineTune = (name: string, data: TaggedSentence[]) =>
      runTraining({
        name,
        out: path.join(dir, name),
        trainFiles: [writeConll(path.join(dir, `${name}.conll`), data)],
        devFiles: [writeConll(path.join(dir, 'dev.conll'), dev)],
        initFrom: path.join(dir, 'base'),
        compareWith: path.join(dir, 'base'),
        train: { epochs: 2, minEpochs: 1, learningRate: 1e-12 },
      });
    const knownLabels = new Set(base.tagger.labels);
    const outcome = await fineTune(
      'tuned',
      wnut.map((s) => ({ ...s, tags: s.tags.map((t) => (knownLabels.has(t) ? t : 'O')) })),
    );
    assert.ok(outcome?.training.initialDev);
    assert.equal(outcome.training.bestEpoch, 0);
    assert.deepEqual(outcome.plan.extension?.newLabels, []);
    const tuned = await Tagger.load(outcome.folder!);
    try {
      assert.equal(evaluateTagger(tuned, dev).score, outcome.training.initialDev.score);
    } finally {
      tuned.dispose();
    }
    assert.equal(outcome.comparison?.comparable, true);

    // With labels the start model lacks (product, group…), it is scored but cannot be the result:
    // it could never tag them. The first epoch is kept even though it scores no better.
    const extended = await fineTune('tuned-new-labels', wnut);
    assert.ok(extended?.training.initialDev);
    assert.equal(extended.plan.extension?.newLabels.includes('B-product'), true);
    assert.equal(extended.training.bestEpoch, 1);
    const withNew = await Tagger.load(extended.folder!);
    try {
      assert.ok(withNew.labels.includes('B-PER') && withNew.labels.includes('B-product'));
    } finally {
      withNew.dispose();
    }
  } finally {
    base.tagger.dispose();
  }
});

test('label mapping suggestions: WNUT-17 types onto PER/ORG/LOC', () => {
  assert.deepEqual(
    suggestLabelMap(
      ['person', 'location', 'corporation', 'group', 'product', 'creative-work', 'PER'],
      ['LOC', 'ORG', 'PER'],
    ),
    { person: 'PER', location: 'LOC', corporation: 'ORG', group: 'ORG' },
  );
});

test('an IOB1 file trained with IOB2 files is read in its own scheme, not "repaired" chunk by chunk', async () => {
  const dir = tempDir();
  const wikigold = (await sentences('wikigold/wikigold.conll.txt', 0, 60)).filter((s) =>
    s.tags.some((t) => t !== 'O'),
  );
  const wnut = (await sentences('wnut17/wnut17train.conll', 0, 200)).filter((s) =>
    s.tags.some((t) => t !== 'O'),
  );
  const iob1 = path.join(dir, 'wikigold.conll');
  fs.writeFileSync(
    iob1,
    `${wikigold.map((s) => s.tokens.map((t, i) => `${t} ${s.tags[i]}`).join('\n')).join('\n\n')}\n`,
  );
  assert.ok(
    wikigold.some(
      (s) =>
        s.tags[0]?.startsWith('I-') || s.tags.some((t, i) => t.startsWith('I-') && s.tags[i - 1] === 'O'),
    ),
  );
  const outcome = await runTraining({
    name: 'mixed',
    out: path.join(dir, 'mixed'),
    trainFiles: [writeConll(path.join(dir, 'wnut.conll'), wnut), iob1],
    model: small,
    train: { epochs: 1, minEpochs: 1 },
  });
  assert.equal(outcome?.plan.data.repairs, 0);
  const types = Object.keys(outcome!.plan.data.train.labelCounts);
  assert.ok(types.includes('MISC') && types.includes('person'), types.join(', '));
});

test('--vector-eval-words: the dev and test words that have a pretrained vector join the vocabulary, no other', async () => {
  const dir = tempDir();
  const [train, dev, testSet] = await Promise.all([
    sentences('wnut17/wnut17train.conll', 0, 30),
    sentences('wnut17/emerging.dev.conll', 0, 20),
    sentences('wnut17/emerging.test.annotated', 0, 20),
  ]);
  const trainWords = new Set(train.flatMap((s) => s.tokens.map((t) => t.toLowerCase())));
  const evalWords = [...dev, ...testSet].flatMap((s) => s.tokens.map((t) => t.toLowerCase()));
  const unseen = [...new Set(evalWords.filter((w) => !trainWords.has(w)))];
  assert.ok(unseen.length > 20, `${unseen.length} dev and test words not in train`);
  // Vectors for every other unseen word and for one frequent word the data lacks.
  const withVector = new Set([...unseen.filter((_, i) => i % 2 === 0), 'zyzzyva']);
  const vectors = {
    dimensions: small.wordDim,
    lookup: (w: string) => (withVector.has(w) ? new Float32Array(small.wordDim).fill(0.5) : undefined),
    has: (w: string) => withVector.has(w),
    extraWords: ['zyzzyva'],
  };
  const files = {
    trainFiles: [writeConll(path.join(dir, 'train.conll'), train)],
    devFiles: [writeConll(path.join(dir, 'dev.conll'), dev)],
    testFiles: [writeConll(path.join(dir, 'test.conll'), testSet)],
  };
  const vocabulary = async (vectorEvalWords: boolean) => {
    const out = path.join(dir, `eval-words-${vectorEvalWords}`);
    await runTraining(
      {
        name: 'eval-words',
        out,
        ...files,
        model: small,
        train: { epochs: 1, minEpochs: 1 },
        vectors: true,
        vectorEvalWords,
      },
      { loadVectors: () => vectors },
    );
    const tagger = await Tagger.load(out);
    try {
      return new Set(tagger.card.vocabularies.words);
    } finally {
      tagger.dispose();
    }
  };
  const without = await vocabulary(false);
  const withEval = await vocabulary(true);
  assert.ok(without.has('zyzzyva') && withEval.has('zyzzyva'));
  for (const word of unseen) {
    assert.equal(without.has(word), false, word);
    assert.equal(withEval.has(word), withVector.has(word), word);
  }
});

test('a training file given twice is seen twice per epoch, and the card names it once with its count', async () => {
  const dir = tempDir();
  const inDomain = writeConll(
    path.join(dir, 'in-domain.conll'),
    await sentences('wnut17/wnut17train.conll', 0, 30),
  );
  const other = writeConll(
    path.join(dir, 'other.conll'),
    await sentences('wnut17/wnut17train.conll', 30, 20),
  );
  const outcome = await runTraining({
    name: 'weighted',
    out: path.join(dir, 'model'),
    trainFiles: [inDomain, other, inDomain],
    model: small,
    train: { epochs: 1, minEpochs: 1 },
  });
  assert.ok(outcome?.folder);
  assert.equal(outcome.plan.data.train.sentences, 2 * 30 + 20);
  const card = fs.readFileSync(path.join(outcome.folder, 'MODEL.md'), 'utf8');
  assert.match(
    card,
    /Trained on `in-domain\.conll` ×2, `other\.conll`: 80 sentences, [\d,]+ tokens per epoch \(a file given ×N counted N times\)/,
  );
});
