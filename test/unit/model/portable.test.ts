import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { readCorpus } from '../../../src/core/corpus';
import { encodeBatch } from '../../../src/core/encode/batch';
import { readModelFolder } from '../../../src/core/model/folder';
import { createMatmul, gemm } from '../../../src/core/model/matmul';
import { PortableTagger } from '../../../src/core/model/portable-tagger';
import { Tagger } from '../../../src/core/model/tagger';
import { tokenizeSentences } from '../../../src/core/tokens';
import { corpusPath } from '../data';

const root = path.resolve(__dirname, '../../..');
const TOLERANCE = 1e-4;

test('gemm: blocked products equal the plain triple loop, with bias, accumulation and odd sizes', () => {
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31 - 0.5;
  };
  for (const [rows, m, n] of [
    [1, 1, 1],
    [5, 3, 7],
    [9, 50, 200],
    [4, 8, 2],
  ] as const) {
    const x = Float32Array.from({ length: rows * m }, random);
    const w = Float32Array.from({ length: m * n }, random);
    const wt = new Float32Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) wt[j * m + i] = w[i * n + j]!;
    const bias = Float32Array.from({ length: n }, random);
    const start = Float32Array.from({ length: rows * n }, random);
    const withBias = new Float32Array(rows * n);
    gemm(x, 0, rows, m, wt, n, withBias, 0, bias, false);
    const accumulated = start.slice();
    gemm(x, 0, rows, m, wt, n, accumulated, 0, undefined, true);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let i = 0; i < m; i++) sum += x[r * m + i]! * w[i * n + j]!;
        assert.ok(Math.abs(withBias[r * n + j]! - (sum + bias[j]!)) < 1e-5, `${rows}×${m}×${n} [${r},${j}]`);
        assert.ok(Math.abs(accumulated[r * n + j]! - (sum + start[r * n + j]!)) < 1e-5);
      }
    }
  }
});

test('the WebAssembly SIMD product equals the JavaScript one, strided, accumulating, odd sizes, call after call', () => {
  const { matmul, kind } = createMatmul();
  assert.equal(kind, 'wasm-simd', 'Node 20 has WebAssembly SIMD');
  let seed = 11;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31 - 0.5;
  };
  for (const [rows, m, n, stride] of [
    [1, 1, 1, 1],
    [3, 5, 7, 9],
    [9, 50, 200, 200],
    [33, 100, 400, 600],
    [4, 8, 2, 3],
  ] as const) {
    const x = Float32Array.from({ length: rows * m + 3 }, random);
    const wt = Float32Array.from({ length: m * n }, random);
    const bias = Float32Array.from({ length: n }, random);
    const start = Float32Array.from({ length: rows * stride + 2 }, random);
    for (const accumulate of [false, true]) {
      const expected = start.slice();
      const got = start.slice();
      gemm(x, 3, rows, m, wt, n, expected, 2, accumulate ? undefined : bias, accumulate, stride);
      matmul(x, 3, rows, m, wt, n, got, 2, accumulate ? undefined : bias, accumulate, stride);
      for (let i = 0; i < got.length; i++) {
        assert.ok(
          Math.abs(got[i]! - expected[i]!) < 1e-5,
          `${rows}×${m}×${n}/${stride} at ${i}: ${got[i]} vs ${expected[i]}`,
        );
      }
    }
  }
});

test('gemm-wasm.ts holds gemm.wat as assembled now (scripts/build-wasm.mjs --check)', () => {
  const check = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-wasm.mjs'), '--check'], {
    encoding: 'utf8',
  });
  assert.equal(check.status, 0, check.stderr);
});

/** Every fourth sentence of the EWT test set (the shipped models' test set), as tokens. */
async function ewtTestSentences(): Promise<string[][]> {
  const { sentences } = await readCorpus(corpusPath('ud-en-ewt/en_ewt-ud-test.conllu'));
  return sentences.filter((_, i) => i % 4 === 0).map((s) => s.tokens);
}

for (const model of ['en-ner', 'en-pos']) {
  test(`${model}: the portable backend's emissions are within ${TOLERANCE} of native TensorFlow's on the EWT test set`, async () => {
    const folder = path.join(root, 'models', model);
    const sentences = await ewtTestSentences();
    const native = await Tagger.load(folder);
    const portable = await PortableTagger.load(folder);
    try {
      const K = native.labels.length;
      let worst = 0;
      let tokens = 0;
      for (let from = 0; from < sentences.length; from += 64) {
        const chunk = sentences.slice(from, from + 64);
        const batch = encodeBatch(
          chunk.map((tokens) => ({ tokens })),
          native.index,
          native.card.config,
        );
        const logits = native.network.logits(batch, false);
        const expected = logits.dataSync();
        logits.dispose();
        const got = portable.emissions(chunk);
        chunk.forEach((sentence, b) => {
          for (let t = 0; t < sentence.length; t++) {
            for (let k = 0; k < K; k++) {
              const difference = Math.abs(expected[(b * batch.maxLength + t) * K + k]! - got[b]![t * K + k]!);
              worst = Math.max(worst, difference);
            }
          }
          tokens += sentence.length;
        });
      }
      assert.ok(tokens > 6_000, `only ${tokens} tokens`);
      assert.ok(worst < TOLERANCE, `the largest difference is ${worst}`);

      // And so the same labels, confidences and alternatives.
      const sample = sentences.slice(0, 400);
      const nativeTags = native.tag(sample);
      const portableTags = portable.tag(sample);
      nativeTags.flat().forEach((expectedToken, i) => {
        const token = portableTags.flat()[i]!;
        assert.equal(token.tag, expectedToken.tag);
        assert.ok(Math.abs(token.confidence - expectedToken.confidence) < TOLERANCE);
        assert.deepEqual(
          token.alternatives.map((a) => a.label),
          expectedToken.alternatives.map((a) => a.label),
        );
      });
    } finally {
      native.dispose();
      portable.dispose();
    }
  });
}

test('portable tagging: text in, spans with offsets out, the same as native; cached char states change nothing', async () => {
  const folder = path.join(root, 'models', 'en-ner');
  const native = await Tagger.load(folder);
  const portable = await PortableTagger.load(folder);
  try {
    const text =
      'Angela Merkel met Emmanuel Macron in Paris.\n\nMicrosoft and Google opened labs in Toronto, said the University of Toronto. Pneumonoultramicroscopicsilicovolcanoconiosis!';
    const expected = native.tagText(text, tokenizeSentences);
    const first = portable.tagText(text, tokenizeSentences);
    assert.deepEqual(
      first.spans.map((s) => `${s.label}:${s.text}`),
      expected.spans.map((s) => `${s.label}:${s.text}`),
    );
    assert.ok(first.spans.some((s) => s.label === 'PER' && s.text === 'Angela Merkel'));
    assert.deepEqual(first.sentences, expected.sentences);
    portable.cacheCharStates();
    const cold = portable.tag([['Paris', 'and', 'London'], [], ['Paris']]);
    const warm = portable.tag([['Paris', 'and', 'London'], [], ['Paris']]);
    assert.deepEqual(warm, cold);
    assert.deepEqual(cold[1], []);
    // Longer sentences than the network sees at once are tagged in windows, every token once.
    const long = Array.from({ length: 620 }, (_, i) => (i % 7 === 0 ? 'Paris' : 'and'));
    const [tagged] = portable.tag([long]);
    assert.equal(tagged!.length, 620);
    assert.deepEqual(
      tagged!.map((t) => t.token),
      long,
    );
    assert.equal(portable.backend, 'portable');
  } finally {
    native.dispose();
    portable.dispose();
  }
});

test('GRU and LSTM networks of any shape: portable emissions within the tolerance of native ones', async () => {
  const { card } = await readModelFolder(path.join(root, 'models', 'en-ner'));
  const sentences = (await ewtTestSentences()).slice(0, 120);
  for (const config of [
    { cell: 'gru', layers: 2, casingDim: 8, output: 'crf' },
    { cell: 'gru', layers: 1, casingDim: 0, output: 'softmax', hidden: 37, charHidden: 13 },
    { cell: 'lstm', layers: 3, casingDim: 0, output: 'softmax', hidden: 21, charHidden: 7 },
  ] as const) {
    // Random weights: the arithmetic is compared, not what a trained model has learnt.
    const native = Tagger.create({ ...card, config: { ...card.config, ...config } }, { seed: 3 });
    try {
      const portable = new PortableTagger(native.card, native.network.weights());
      const batch = encodeBatch(
        sentences.map((tokens) => ({ tokens })),
        native.index,
        native.card.config,
      );
      const logits = native.network.logits(batch, false);
      const expected = logits.dataSync();
      logits.dispose();
      const got = portable.emissions(sentences);
      const K = native.labels.length;
      let worst = 0;
      sentences.forEach((sentence, b) => {
        for (let i = 0; i < sentence.length * K; i++) {
          const t = Math.floor(i / K);
          worst = Math.max(worst, Math.abs(expected[(b * batch.maxLength + t) * K + (i % K)]! - got[b]![i]!));
        }
      });
      assert.ok(worst < TOLERANCE, `${JSON.stringify(config)}: the largest difference is ${worst}`);
      assert.deepEqual(
        portable.tag(sentences.slice(0, 20)).map((s) => s.map((t) => t.tag)),
        native.tag(sentences.slice(0, 20)).map((s) => s.map((t) => t.tag)),
      );
    } finally {
      native.dispose();
    }
  }
});
