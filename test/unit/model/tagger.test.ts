import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadTensorflow } from '../../../src/core/backend';
import { encodeBatch } from '../../../src/core/encode/batch';
import { MODEL_FILE, ModelFileError } from '../../../src/core/model/io';
import { Tagger } from '../../../src/core/model/tagger';
import { tokenizeSentences } from '../../../src/core/tokens';
import { evaluateTagger, trainTagger } from '../../../src/core/train/trainer';
import { sentences, small, tempDir } from './fixtures';

const tf = loadTensorflow();

for (const cell of ['lstm', 'gru'] as const) {
  test(`a POS tagger (${cell}) learns on EWT, and save → load gives identical predictions`, async () => {
    const train = await sentences('ud-en-ewt/en_ewt-ud-train.conllu', 600);
    const dev = await sentences('ud-en-ewt/en_ewt-ud-dev.conllu', 200);
    const result = await trainTagger({
      name: 'test-pos',
      model: { ...small, cell, dropout: 0.2 },
      train: { epochs: 3, seed: 7, learningRate: 0.01 },
      trainSentences: train,
      devSentences: dev,
    });
    const tagger = result.tagger;
    try {
      const losses = result.history.map((h) => h.loss);
      assert.ok(losses[losses.length - 1]! < losses[0]!, `loss should fall: ${losses.join(', ')}`);
      const accuracy = evaluateTagger(tagger, dev).accuracy;
      // A most-frequent-tag baseline on EWT is ~17% (NOUN); learning must clearly beat it.
      assert.ok(accuracy > 0.5, `dev accuracy ${accuracy}`);

      const folder = tempDir();
      await tagger.save(folder);
      const loaded = await Tagger.load(folder);
      try {
        const inputs = dev.slice(0, 40).map((s) => s.tokens);
        const before = tagger.tag(inputs);
        const after = loaded.tag(inputs);
        assert.deepEqual(
          after.map((s) => s.map((t) => t.tag)),
          before.map((s) => s.map((t) => t.tag)),
        );
        // Embeddings are stored as float16: confidences agree closely, not bit for bit.
        for (let i = 0; i < before.length; i++) {
          for (let j = 0; j < before[i]!.length; j++) {
            assert.ok(Math.abs(after[i]![j]!.confidence - before[i]![j]!.confidence) < 1e-2);
          }
        }
        assert.deepEqual(loaded.labels, tagger.labels);
        assert.equal(loaded.card.config.cell, cell);
      } finally {
        loaded.dispose();
      }
    } finally {
      tagger.dispose();
    }
  });
}

test('a sentence tagged alone and inside a padded batch gets identical scores', async () => {
  const train = await sentences('ud-en-ewt/en_ewt-ud-train.conllu', 100);
  const { tagger } = await trainTagger({
    name: 'pad',
    model: small,
    train: { epochs: 1 },
    trainSentences: train,
  });
  try {
    const short = ['The', 'cat', 'sat', '.'];
    const long = train.find((s) => s.tokens.length > 20)!.tokens;
    for (const output of ['softmax'] as const) {
      assert.equal(tagger.card.config.output, output);
      const alone = tagger.network.predict(
        encodeBatch([{ tokens: short }], tagger.index, tagger.card.config),
      );
      const batched = tagger.network.predict(
        encodeBatch(
          [{ tokens: long }, { tokens: short }, { tokens: long.slice(0, 7) }],
          tagger.index,
          tagger.card.config,
        ),
      );
      const a = alone[0]!;
      const b = batched[1]!;
      assert.equal(b.length, short.length);
      assert.ok(Math.abs(b.logProbability - a.logProbability) < 1e-4);
      assert.ok(Math.abs(b.entropy - a.entropy) < 1e-4);
      assert.deepEqual(Array.from(b.labels), Array.from(a.labels));
      const K = tagger.labels.length;
      for (let i = 0; i < short.length * K; i++) {
        assert.ok(Math.abs(b.distributions[i]! - a.distributions[i]!) < 1e-5);
      }
    }
  } finally {
    tagger.dispose();
  }
});

test('a CRF entity tagger trains on WNUT-17, decodes only valid IOB2, and tags text with offsets', async () => {
  const train = (await sentences('wnut17/wnut17train.conll', 400)).filter((s) =>
    s.tags.some((t) => t !== 'O'),
  );
  const { tagger } = await trainTagger({
    name: 'crf',
    model: { ...small, task: 'entities', tagScheme: 'IOB2', output: 'crf' },
    train: { epochs: 2, learningRate: 0.01 },
    trainSentences: train,
  });
  try {
    const tagged = tagger.tag(train.slice(0, 50).map((s) => s.tokens));
    for (const sentence of tagged) {
      sentence.forEach((token, i) => {
        if (token.tag.startsWith('I-')) {
          const previous = sentence[i - 1]?.tag ?? 'O';
          assert.ok(
            previous !== 'O' && previous.slice(2) === token.tag.slice(2),
            `${previous} → ${token.tag}`,
          );
        }
        assert.ok(token.confidence > 0 && token.confidence <= 1 + 1e-6);
      });
    }
    const text = 'I met Justin Bieber in London yesterday.\r\nThen  🎉 we left!';
    const result = tagger.tagText(text, tokenizeSentences);
    for (const token of result.tokens) assert.equal(text.slice(token.start, token.end), token.text);
    for (const span of result.spans) assert.equal(text.slice(span.start, span.end), span.text);
  } finally {
    tagger.dispose();
  }
});

test('1,000 tag calls leave the tensor count unchanged', async () => {
  const train = await sentences('ud-en-ewt/en_ewt-ud-train.conllu', 60);
  const { tagger } = await trainTagger({
    name: 'leak',
    model: small,
    train: { epochs: 1 },
    trainSentences: train,
  });
  try {
    tagger.tag([['warm', 'up']]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 1000; i++) tagger.tag([train[i % train.length]!.tokens]);
    assert.equal(tf.memory().numTensors, before);
  } finally {
    tagger.dispose();
  }
});

test('the same seed gives the same loss curve; cancellation stops a run and keeps a usable tagger', async () => {
  const train = await sentences('ud-en-ewt/en_ewt-ud-train.conllu', 200);
  const curve = async () => {
    const losses: number[] = [];
    const { tagger } = await trainTagger({
      name: 'seed',
      model: small,
      train: { epochs: 1, seed: 3 },
      trainSentences: train,
      progressEvery: 1,
      onProgress: (p) => {
        if (p.kind === 'step') losses.push(p.loss);
      },
    });
    tagger.dispose();
    return losses;
  };
  const first = await curve();
  const second = await curve();
  assert.ok(first.length >= 5);
  assert.deepEqual(second, first);

  const controller = new AbortController();
  let steps = 0;
  const cancelled = await trainTagger({
    name: 'cancel',
    model: small,
    train: { epochs: 5 },
    trainSentences: train,
    signal: controller.signal,
    progressEvery: 1,
    onProgress: (p) => {
      if (p.kind === 'step' && ++steps === 3) controller.abort();
    },
  });
  try {
    assert.equal(cancelled.cancelled, true);
    assert.equal(cancelled.steps, 3);
    assert.equal(cancelled.tagger.tag([['a', 'test']])[0]!.length, 2);
  } finally {
    cancelled.tagger.dispose();
  }
});

test('missing, corrupt, truncated and newer-version model folders give clear errors', async () => {
  const train = await sentences('ud-en-ewt/en_ewt-ud-train.conllu', 30);
  const { tagger } = await trainTagger({
    name: 'files',
    model: small,
    train: { epochs: 1 },
    trainSentences: train,
  });
  const folder = tempDir();
  await tagger.save(folder);
  tagger.dispose();
  const json = JSON.parse(fs.readFileSync(path.join(folder, MODEL_FILE), 'utf8'));
  const variant = (edit: (dir: string) => void) => {
    const dir = tempDir();
    for (const f of fs.readdirSync(folder)) fs.copyFileSync(path.join(folder, f), path.join(dir, f));
    edit(dir);
    return dir;
  };
  const expectError = async (dir: string, pattern: RegExp) => {
    await assert.rejects(
      Tagger.load(dir),
      (err: unknown) => err instanceof ModelFileError && pattern.test(err.message),
    );
  };
  await expectError(tempDir(), /no model\.json here/);
  await expectError(
    variant((d) => fs.writeFileSync(path.join(d, MODEL_FILE), '{"format": "spanl')),
    /corrupt \(invalid JSON/,
  );
  await expectError(
    variant((d) => fs.truncateSync(path.join(d, json.weightsFile), 100)),
    /truncated or corrupt/,
  );
  await expectError(
    variant((d) =>
      fs.writeFileSync(path.join(d, MODEL_FILE), JSON.stringify({ ...json, formatVersion: 99 })),
    ),
    /newer than this Spanlight supports/,
  );
  await expectError(
    variant((d) => fs.rmSync(path.join(d, json.weightsFile))),
    /is missing/,
  );
  await expectError(
    variant((d) =>
      fs.writeFileSync(
        path.join(d, MODEL_FILE),
        JSON.stringify({ ...json, config: { ...json.config, layers: 3 } }),
      ),
    ),
    /do not fit the model's config/,
  );
});

test('word dropout and learning-rate decay: validated, and a run with both still learns', async () => {
  const { resolveModelConfig, resolveTrainConfig } = await import('../../../src/core/model/config');
  assert.throws(() => resolveModelConfig({ wordDropout: 0.9 }), /wordDropout/);
  assert.throws(() => resolveTrainConfig({ lrDecay: 0 }), /lrDecay/);
  const train = await sentences('ud-en-ewt/en_ewt-ud-train.conllu', 300);
  const result = await trainTagger({
    name: 'decay',
    model: { ...small, wordDropout: 0.1 },
    train: { epochs: 3, learningRate: 0.01, lrDecay: 0.5, patience: 5 },
    trainSentences: train,
  });
  try {
    const losses = result.history.map((h) => h.loss);
    assert.ok(losses[2]! < losses[0]!, `loss should fall: ${losses.join(', ')}`);
    // Dropout of any kind is training-only: tagging twice gives the same answer.
    const sample = train.slice(0, 5).map((s) => s.tokens);
    assert.deepEqual(result.tagger.tag(sample), result.tagger.tag(sample));
  } finally {
    result.tagger.dispose();
  }
});

test('tagging many sentences at once (char states shared across batches) equals tagging each alone', async () => {
  const train = await sentences('wnut17/wnut17train.conll', 200);
  const { tagger } = await trainTagger({
    name: 'shared-chars',
    model: { ...small, task: 'entities', tagScheme: 'IOB2', output: 'crf' },
    train: { epochs: 1 },
    trainSentences: train,
  });
  try {
    const inputs = train.slice(0, 70).map((s) => s.tokens);
    const together = tagger.tag(inputs, { batchSize: 16 });
    inputs.forEach((tokens, i) => {
      const alone = tagger.tag([tokens])[0]!;
      assert.deepEqual(
        together[i]!.map((t) => t.tag),
        alone.map((t) => t.tag),
      );
      alone.forEach((t, j) => {
        assert.ok(Math.abs(t.confidence - together[i]![j]!.confidence) < 1e-5);
      });
    });
  } finally {
    tagger.dispose();
  }
});

test('with the char-state cache (a small one that must evict), tags equal the uncached ones, call after call', async () => {
  const train = await sentences('wnut17/wnut17train.conll', 200);
  const { tagger } = await trainTagger({
    name: 'cached-chars',
    model: { ...small, task: 'entities', tagScheme: 'IOB2', output: 'crf' },
    train: { epochs: 1 },
    trainSentences: train,
  });
  try {
    const inputs = train.slice(0, 60).map((s) => s.tokens);
    const expected = tagger.tag(inputs, { batchSize: 16 });
    tagger.cacheCharStates(150);
    const before = tf.memory().numTensors;
    // Overlapping slices: later calls find some words cached, some evicted, some new.
    for (const [from, to] of [
      [0, 30],
      [10, 60],
      [0, 60],
      [25, 26],
    ] as const) {
      const cached = tagger.tag(inputs.slice(from, to), { batchSize: 16 });
      cached.forEach((sentence, i) => {
        const reference = expected[from + i]!;
        assert.deepEqual(
          sentence.map((t) => t.tag),
          reference.map((t) => t.tag),
        );
        sentence.forEach((t, j) => {
          assert.ok(Math.abs(t.confidence - reference[j]!.confidence) < 1e-5);
        });
      });
    }
    assert.equal(tf.memory().numTensors, before);
  } finally {
    tagger.dispose();
  }
});

test('alternatives: the other labels by falling probability, as many as asked, never the chosen one', async () => {
  const train = await sentences('ud-en-ewt/en_ewt-ud-train.conllu', 150);
  const { tagger } = await trainTagger({
    name: 'alternatives',
    model: { ...small, task: 'pos' },
    train: { epochs: 1 },
    trainSentences: train,
  });
  try {
    const inputs = train.slice(0, 20).map((s) => s.tokens);
    const all = tagger.tag(inputs, { alternatives: 100 });
    const two = tagger.tag(inputs, { alternatives: 2 });
    const none = tagger.tag(inputs, { alternatives: 0 });
    all.forEach((sentence, i) => {
      sentence.forEach((token, j) => {
        const labels = token.alternatives.map((a) => a.label);
        assert.equal(labels.length, tagger.labels.length - 1);
        assert.ok(!labels.includes(token.tag));
        assert.deepEqual([...labels, token.tag].sort(), [...tagger.labels].sort());
        const probabilities = token.alternatives.map((a) => a.probability);
        assert.deepEqual(
          probabilities,
          [...probabilities].sort((a, b) => b - a),
        );
        assert.ok(token.confidence >= probabilities[0]!);
        assert.deepEqual(two[i]![j]!.alternatives, token.alternatives.slice(0, 2));
        assert.deepEqual(none[i]![j]!.alternatives, []);
      });
    });
  } finally {
    tagger.dispose();
  }
});
