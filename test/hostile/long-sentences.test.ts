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
import { DATA_DIR } from '../unit/data';
import { hostileDir, repoRoot, sampleCorpus } from './helpers';

const sharedData = DATA_DIR;

/**
 * About `chars` characters of real English (UD EWT's words, without those holding punctuation that
 * could end a sentence): one sentence.
 */
function oneSentenceDocument(chars: number): string {
  const words: string[] = [];
  let length = 0;
  for (const line of fs
    .readFileSync(path.join(sharedData, 'ud-en-ewt/en_ewt-ud-train.conllu'), 'utf8')
    .split('\n')) {
    const form = line.split('\t')[1];
    const ending = /[.!?…;:"'“”‘’()[\]{}]/; // nothing that could end a sentence or close one
    if (!form || !/^\d+$/.test(line.split('\t')[0]!) || ending.test(form)) continue;
    words.push(form);
    length += form.length + 1;
    if (length >= chars) break;
  }
  return words.join(' ');
}

/** Peak resident memory of a process (VmHWM), MiB. */
function peakRssMiB(pid: number): number {
  const kib = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib) / 1024;
}

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

  it('a 1 MB one-sentence document tags in the tagging process under 800 MiB, every token', async () => {
    const text = oneSentenceDocument(1_000_000);
    const sentences = tokenizeSentences(text);
    assert.equal(sentences.length, 1, 'the document is one sentence');
    const tokens = sentences[0]!.tokens.map((t) => t.value);
    // The bundled process, as the editor forks it.
    const process = new TaggingProcess({ script: path.join(repoRoot, 'dist/tagging-process.js') });
    try {
      const tagger = await process.load(path.join(repoRoot, 'models/en-ner'));
      const [tagged] = await tagger.tag([tokens], { alternatives: 0 });
      assert.equal(tagged!.length, tokens.length);
      assert.deepEqual(
        tagged!.slice(-3).map((t) => t.token),
        tokens.slice(-3),
      );
      assert.ok(
        tagged!.some((t) => t.tag !== 'O'),
        'some entities are found',
      );
      const peak = peakRssMiB(process.pid!);
      assert.ok(
        peak < 800,
        `the tagging process peaked at ${peak.toFixed(0)} MiB for ${tokens.length} tokens`,
      );
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
