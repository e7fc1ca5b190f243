/**
 * Hostile corpus input (issue 12, items 6 to 13): deep JSON, endless lines, bytes that are not
 * UTF-8, control characters and prototype names as labels, a folder that does not exist, text
 * with zero-width spaces. Each is a `file:line` problem or just works; none is an internal error,
 * a silent change or half an output.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseCorpus, readCorpus } from '../../src/core/corpus';
import { runTraining } from '../../src/core/train/pipeline';
import { fastestTimes } from '../unit/timing';
import { hostileDir, repoRoot, runCli } from './helpers';
import { deepJsonLine, endlessText, writeBratLine } from './inputs';

const dir = hostileDir('corpus');
const file = (name: string, content: string | Buffer) => {
  const at = path.join(dir, name);
  fs.writeFileSync(at, content);
  return at;
};
const model = path.join(repoRoot, 'models/en-ner');

const bratLine = (name: string, tokens: number) => writeBratLine(dir, name, tokens);

const expectOneProblemLine = (stderr: string, pattern: RegExp) => {
  assert.doesNotMatch(stderr, /internal error|RangeError|at .*\.js:\d+/);
  assert.match(stderr, pattern);
};

describe('hostile corpus input', () => {
  it('item 6: JSON nested 5,000 and 1,000,000 deep is a file:line problem in stats, convert and train', () => {
    for (const depth of [5_000, 1_000_000]) {
      const deep = file(`deep-${depth}.jsonl`, deepJsonLine(depth));
      const runs = [
        runCli(['stats', deep]),
        runCli(['convert', '--to', 'conll', deep, path.join(dir, 'deep.conll')]),
        runCli(['train', '--train', deep, '--out', path.join(dir, 'deep-model'), '--epochs', '1']),
      ];
      for (const run of runs) {
        assert.equal(run.status, 1, run.stderr);
        expectOneProblemLine(run.stderr, new RegExp(`deep-${depth}\\.jsonl:1: span 1: `));
      }
    }
  });

  it('item 7: brat reads one long line in linear time (as fast as the same tokens in short lines)', async () => {
    const read = (name: string, perLine: number) => {
      const { ann } = writeBratLine(dir, name, 100_000, perLine);
      return async () => {
        const sentences = (await readCorpus(ann)).sentences;
        assert.equal(sentences.length, 100_000 / perLine);
        assert.equal(
          sentences.reduce((n, s) => n + s.tags.filter((t) => t !== 'O').length, 0),
          10_000,
        );
      };
    };
    const ms = await fastestTimes({ lines: read('short-lines', 100), line: read('one-line', 100_000) });
    // The quadratic reader's cost grew with the square of the line (10k/20k/40k tokens on one
    // line: 0.59/1.50/4.38 s): 10^10 against 10^7 here.
    assert.ok(
      ms.line / ms.lines < 5,
      `100k tokens on one line ${ms.line.toFixed(0)} ms, in lines of 100 ${ms.lines.toFixed(0)} ms`,
    );
  });

  it('item 7: a 200k-token brat line converts to brat and JSONL and back, unchanged (1M: npm run bench)', () => {
    const { txt, ann } = bratLine('long-line', 200_000);
    const toBrat = runCli(['convert', '--to', 'brat', ann, path.join(dir, 'long-line-copy.ann')]);
    assert.equal(toBrat.status, 0, toBrat.stderr);
    assert.equal(fs.readFileSync(path.join(dir, 'long-line-copy.txt'), 'utf8'), fs.readFileSync(txt, 'utf8'));
    assert.equal(fs.readFileSync(path.join(dir, 'long-line-copy.ann'), 'utf8'), fs.readFileSync(ann, 'utf8'));
    const jsonl = path.join(dir, 'long-line.jsonl');
    assert.equal(runCli(['convert', '--to', 'jsonl', ann, jsonl]).status, 0);
    const back = runCli(['convert', '--to', 'brat', jsonl, path.join(dir, 'long-line-back.ann')]);
    assert.equal(back.status, 0, back.stderr);
    assert.equal(fs.readFileSync(path.join(dir, 'long-line-back.ann'), 'utf8'), fs.readFileSync(ann, 'utf8'));
  });

  it('item 8: a JSON or brat line of a 17 MiB sentence is refused at once with a clear message, in little memory (50 MB: npm run bench)', () => {
    const text = endlessText(17 * 2 ** 20);
    const json = file('big.jsonl', `${JSON.stringify({ text, spans: [[0, 2, 'LOC']] })}\n`);
    file('big.txt', `${text}\n`);
    const ann = file('big.ann', 'T1\tLOC 0 2\tw0\n');
    for (const [input, reported] of [
      [json, 'big.jsonl'],
      [ann, 'big.txt'],
    ] as const) {
      const run = runCli(['convert', '--to', 'jsonl', input, path.join(dir, 'big-out.jsonl')]);
      assert.equal(run.status, 1, run.stderr);
      expectOneProblemLine(
        run.stderr,
        new RegExp(`${reported}:1: a sentence of 17,825,792 characters, longer than`),
      );
      assert.ok(run.peakRssMiB < 1024, `peak RSS ${run.peakRssMiB.toFixed(0)} MiB`);
    }
  });

  it('item 9: convert creates a missing output folder, and says in one line when a file is in the way', () => {
    const input = file('small.conll', 'Angela\tB-PER\nMerkel\tI-PER\n\n');
    const target = path.join(dir, 'not', 'yet', 'there', 'out.jsonl');
    const made = runCli(['convert', '--to', 'jsonl', input, target]);
    assert.equal(made.status, 0, made.stderr);
    assert.match(fs.readFileSync(target, 'utf8'), /"label":"PER"/);
    const blocked = runCli(['convert', '--to', 'jsonl', input, path.join(input, 'out.jsonl')]);
    assert.equal(blocked.status, 1);
    assert.deepEqual(blocked.stderr.trim().split('\n').length, 1, blocked.stderr);
    expectOneProblemLine(blocked.stderr, /cannot write \(a file is in the way of the folder/);
  });

  it('item 10: invalid UTF-8 is a file:line problem, its sentence is skipped, the rest is read', async () => {
    const latin1 = file(
      'latin1.conll',
      Buffer.from('Angela\tB-PER\n\nM\xfcnchen\tB-LOC\nist\tO\n\nParis\tB-LOC\n', 'latin1'),
    );
    const read = await readCorpus(latin1);
    assert.deepEqual(
      read.problems.map((p) => `${p.line}: ${p.message}`),
      ['3: invalid UTF-8 at byte 2 of the line (is the file in another encoding?)'],
    );
    assert.deepEqual(
      read.sentences.map((s) => s.tokens.join(' ')),
      ['Angela', 'Paris'],
    );
    assert.ok(!read.sentences.some((s) => s.tokens.some((t) => t.includes('\uFFFD'))));
    // The same bytes through the in-memory reader (an editor buffer of a file on disk).
    const inMemory = parseCorpus(fs.readFileSync(latin1), { path: latin1 });
    assert.deepEqual(
      inMemory.problems.map((p) => p.line),
      [3],
    );
    const stats = runCli(['stats', latin1]);
    assert.equal(stats.status, 1);
    assert.match(stats.stderr, /latin1\.conll:3: invalid UTF-8/);
    // brat: an entity read from a line that is not UTF-8 skips its sentence, not its label.
    file('latin1-brat.txt', 'Angela visits Paris\n');
    const ann = file(
      'latin1-brat.ann',
      Buffer.from('T1\tPER 0 6\tAngela\nT2\tL\xd6C 14 19\tParis\n', 'latin1'),
    );
    const brat = await readCorpus(ann);
    assert.deepEqual(
      brat.problems.map((p) => `${path.basename(p.path)}:${p.line}`),
      ['latin1-brat.ann:2'],
    );
    assert.deepEqual(brat.sentences, []);
  });

  it('item 11: a NUL or other control character in a tag or label is a problem with its line', async () => {
    const cases: Array<[string, string, number]> = [
      ['nul.conll', 'Angela\tB-PER\u0000X\nMerkel\tI-PER\n\nParis\tB-LOC\n', 1],
      [
        'nul-tags.jsonl',
        '{"tokens":["Paris"],"tags":["B-LOC"]}\n{"tokens":["Angela"],"tags":["B-P\\u0000ER"]}\n',
        2,
      ],
      [
        'nul-spans.jsonl',
        '{"text":"Angela","spans":[[0,6,"PER\\u001b"]]}\n{"text":"Paris","spans":[[0,5,"LOC"]]}\n',
        1,
      ],
    ];
    for (const [name, content, line] of cases) {
      const read = await readCorpus(file(name, content));
      assert.deepEqual(
        read.problems.map((p) => p.line),
        [line],
        name,
      );
      assert.match(read.problems[0]!.message, /control character U\+00(00|1B)/);
      assert.ok(
        read.sentences.every((s) => s.tags.every((t) => !/[\u0000-\u001f]/.test(t))),
        name,
      );
      assert.equal(read.sentences.length, 1, name);
    }
    file('nul-brat.txt', 'Angela visits Paris\n');
    const brat = await readCorpus(file('nul-brat.ann', 'T1\tPER\u0000X 0 6\tAngela\n'));
    assert.equal(brat.problems[0]!.line, 1);
    assert.match(brat.problems[0]!.message, /control character U\+0000/);
  });

  it('item 12: labels named constructor, toString, hasOwnProperty, __proto__ count like any other', async () => {
    const names = ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf'];
    const lines: string[] = [];
    for (let s = 0; s < 30; s++) {
      for (const name of names) lines.push(`w${s}\tB-${name}`, `x${s}\tO`);
      lines.push('');
    }
    const corpus = file('prototype.conll', `${lines.join('\n')}\n`);
    const stats = runCli(['stats', '--json', corpus]);
    assert.equal(stats.status, 0, stats.stderr);
    const parsed = JSON.parse(stats.stdout) as {
      labels: Record<string, number>;
      entities: Record<string, number>;
    };
    assert.deepEqual(Object.entries(parsed.entities).sort(), names.map((n) => [n, 30]).sort());
    assert.equal(Object.keys(parsed.labels).length, names.length + 1);
    const text = runCli(['stats', corpus]);
    assert.doesNotMatch(text.stdout, /native code|function/);
    const out = path.join(dir, 'prototype-model');
    await runTraining({
      name: 'prototype',
      out,
      trainFiles: [corpus],
      preset: 'fast',
      model: { wordDim: 8, charDim: 4, charHidden: 4, hidden: 8, layers: 1 },
      train: { epochs: 1 },
      maxSteps: 2,
    });
    const card = JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8')) as {
      trainingData: { labelCounts: Record<string, number> };
      metrics: Record<string, { perLabel?: Record<string, unknown> }>;
    };
    assert.deepEqual(
      Object.entries(card.trainingData.labelCounts).sort(),
      [['O', 150], ...names.map((n) => [`B-${n}`, 30])].sort(),
    );
    const perLabel = Object.values(card.metrics).find((m) => m?.perLabel)?.perLabel ?? {};
    assert.deepEqual(Object.keys(perLabel).sort(), [...names].sort());
  });

  it('item 13: tag --to jsonl tags text with zero-width spaces, and never prints half an output', () => {
    const zwsp = file(
      'zwsp.txt',
      'Rome is old.\nAngela\u200bMerkel visited Paris\u200b and \u200b Berlin.\n',
    );
    const run = runCli(['tag', '--model', model, '--to', 'jsonl', zwsp]);
    assert.equal(run.status, 0, run.stderr);
    const records = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { tokens: Array<{ text: string }>; spans: Array<{ label: string }> });
    assert.equal(records.length, 2);
    assert.deepEqual(
      records[1]!.tokens.map((t) => t.text),
      ['Angela', 'Merkel', 'visited', 'Paris', 'and', 'Berlin', '.'],
    );
    assert.ok(records[1]!.spans.length > 0);
    // A sentence CoNLL cannot hold (a token with a tab), after one it can: nothing is printed.
    const corpus = file(
      'unwritable.jsonl',
      '{"tokens":["Paris"],"tags":["O"]}\n{"tokens":["New\\tYork","is","big"],"tags":["O","O","O"]}\n',
    );
    const bad = runCli(['tag', '--model', model, '--to', 'conll', '--input', 'corpus', corpus]);
    assert.equal(bad.status, 1);
    assert.equal(bad.stdout, '', 'nothing printed before the error');
    expectOneProblemLine(bad.stderr, /unwritable\.jsonl:2: /);
  });
});
