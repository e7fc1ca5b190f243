/**
 * Spanlight's side of the tagger benchmark, run in its own process so that its peak RSS is its
 * own: trains the reference network for a fixed number of batches on a fixed EWT slice, tags
 * the EWT test set in batches, measures single-sentence latency, and profiles where the time of
 * a training step goes. Prints one JSON document on stdout.
 *
 *   node --import tsx bench/tagger.ts [--cell lstm|gru] [--train-batches N] [--warmup-batches N]
 *     [--max-train-sentences N]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadTensorflow } from '../src/core/backend';
import { readCorpus } from '../src/core/corpus';
import { encodeBatch } from '../src/core/encode/batch';
import { bucketedBatches } from '../src/core/encode/buckets';
import type { CellKind } from '../src/core/kernels';
import { ClippedAdam } from '../src/core/train/optimizer';
import { trainTagger } from '../src/core/train/trainer';
import type { TaggedSentence } from '../src/core/types';

export interface TaggerBenchResult {
  schema: 'spanlight-tagger-bench/1';
  cell: CellKind;
  train: { tokensPerSecond: number; timedBatches: number; timedTokens: number; seconds: number };
  inference: {
    batch: { tokensPerSecond: number; sentences: number; tokens: number };
    latency: { p50Ms: number; p95Ms: number; sentences: number };
  };
  accuracy: { tokenAccuracy: number };
  /** Milliseconds per training batch, by phase (averaged over the profiled batches). */
  profile: {
    encodeMs: number;
    forwardMs: number;
    backwardMs: number;
    optimizerMs: number;
    tokensPerBatch: number;
  };
  memory: { peakRssBytes: number };
  parameters: number;
  environment: { onednn: string | null; loadAverage: number[] };
}

const dataDir = process.env.SPANLIGHT_DATA ?? path.resolve(__dirname, '..', '..', 'shared', 'data');

function percentile(values: number[], p: number): number {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function benchTagger(options: {
  cell: CellKind;
  trainBatches: number;
  warmupBatches: number;
  maxTrainSentences: number;
  latencySentences: number;
}): Promise<TaggerBenchResult> {
  const tf = loadTensorflow();
  const train = (await readCorpus(path.join(dataDir, 'ud-en-ewt/en_ewt-ud-train.conllu'))).sentences.slice(
    0,
    options.maxTrainSentences,
  );
  const test = (await readCorpus(path.join(dataDir, 'ud-en-ewt/en_ewt-ud-test.conllu'))).sentences;

  // Training: per-step timings from progress events; warm-up steps are excluded.
  const steps: Array<{ tokens: number; seconds: number }> = [];
  const result = await trainTagger({
    name: 'bench',
    model: { cell: options.cell },
    train: { epochs: 1000, batchSize: 32, seed: 1, patience: 1000 },
    trainSentences: train,
    progressEvery: 1,
    maxSteps: options.warmupBatches + options.trainBatches,
    onProgress: (p) => {
      if (p.kind === 'step') steps.push({ tokens: p.tokens, seconds: p.seconds });
    },
  });
  const tagger = result.tagger;
  // Profiled on batches in a fresh order, so they are not the ones trained on last.
  const order = bucketedBatches(
    train.map((s) => s.tokens.length),
    32,
    2,
  );
  const timed = steps.slice(options.warmupBatches);
  const timedTokens = timed.reduce((n, s) => n + s.tokens, 0);
  const timedSeconds = timed.reduce((n, s) => n + s.seconds, 0);

  // Batch inference over the whole test set (length-sorted batches of 32), after a warm-up.
  tagger.tag(
    test.slice(0, 64).map((s) => s.tokens),
    { batchSize: 32, alternatives: 0 },
  );
  const testTokens = test.reduce((n, s) => n + s.tokens.length, 0);
  let started = process.hrtime.bigint();
  const predicted = tagger.tag(
    test.map((s) => s.tokens),
    { batchSize: 32, alternatives: 0 },
  );
  const inferenceSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  let correct = 0;
  predicted.forEach((sentence, i) => {
    sentence.forEach((t, j) => {
      if (t.tag === test[i]!.tags[j]) correct++;
    });
  });

  // Single-sentence latency, in file order, after a warm-up.
  const latencies: number[] = [];
  for (let i = 0; i < 10; i++) tagger.tag([test[i]!.tokens], { alternatives: 0 });
  for (const sentence of test.slice(0, options.latencySentences)) {
    started = process.hrtime.bigint();
    tagger.tag([sentence.tokens], { alternatives: 0 });
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
  }

  const profile = profileSteps(tf, tagger, train, order.slice(0, 25));
  const parameters = tagger.network.trainableVariables().reduce((n, v) => n + v.size, 0);
  tagger.dispose();
  return {
    schema: 'spanlight-tagger-bench/1',
    cell: options.cell,
    train: {
      tokensPerSecond: timedTokens / timedSeconds,
      timedBatches: timed.length,
      timedTokens,
      seconds: timedSeconds,
    },
    inference: {
      batch: { tokensPerSecond: testTokens / inferenceSeconds, sentences: test.length, tokens: testTokens },
      latency: {
        p50Ms: percentile(latencies, 50),
        p95Ms: percentile(latencies, 95),
        sentences: latencies.length,
      },
    },
    accuracy: { tokenAccuracy: correct / testTokens },
    profile,
    memory: { peakRssBytes: process.resourceUsage().maxRSS * 1024 },
    parameters,
    environment: {
      onednn: process.env.TF_ENABLE_ONEDNN_OPTS ?? null,
      loadAverage: (await import('node:os')).loadavg(),
    },
  };
}

/**
 * Where a training step's time goes: encoding, the forward pass alone, the backward pass
 * (forward + backward minus forward) and the optimiser update. Profiled on separate batches
 * after training, with a throwaway optimiser (the trainer's ClippedAdam with clipping) so the trained weights do not matter.
 */
function profileSteps(
  tf: ReturnType<typeof loadTensorflow>,
  tagger: Awaited<ReturnType<typeof trainTagger>>['tagger'],
  train: readonly TaggedSentence[],
  batches: number[][],
): TaggerBenchResult['profile'] {
  const network = tagger.network;
  const variables = network.trainableVariables();
  const optimizer = new ClippedAdam(variables, { learningRate: 1e-3, clipNorm: 5 });
  const ms = () => Number(process.hrtime.bigint()) / 1e6;
  const totals = { encode: 0, forward: 0, forwardBackward: 0, optimizer: 0, tokens: 0 };
  batches.forEach((indices, i) => {
    let t = ms();
    const batch = encodeBatch(
      indices.map((j) => train[j]!),
      tagger.index,
      tagger.card.config,
    );
    const encode = ms() - t;
    t = ms();
    tf.tidy(() => network.loss(batch, true).dataSync());
    const forward = ms() - t;
    t = ms();
    const { value, grads } = tf.variableGrads(() => network.loss(batch, true), variables);
    value.dataSync();
    const forwardBackward = ms() - t;
    t = ms();
    optimizer.applyGradients(grads);
    tf.dispose(grads);
    value.dispose();
    const update = ms() - t;
    if (i < 3) return; // warm-up
    totals.encode += encode;
    totals.forward += forward;
    totals.forwardBackward += forwardBackward;
    totals.optimizer += update;
    totals.tokens += batch.tokenCount;
  });
  optimizer.dispose();
  const n = batches.length - 3;
  return {
    encodeMs: totals.encode / n,
    forwardMs: totals.forward / n,
    backwardMs: (totals.forwardBackward - totals.forward) / n,
    optimizerMs: totals.optimizer / n,
    tokensPerBatch: totals.tokens / n,
  };
}

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      cell: { type: 'string', default: 'lstm' },
      'train-batches': { type: 'string', default: '100' },
      'warmup-batches': { type: 'string', default: '10' },
      'max-train-sentences': { type: 'string', default: '3000' },
      'latency-sentences': { type: 'string', default: '200' },
    },
  });
  if (values.cell !== 'lstm' && values.cell !== 'gru') {
    console.error('bench/tagger.ts: --cell must be lstm or gru');
    process.exit(2);
  }
  benchTagger({
    cell: values.cell,
    trainBatches: Number(values['train-batches']),
    warmupBatches: Number(values['warmup-batches']),
    maxTrainSentences: Number(values['max-train-sentences']),
    latencySentences: Number(values['latency-sentences']),
  }).then(
    (result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`),
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
