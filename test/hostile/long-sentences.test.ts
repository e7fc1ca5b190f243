/**
 * One very long sentence (issue 12, item 4): it used to be fed to the network whole, growing the
 * tagging process by ~14 KB per token until `std::bad_alloc`. Tagging now runs in overlapping
 * windows of at most MAX_WINDOW_TOKENS tokens; a training sentence over the cap is trained in
 * parts with a `file:line` warning.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { MAX_WINDOW_TOKENS, tokenWindows } from '../../src/core/model/tagger';
import { tokenizeSentences } from '../../src/core/tokens';
import { runTraining } from '../../src/core/train/pipeline';
import { TaggingProcess } from '../../src/extension/tagging-process/client';
import { hostileDir, repoRoot, sampleCorpus } from './helpers';
import { oneSentenceDocument } from './inputs';
import { procStatusMiB } from './measure';

describe('long sentences', () => {
  it('are cut into windows whose kept parts tile the sentence', () => {
    for (const length of [0, 1, 250, 251, 260, 449, 450, 451, 1_000, 12_345]) {
      const windows = tokenWindows(length);
      let covered = 0;
      for (const w of windows) {
        assert.ok(w.end - w.start <= MAX_WINDOW_TOKENS);
        assert.ok((w.start <= w.keepFrom && w.keepFrom < w.keepTo && w.keepTo <= w.end) || length === 0);
        assert.equal(w.keepFrom, covered, `length ${length}: kept parts are contiguous`);
        covered = w.keepTo;
      }
      assert.equal(covered, length);
    }
  });

  it('a 300 kB one-sentence document tags in the tagging process under 800 MiB, every token, on both backends (the 1 MB one is in npm run bench)', async () => {
    // ~56,000 tokens: the whole sentence at once took ~14 KB a token, over 1.1 GiB here.
    const text = oneSentenceDocument(300_000);
    const sentences = tokenizeSentences(text);
    assert.equal(sentences.length, 1, 'the document is one sentence');
    const tokens = sentences[0]!.tokens.map((t) => t.value);
    // The bundled process, as the editor forks it: a model loads on the portable backend first,
    // then moves to native TensorFlow (where the unbounded sentence used to end in std::bad_alloc).
    const process = new TaggingProcess({ script: path.join(repoRoot, 'dist/tagging-process.js') });
    const native = new Promise<boolean>((resolve) =>
      process.onEvent((e) => e.event === 'native' && resolve(e.ok)),
    );
    try {
      const folder = path.join(repoRoot, 'models/en-ner');
      let tagger = await process.load(folder);
      const tagAll = async (backend: string) => {
        const [tagged] = await tagger.tag([tokens], { alternatives: 0 });
        assert.equal(tagged!.length, tokens.length, backend);
        assert.deepEqual(
          tagged!.slice(-3).map((t) => t.token),
          tokens.slice(-3),
        );
        assert.ok(
          tagged!.some((t) => t.tag !== 'O'),
          `${backend}: some entities are found`,
        );
        const peak = procStatusMiB(process.pid!, 'VmHWM');
        assert.ok(
          peak < 800,
          `${backend}: the tagging process peaked at ${peak.toFixed(0)} MiB for ${tokens.length} tokens`,
        );
      };
      await tagAll(tagger.backend);
      assert.ok(await native, 'native TensorFlow takes over');
      tagger = await process.load(folder);
      assert.equal(tagger.backend, 'tensorflow');
      await tagAll(tagger.backend);
      // Still alive and answering.
      const [short] = await tagger.tag([['Angela', 'Merkel', 'visited', 'Paris']]);
      assert.equal(short!.length, 4);
    } finally {
      process.dispose();
    }
  });

  it('a training sentence over train.maxSentenceLength is trained in parts, with a file:line warning', async () => {
    const dir = hostileDir('long-train');
    const corpus = path.join(dir, 'long.conll');
    const sample = fs.readFileSync(sampleCorpus, 'utf8');
    const longSentence = Array.from(
      { length: 450 },
      (_, i) => `word${i % 7}\t${i % 50 === 0 ? 'B-LOC' : 'O'}`,
    );
    fs.writeFileSync(corpus, `${sample.trimEnd()}\n\n${longSentence.join('\n')}\n`);
    const line = sample.trimEnd().split('\n').length + 2;
    const warnings: string[] = [];
    const outcome = await runTraining(
      {
        name: 'long',
        out: path.join(dir, 'model'),
        trainFiles: [corpus],
        preset: 'fast',
        model: { wordDim: 8, charDim: 4, charHidden: 4, hidden: 8, layers: 1 },
        train: { epochs: 1, maxSentenceLength: 200 },
        maxSteps: 2,
      },
      { warning: (w) => warnings.push(w) },
    );
    assert.ok(outcome, 'training ran');
    const warning = warnings.find((w) => w.includes('maxSentenceLength'));
    assert.ok(warning, `a warning about the long sentence: ${warnings.join(' | ')}`);
    assert.match(
      warning,
      new RegExp(`${corpus.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line} \\(450 tokens\\)`),
    );
  });
});
