/**
 * The model-in-the-loop, measured with a simulated annotator who reviews sentences perfectly
 * (the gold tags are the oracle). Pool: UNER English EWT dev (2,001 sentences); test: UNER English
 * EWT test. Each run starts from a model or from nothing (scratch): the shipped en-ner, which was
 * trained on the pool, or en-ner-without-pool, en-ner's recipe trained without the pool with its
 * epochs capped (bench/loop-start-model.ts, built once and cached). In rounds of 50
 * sentences the annotator reviews the sentences a strategy picks: `uncertainty` (the most
 * uncertain by total token entropy, the review queue's default, scored by the version in use;
 * a repeat of a sentence picked or reviewed before goes last, as in the queue:
 * core/loop/uncertainty.ts) or `random`. After
 * each round the editor's path runs as is: a retrain job on the training worker
 * (core/loop/retrain.ts: the version in use fine-tuned on every reviewed sentence, 20% held out),
 * keep-if-not-worse (core/loop/versions.ts), the kept version swapped into the tagging process,
 * which then tags a visible region (the swap time), the test set (F1) and the pool (uncertainty).
 * While each retrain runs, this (main) thread samples its event-loop delay, as the extension
 * host's would be (the same measure as bench/worker-training.ts).
 *
 *   npm run bench:loop [-- --seeds 3 --rounds 16 | --max-sentences 800  --round-size 50
 *                          --inits en-ner,en-ner-without-pool,scratch --start-epochs 12
 *                          --strategies uncertainty,random --measure total-entropy --repeats
 *                          --learning-rate 0.001 --retrain-settings '{"epochs":10}'
 *                          --en-ner DIR --resume --out FILE]
 *
 * The defaults are the full grid (3 seeds × 2 inits × 2 strategies × 16 rounds of 50); the flags
 * make a smaller one when time is short. Seeds run outermost and the results are rewritten after
 * each finished run, over the seeds that every strategy finished.
 *
 * Writes bench/results/loop.json (finished runs also to loop-partial.json, which `--resume` reads
 * after an interruption) and prints one line per init. Needs `npm run build` (worker and tagging
 * process bundles) and ../shared/data.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { readCorpus } from '../src/core/corpus';
import { createXorshiftRandom, shuffled } from '../src/core/encode/random';
import type { ReviewedSentence } from '../src/core/loop/reviewed';
import {
  mostUncertain,
  repeatKey,
  UNCERTAINTY_MEASURES,
  type UncertaintyMeasure,
  uncertainty,
} from '../src/core/loop/uncertainty';
import {
  currentVersion,
  emptyHistory,
  nextVersionNumber,
  recordRetrain,
  startHistory,
  type VersionHistory,
  versionFolder,
} from '../src/core/loop/versions';
import type { TrainConfig } from '../src/core/model/config';
import { readModelCard } from '../src/core/model/io';
import { scoreTags } from '../src/core/train/evaluate';
import type { TaggedSentence } from '../src/core/types';
import { type RemoteTagger, TaggingProcess } from '../src/extension/tagging-process/client';
import { bundledWorkerFactory, TrainingWorkerHost } from '../src/extension/training/worker-host';
import { type StartModel, startModelWithoutPool, WITHOUT_POOL } from './loop-start-model';

const root = path.resolve(__dirname, '..');
const data = process.env.SPANLIGHT_DATA ?? path.resolve(root, '..', 'shared', 'data');
const POOL = path.join(data, 'uner-en-ewt', 'en_ewt-ud-dev.iob2');
const TEST = path.join(data, 'uner-en-ewt', 'en_ewt-ud-test.iob2');

type Strategy = 'uncertainty' | 'random';
const INITS = ['en-ner', WITHOUT_POOL, 'scratch'] as const;
type Init = (typeof INITS)[number];

interface Options {
  seeds: number;
  rounds: number;
  roundSize: number;
  inits: Init[];
  strategies: Strategy[];
  measure: UncertaintyMeasure;
  enNer: string;
  /** The epoch cap of the en-ner-without-pool start model. */
  startEpochs: number;
  resume: boolean;
  out: string;
  /** Uncertainty asks for repeats of a sentence as the review queue did before it passed them over (--repeats). */
  repeats: boolean;
  /** Settings over the editor's retrain settings (core/loop/retrain.ts), to try others: --retrain-settings JSON, --learning-rate. */
  retrainSettings: Partial<TrainConfig>;
}

/** One simulated annotator: one init, one strategy, one seed. */
interface RunRecord {
  init: Init;
  strategy: Strategy;
  seed: number;
  /** [reviewed sentences, test F1 in percent] after each round (and before the first, from a model). */
  curve: Array<[number, number]>;
  retrains: Array<{
    reviewed: number;
    seconds: number;
    kept: boolean;
    reason: string;
    lagP95Ms: number;
    lagMaxMs: number;
  }>;
  swapMs: number[];
  /** Tokens of the reviewed sentences after each round: what the annotator read (long sentences cost more). */
  reviewedTokens?: number[];
}

function parseOptions(argv: string[]): Options {
  const value = (name: string) => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const list = <T extends string>(name: string, allowed: readonly T[], fallback: T[]): T[] => {
    const given = value(name)?.split(',');
    if (!given) return fallback;
    for (const g of given)
      if (!allowed.includes(g as T)) throw new Error(`--${name}: ${g} is not one of ${allowed.join(', ')}`);
    return given as T[];
  };
  const positive = (name: string, fallback: number) => {
    const n = Number(value(name) ?? fallback);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: ${value(name)} is not a whole number ≥ 1`);
    return n;
  };
  const roundSize = positive('round-size', 50);
  const maxSentences = value('max-sentences');
  const learningRate = value('learning-rate');
  const retrainSettings = JSON.parse(value('retrain-settings') ?? '{}') as Partial<TrainConfig>;
  return {
    seeds: positive('seeds', 3),
    // --max-sentences 400 is --rounds 8 with rounds of 50.
    rounds: maxSentences ? Math.ceil(positive('max-sentences', 800) / roundSize) : positive('rounds', 16),
    roundSize,
    retrainSettings: { ...retrainSettings, ...(learningRate ? { learningRate: Number(learningRate) } : {}) },
    inits: list('inits', INITS, ['en-ner', 'scratch']),
    strategies: list('strategies', ['uncertainty', 'random'] as const, ['uncertainty', 'random']),
    // The review queue's default (spanlight.review.uncertainty totalTokenEntropy).
    measure: list('measure', UNCERTAINTY_MEASURES, ['total-entropy'])[0]!,
    enNer: path.resolve(value('en-ner') ?? path.join(root, 'models', 'en-ner')),
    startEpochs: positive('start-epochs', 12),
    resume: argv.includes('--resume'),
    repeats: argv.includes('--repeats'),
    out: path.resolve(value('out') ?? path.join(root, 'bench', 'results', 'loop.json')),
  };
}

const quantile = (values: readonly number[], q: number) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low]! + (sorted[Math.ceil(at)]! - sorted[low]!) * (at - low);
};
const round1 = (x: number) => Math.round(x * 10) / 10;
/** A difference as the line prints it: +1.5, −0.2. */
const signed = (x: number | undefined) =>
  x === undefined || Number.isNaN(x) ? '–' : x < 0 ? `−${-x}` : `+${x}`;

/** A region as the editor tags after a swap: the visible ~600 tokens of a document. */
function visibleRegion(test: readonly TaggedSentence[]): string[][] {
  const region: string[][] = [];
  let tokens = 0;
  for (const s of test) {
    if (tokens >= 600) break;
    region.push(s.tokens);
    tokens += s.tokens.length;
  }
  return region;
}

async function f1On(tagger: RemoteTagger, sentences: readonly TaggedSentence[]): Promise<number> {
  const tagged = await tagger.tag(
    sentences.map((s) => s.tokens),
    { alternatives: 0, batchSize: 64 },
  );
  const evaluation = scoreTags(
    'entities',
    sentences.map((s) => s.tags),
    tagged.map((t) => t.map((x) => x.tag)),
  );
  return 100 * (evaluation.f1 ?? 0);
}

async function simulate(
  options: Options,
  init: Init,
  strategy: Strategy,
  seed: number,
  pool: readonly TaggedSentence[],
  test: readonly TaggedSentence[],
  host: TrainingWorkerHost,
  tagging: TaggingProcess,
  work: string,
  start: { folder: string; name: string } | undefined,
  log: (line: string) => void,
): Promise<RunRecord> {
  const taskFolder = path.join(work, `${init}-${strategy}-${seed}`);
  await fs.promises.mkdir(taskFolder, { recursive: true });
  let history: VersionHistory = start
    ? await startHistory(taskFolder, 'entities', start)
    : emptyHistory('entities');
  const record: RunRecord = { init, strategy, seed, curve: [], retrains: [], swapMs: [], reviewedTokens: [] };
  const region = visibleRegion(test);
  let tagger: RemoteTagger | undefined;
  const current = currentVersion(history);
  if (current) {
    tagger = await tagging.load(versionFolder(taskFolder, current));
    record.curve.push([0, round1(await f1On(tagger, test))]);
  }
  const randomOrder = shuffled(
    pool.map((_, i) => i),
    createXorshiftRandom((seed * 2654435761) >>> 0),
  );
  const reviewed = new Set<number>();
  const reviewedSentences: ReviewedSentence[] = [];
  for (let r = 1; r <= options.rounds; r++) {
    const remaining = randomOrder.filter((i) => !reviewed.has(i));
    let chosen: number[];
    if (strategy === 'uncertainty' && tagger) {
      const scored = await tagger.tagScored(
        remaining.map((i) => pool[i]!.tokens),
        { alternatives: 0, batchSize: 64 },
      );
      const scores = scored.map((s) =>
        uncertainty(options.measure, {
          tokens: s.tokens.length,
          logProbability: s.logProbability,
          entropy: s.entropy,
        }),
      );
      chosen = mostUncertain(
        scores,
        options.roundSize,
        options.repeats ? undefined : remaining.map((i) => repeatKey(pool[i]!.tokens)),
        reviewedSentences.map((s) => repeatKey(s.tokens)),
      ).map((k) => remaining[k]!);
    } else {
      // Random, and uncertainty before there is any model to be uncertain with.
      chosen = remaining.slice(0, options.roundSize);
    }
    for (const i of chosen) {
      reviewed.add(i);
      const s = pool[i]!;
      reviewedSentences.push({ key: s.id ?? `pool-${i}`, tokens: s.tokens, tags: s.tags });
    }
    const base = currentVersion(history);
    const histogram = monitorEventLoopDelay({ resolution: 5 });
    histogram.enable();
    const started = performance.now();
    const job = host.retrain({
      task: 'entities',
      taskFolder,
      version: nextVersionNumber(history),
      ...(base ? { base: { folder: versionFolder(taskFolder, base), version: base.version } } : {}),
      kind: 'entities',
      reviewed: reviewedSentences,
      vectors: init === 'scratch',
      // Each simulated annotator's retrains have their own seed (batch order, dropout): from a
      // model, uncertainty's picks are otherwise the same in every seed and so are its curves.
      train: { seed, ...options.retrainSettings },
    });
    const result = await job.done;
    const seconds = (performance.now() - started) / 1000;
    histogram.disable();
    if (result.status !== 'retrained' || !result.result)
      throw new Error(`retrain ${init}/${strategy}/${seed} round ${r} ended with ${JSON.stringify(result)}`);
    const recorded = await recordRetrain(taskFolder, history, result.result);
    history = recorded.history;
    const lag = { p95: histogram.percentile(95) / 1e6, max: histogram.max / 1e6 };
    record.retrains.push({
      reviewed: reviewedSentences.length,
      seconds: round1(seconds),
      kept: recorded.decision.keep,
      reason: recorded.decision.reason,
      lagP95Ms: round1(lag.p95),
      lagMaxMs: round1(lag.max),
    });
    if (recorded.version) {
      // The swap: the new version loaded in the tagging process and the visible region retagged.
      const swapStarted = performance.now();
      const next = await tagging.load(versionFolder(taskFolder, recorded.version));
      await next.tag(region);
      record.swapMs.push(Math.round(performance.now() - swapStarted));
      await tagger?.dispose();
      tagger = next;
    }
    const f1 = tagger ? await f1On(tagger, test) : 0;
    record.curve.push([reviewedSentences.length, round1(f1)]);
    record.reviewedTokens!.push(reviewedSentences.reduce((n, s) => n + s.tokens.length, 0));
    log(
      `${init} ${strategy} seed ${seed} round ${r}: ${reviewedSentences.length} reviewed, retrain ${seconds.toFixed(1)} s, ${recorded.decision.keep ? `v${recorded.version?.version} kept` : 'not kept'} (${recorded.decision.reason}), test F1 ${f1.toFixed(1)}`,
    );
  }
  await tagger?.dispose();
  await fs.promises.rm(taskFolder, { recursive: true, force: true });
  return record;
}

/** Mean F1 over seeds at each point of the curve. */
function meanCurve(records: readonly RunRecord[]): Array<[number, number]> {
  const byCount = new Map<number, number[]>();
  for (const r of records) for (const [n, f1] of r.curve) byCount.set(n, [...(byCount.get(n) ?? []), f1]);
  return [...byCount]
    .sort((a, b) => a[0] - b[0])
    .map(([n, values]) => [n, round1(values.reduce((a, b) => a + b, 0) / values.length)]);
}

function summarize(options: Options, init: Init, all: readonly RunRecord[], startModel?: string) {
  // Strategies are compared on the same seeds: only seeds every strategy has finished count.
  const seeds = [...new Set(all.filter((r) => r.init === init).map((r) => r.seed))].filter((seed) =>
    options.strategies.every((s) => all.some((r) => r.init === init && r.strategy === s && r.seed === seed)),
  );
  const mine = all.filter((r) => r.init === init && seeds.includes(r.seed));
  const curves = Object.fromEntries(
    options.strategies.map((s) => [s, meanCurve(mine.filter((r) => r.strategy === s))]),
  ) as Record<Strategy, Array<[number, number]>>;
  const retrains = mine.flatMap((r) => r.retrains);
  const at400 = retrains.filter((t) => t.reviewed === 400).map((t) => t.seconds);
  const swaps = mine.flatMap((r) => r.swapMs);
  const lags = retrains.map((t) => t.lagP95Ms);
  const f1At = (strategy: Strategy, n: number) => curves[strategy]?.find(([m]) => m === n)?.[1];
  const points = (curves.uncertainty ?? []).filter(([n]) => n > 0).map(([n]) => n);
  const behind = points.filter((n) => (f1At('uncertainty', n) ?? 0) < (f1At('random', n) ?? 0));
  const start = f1At('uncertainty', 0) ?? f1At('random', 0);
  return {
    init,
    ...(startModel ? { model: startModel } : {}),
    seeds: seeds.length,
    seedList: seeds,
    measure: options.measure,
    roundSize: options.roundSize,
    curves,
    retrainSeconds: {
      p50: round1(
        quantile(
          retrains.map((t) => t.seconds),
          0.5,
        ),
      ),
      max: round1(Math.max(...retrains.map((t) => t.seconds))),
      p50At400: round1(quantile(at400, 0.5)),
    },
    swapMs: { p50: Math.round(quantile(swaps, 0.5)), max: Math.max(...swaps) },
    eventLoopLagMs: { p95: round1(Math.max(...lags)), p95Median: round1(quantile(lags, 0.5)) },
    // Mean tokens the annotator had read by 200 and 400 sentences, per strategy.
    reviewedTokens: Object.fromEntries(
      options.strategies.map((s) => {
        const at = (n: number) => {
          const counts = mine
            .filter((r) => r.strategy === s && r.reviewedTokens)
            .map((r) => r.reviewedTokens![r.curve.filter(([m]) => m > 0).findIndex(([m]) => m === n)])
            .filter((c): c is number => c !== undefined);
          return counts.length > 0
            ? Math.round(counts.reduce((a, b) => a + b, 0) / counts.length)
            : undefined;
        };
        return [s, { at200: at(200), at400: at(400) }];
      }),
    ),
    keptRetrains: retrains.filter((t) => t.kept).length,
    retrains: retrains.length,
    targets: {
      uncertaintyNeverBehind: behind.length === 0,
      behindAt: behind,
      gainAt400: round1((f1At('uncertainty', 400) ?? Number.NaN) - (f1At('random', 400) ?? Number.NaN)),
      ...(start !== undefined
        ? {
            startF1: start,
            uncertaintyAt200: f1At('uncertainty', 200),
            gainOverStartAt200: round1((f1At('uncertainty', 200) ?? Number.NaN) - start),
          }
        : {}),
    },
    runs: mine,
  };
}

function line(summary: ReturnType<typeof summarize>): string {
  const u = summary.curves.uncertainty ?? [];
  const r = summary.curves.random ?? [];
  const pick = (curve: Array<[number, number]>, n: number) =>
    curve.find(([m]) => m === n)?.[1]?.toFixed(1) ?? '–';
  const marks = [0, 50, 100, 200, 400, 800].filter(
    (n) => u.some(([m]) => m === n) || r.some(([m]) => m === n),
  );
  const t = summary.targets;
  return [
    `loop ${summary.init}${summary.model ? ` (${summary.model})` : ''}, ${summary.seeds} seed${summary.seeds === 1 ? '' : 's'}, ${summary.measure}:`,
    `F1 uncertainty/random ${marks.map((n) => `@${n} ${pick(u, n)}/${pick(r, n)}`).join(' ')};`,
    `uncertainty ${t.uncertaintyNeverBehind ? '≥ random at every point' : `behind random at ${t.behindAt.join(', ')}`}, ${signed(t.gainAt400)} at 400;`,
    ...('gainOverStartAt200' in t
      ? [`${signed(t.gainOverStartAt200)} over the start model (${t.startF1}) at 200;`]
      : []),
    `retrain p50 ${summary.retrainSeconds.p50} s (at 400: ${summary.retrainSeconds.p50At400} s, max ${summary.retrainSeconds.max} s);`,
    `swap p50 ${summary.swapMs.p50} ms; event-loop lag p95 ≤ ${summary.eventLoopLagMs.p95} ms;`,
    `${summary.keptRetrains}/${summary.retrains} retrains kept`,
  ].join(' ');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const log = (l: string) => process.stderr.write(`[bench:loop] ${l}\n`);
  for (const bundle of ['train-worker.js', 'tagging-process.js'])
    if (!fs.existsSync(path.join(root, 'dist', bundle)))
      throw new Error(`dist/${bundle} is missing: run \`npm run build\` first`);
  const [pool, test] = await Promise.all([readCorpus(POOL), readCorpus(TEST)]);
  log(
    `pool ${pool.sentences.length} sentences, test ${test.sentences.length}; inits ${options.inits.join(', ')}`,
  );
  // What each init starts from (scratch: nothing), and how its printed line names it.
  const starts = new Map<Init, { folder: string; name: string; description: string }>();
  if (options.inits.includes('en-ner')) {
    const startCard = await readModelCard(options.enNer);
    const sawPool = (startCard.trainingData?.files ?? []).includes(path.basename(POOL));
    log(`en-ner: ${options.enNer}`);
    if (sawPool)
      log(
        `note: ${startCard.name} was trained on ${path.basename(POOL)}, the pool: its sentences are not new to it`,
      );
    starts.set('en-ner', {
      folder: options.enNer,
      name: startCard.name ?? 'en-ner',
      description: `${startCard.name ?? 'en-ner'}${sawPool ? ', trained on the pool' : ''}`,
    });
  }
  if (options.inits.includes(WITHOUT_POOL)) {
    const built: StartModel = await startModelWithoutPool(root, POOL, options.startEpochs, log);
    log(
      `${WITHOUT_POOL}: ${built.reused ? 'reused from' : 'trained into'} ${path.relative(root, built.folder)}, at most ${built.epochs} epochs (best ${built.bestEpoch}), ${built.seconds} s of training`,
    );
    starts.set(WITHOUT_POOL, {
      folder: built.folder,
      name: WITHOUT_POOL,
      description: `en-ner's recipe without the pool, ${built.epochs} epochs at most, best ${built.bestEpoch}, trained in ${built.seconds} s`,
    });
  }
  const partialFile = options.out.replace(/\.json$/, '-partial.json');
  const records: RunRecord[] =
    options.resume && fs.existsSync(partialFile)
      ? (JSON.parse(fs.readFileSync(partialFile, 'utf8')) as RunRecord[])
      : [];
  const host = new TrainingWorkerHost(bundledWorkerFactory(path.join(root, 'dist', 'train-worker.js')));
  const tagging = new TaggingProcess({ script: path.join(root, 'dist', 'tagging-process.js') });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'spanlight-loop-bench-'));
  // loop.json is rewritten after every finished run, from the seeds finished so far: a run
  // stopped early still leaves honest results (the seeds they are over say how many).
  const writeResults = () => {
    fs.mkdirSync(path.dirname(options.out), { recursive: true });
    fs.writeFileSync(partialFile, `${JSON.stringify(records)}\n`);
    const runs = options.inits
      .map((init) => summarize(options, init, records, starts.get(init)?.description))
      .filter((run) => run.seeds > 0);
    fs.writeFileSync(
      options.out,
      `${JSON.stringify({ schema: 'spanlight-loop-bench/1', pool: path.basename(POOL), test: path.basename(TEST), ...(Object.keys(options.retrainSettings).length > 0 ? { retrainSettings: options.retrainSettings } : {}), runs }, null, 1)}\n`,
    );
    return runs;
  };
  try {
    // Seeds outermost: after each seed every init has whole curves for every strategy.
    for (let seed = 1; seed <= options.seeds; seed++)
      for (const init of options.inits)
        for (const strategy of options.strategies) {
          if (records.some((r) => r.init === init && r.strategy === strategy && r.seed === seed)) continue;
          records.push(
            await simulate(
              options,
              init,
              strategy,
              seed,
              pool.sentences,
              test.sentences,
              host,
              tagging,
              work,
              starts.get(init),
              log,
            ),
          );
          writeResults();
        }
  } finally {
    host.dispose();
    tagging.dispose();
    fs.rmSync(work, { recursive: true, force: true });
  }
  for (const summary of writeResults()) console.log(line(summary));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
