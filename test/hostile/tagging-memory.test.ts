/**
 * Memory of the tagging process per tagged token (issue 12 leftovers): a call used to build the
 * whole document's results as objects (a prediction, a tagged token and its alternatives per
 * token) before packing them, so each call's peak grew by ~0.75–1 KB per token (VmHWM over 25k and
 * 400k tokens). Results are now packed batch by batch as the network's predictions come out.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { loadTensorflow } from '../../src/core/backend';
import { readCorpus } from '../../src/core/corpus';
import { Tagger } from '../../src/core/model/tagger';
import { TaggingProcess } from '../../src/extension/tagging-process/client';
import { corpusPath } from '../unit/data';
import { repoRoot } from './helpers';
import { procStatusMiB } from './measure';

const model = path.join(repoRoot, 'models/en-ner');

async function devSentences(): Promise<string[][]> {
  return (await readCorpus(corpusPath('uner-en-ewt/en_ewt-ud-dev.iob2'))).sentences.map((s) => s.tokens);
}

describe('tagging memory', () => {
  it('a 200,000-token document tags twice in a tagging process whose JavaScript heap is capped at 48 MiB (needed over 72)', async () => {
    // The model, its vocabularies and the char-state cache take ~35 MiB of the heap; the rest
    // must do for the call. Building the results as objects took ~0.75 KB a token of peak RSS,
    // and this call died of heap exhaustion under a 72 MiB cap; packed, it fits in 40.
    const dev = await devSentences(); // 2,001 sentences, 25,149 tokens
    const document = Array.from({ length: 8 }, () => dev).flat();
    const child = new TaggingProcess({
      script: path.join(repoRoot, 'dist/tagging-process.js'),
      env: { SPANLIGHT_BACKEND: 'tensorflow' },
      execArgv: ['--max-old-space-size=48'],
    });
    try {
      const tagger = await child.load(model);
      for (let call = 0; call < 2; call++) {
        const tagged = await tagger.tag(document, { alternatives: 3 });
        assert.equal(tagged.length, document.length);
        assert.deepEqual(
          tagged.at(-1)!.map((t) => t.token),
          document.at(-1),
        );
      }
      const peak = procStatusMiB(child.pid!, 'VmHWM');
      assert.ok(peak < 700, `the tagging process peaked at ${peak.toFixed(0)} MiB`);
    } finally {
      child.dispose();
    }
  });

  it('many calls leave tensors and the live heap flat', async () => {
    const tf = loadTensorflow();
    // The test runner starts without --expose-gc; a context made after this flag has gc().
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const document = (await devSentences()).slice(0, 300);
    const tagger = await Tagger.load(model);
    try {
      tagger.cacheCharStates();
      tagger.tagPacked(document);
      const tensors = tf.memory().numTensors;
      gc();
      const heap = process.memoryUsage().heapUsed;
      for (let i = 0; i < 40; i++) tagger.tagPacked(document);
      assert.equal(tf.memory().numTensors, tensors, 'no tensor left behind');
      gc();
      const grown = process.memoryUsage().heapUsed - heap;
      assert.ok(
        grown < 2 * 2 ** 20,
        `the live heap grew by ${(grown / 2 ** 20).toFixed(1)} MiB over 40 calls`,
      );
    } finally {
      tagger.dispose();
    }
  });
});
