/**
 * Training in the editor's worker against the CLI, on the same data and settings (WNUT-17 train
 * slice, the fast preset, one epoch): the worker's training tokens/s should be within 10% of the
 * CLI's. While the worker trains, the main thread (standing in for the extension host, which
 * receives every progress message) samples its event-loop delay: p95 should stay ≤ 50 ms.
 *
 * Needs the bundles (`npm run build`). Run alone: `node --import tsx bench/worker-training.ts`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { presetFor } from '../src/core/train/presets';
import { bundledWorkerFactory, TrainingWorkerHost } from '../src/extension/training/worker-host';

const root = path.resolve(__dirname, '..');
const data = process.env.SPANLIGHT_DATA ?? path.resolve(root, '..', 'shared', 'data');

export interface WorkerTrainingBenchResult {
  sentences: number;
  repeats: number;
  cliTokensPerSecond: number[];
  workerTokensPerSecond: number[];
  /** Median worker / median CLI. */
  ratio: number;
  /** Main-thread event-loop delay while the worker trained (ms), the worst run's figures. */
  eventLoopLagMs: { p50: number; p95: number; p99: number; max: number };
  progressMessages: number;
}

const median = (values: number[]) => {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export async function benchWorkerTraining(
  options: { sentences?: number; repeats?: number; log?: (line: string) => void } = {},
): Promise<WorkerTrainingBenchResult> {
  const sentences = options.sentences ?? 1500;
  const repeats = options.repeats ?? 2;
  const log = options.log ?? ((line: string) => process.stderr.write(`[bench] ${line}\n`));
  const cli = path.join(root, 'dist', 'cli.js');
  const workerScript = path.join(root, 'dist', 'train-worker.js');
  if (!fs.existsSync(cli) || !fs.existsSync(workerScript))
    throw new Error('dist/cli.js or dist/train-worker.js is missing: run `npm run build` first');

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-worker-bench-'));
  const full = path.join(data, 'wnut17', 'wnut17train.conll');
  // The same slice for both sides: the first `sentences` sentences of WNUT-17 train.
  const blocks = fs
    .readFileSync(full, 'utf8')
    .split(/\n\s*\n/)
    .filter((b) => b.trim());
  const corpus = path.join(work, 'train.conll');
  fs.writeFileSync(corpus, `${blocks.slice(0, sentences).join('\n\n')}\n`);
  const preset = presetFor('fast', 'entities');
  const settings = { model: preset.model, train: { ...preset.train, epochs: 1, seed: 1 } };
  const configFile = path.join(work, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify(settings));

  const host = new TrainingWorkerHost(bundledWorkerFactory(workerScript));
  const lags: Array<ReturnType<typeof monitorEventLoopDelay>> = [];
  const cliRates: number[] = [];
  const workerRates: number[] = [];
  let progressMessages = 0;
  try {
    for (let r = 0; r < repeats; r++) {
      const run = spawnSync(
        process.execPath,
        [
          cli,
          'train',
          '--train',
          corpus,
          '--out',
          path.join(work, `cli-${r}`),
          '--config',
          configFile,
          '--json',
        ],
        {
          encoding: 'utf8',
          env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      );
      // One epoch of a speed run finds no entity, which the CLI reports as a failed model (exit 1);
      // only its speed matters here, so any run that printed its JSON summary counts.
      const out = run.stdout;
      if (run.status !== 0 && !out.trimStart().startsWith('{')) {
        throw new Error(`spanlight train exited with ${run.status ?? run.signal} and no summary`);
      }
      cliRates.push((JSON.parse(out) as { tokensPerSecond: number }).tokensPerSecond);
      log(`CLI run ${r + 1}: ${Math.round(cliRates.at(-1)!)} tokens/s`);

      // A fresh histogram per run, enabled once the worker trains, so the CLI runs are not in it.
      const histogram = monitorEventLoopDelay({ resolution: 5 });
      lags.push(histogram);
      const handle = host.start(
        {
          name: `bench-${r}`,
          task: 'entities',
          preset: 'custom',
          configFile,
          trainFiles: [corpus],
          devFiles: [],
          vectors: false,
          runsRoot: path.join(work, 'runs'),
          modelsRoot: path.join(work, 'models'),
        },
        {
          runStarted: () => histogram.enable(),
          event: () => {
            progressMessages++;
          },
        },
      );
      const result = await handle.done;
      histogram.disable();
      if (result.status !== 'finished')
        throw new Error(`the worker run ended with ${JSON.stringify(result)}`);
      workerRates.push(result.outcome.tokensPerSecond);
      log(`worker run ${r + 1}: ${Math.round(workerRates.at(-1)!)} tokens/s`);
    }
  } finally {
    host.dispose();
    fs.rmSync(work, { recursive: true, force: true });
  }
  const ms = (ns: number) => Math.round((ns / 1e6) * 10) / 10;
  const worst = (f: (h: (typeof lags)[number]) => number) => ms(Math.max(...lags.map(f)));
  return {
    sentences,
    repeats,
    cliTokensPerSecond: cliRates.map(Math.round),
    workerTokensPerSecond: workerRates.map(Math.round),
    ratio: Math.round((median(workerRates) / median(cliRates)) * 1000) / 1000,
    eventLoopLagMs: {
      p50: worst((h) => h.percentile(50)),
      p95: worst((h) => h.percentile(95)),
      p99: worst((h) => h.percentile(99)),
      max: worst((h) => h.max),
    },
    progressMessages,
  };
}

if (require.main === module) {
  benchWorkerTraining()
    .then((result) => console.log(JSON.stringify(result, null, 2)))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
