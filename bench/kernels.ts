// Fused (BlockLSTMV2) vs reference (plain tf ops) bidirectional LSTM: forward+backward wall time
// per training step at the tagger's realistic sizes. Run directly, it measures once with oneDNN
// off and once on, each in a child process (TF reads TF_ENABLE_ONEDNN_OPTS when it loads):
//   node --import tsx bench/kernels.ts [--repeats N]
import { spawnSync } from 'node:child_process';
import type { Scalar, Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';
import { loadTensorflow } from '../src/core/backend';
import { bidirectionalLayer, type KernelImplementation, type LstmWeights } from '../src/core/kernels';

export interface KernelBenchOptions {
  batchSize?: number;
  timeSteps?: number;
  inputSize?: number;
  hiddenSize?: number;
  warmup?: number;
  repeats?: number;
}

export interface ImplementationTiming {
  /** Median wall time of one forward+backward pass (tf.variableGrads of a scalar loss). */
  trainStepMs: number;
  /** Median wall time of one forward pass with the outputs read back. */
  forwardMs: number;
}

export interface KernelBenchReport {
  sizes: Required<Pick<KernelBenchOptions, 'batchSize' | 'timeSteps' | 'inputSize' | 'hiddenSize'>>;
  lengths: number[];
  repeats: number;
  tensorflowVersion: string;
  onednn: string;
  fused: ImplementationTiming;
  reference: ImplementationTiming;
  /** reference / fused, for the train step. */
  trainSpeedup: number;
  forwardSpeedup: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function timeMs(run: () => void, warmup: number, repeats: number): number {
  for (let i = 0; i < warmup; i++) run();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    run();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

/** Padded lengths like a real batch: one full-length sentence, the rest shorter (deterministic). */
function benchLengths(batchSize: number, timeSteps: number): number[] {
  return Array.from({ length: batchSize }, (_, row) =>
    row === 0 ? timeSteps : Math.max(1, Math.round(timeSteps * (0.3 + 0.7 * (((row * 7919) % 97) / 97)))),
  );
}

export function benchKernels(options: KernelBenchOptions = {}): KernelBenchReport {
  const tf = loadTensorflow();
  const sizes = {
    batchSize: options.batchSize ?? 32,
    timeSteps: options.timeSteps ?? 25,
    inputSize: options.inputSize ?? 130,
    hiddenSize: options.hiddenSize ?? 100,
  };
  const warmup = options.warmup ?? 3;
  const repeats = options.repeats ?? 20;
  const { batchSize, timeSteps, inputSize, hiddenSize } = sizes;
  const lengths = benchLengths(batchSize, timeSteps);
  const x = tf.variable(
    tf.randomNormal([batchSize, timeSteps, inputSize], 0, 1, 'float32', 1),
  ) as unknown as Tensor3D;
  const makeWeights = (seed: number): LstmWeights => ({
    kernel: tf.variable(
      tf.randomUniform([inputSize + hiddenSize, 4 * hiddenSize], -0.1, 0.1, 'float32', seed),
    ) as unknown as Tensor2D,
    bias: tf.variable(tf.zeros([4 * hiddenSize])) as unknown as LstmWeights['bias'],
  });
  const forward = makeWeights(2);
  const backward = makeWeights(3);

  const timing = (implementation: KernelImplementation): ImplementationTiming => {
    const trainStep = () => {
      const { value, grads } = tf.variableGrads(() =>
        tf.tidy(() => {
          const result = bidirectionalLayer(x, lengths, forward, backward, { implementation });
          return result.outputs.square().mean() as Scalar;
        }),
      );
      // Reading a gradient waits for the whole backward pass.
      grads[Object.keys(grads)[0]!]!.dataSync();
      tf.dispose([value, ...Object.values(grads)]);
    };
    const forwardPass = () =>
      tf.tidy(() => {
        bidirectionalLayer(x, lengths, forward, backward, { implementation }).outputs.dataSync();
      });
    return {
      trainStepMs: timeMs(trainStep, warmup, repeats),
      forwardMs: timeMs(forwardPass, warmup, repeats),
    };
  };

  const fused = timing('fused');
  const reference = timing('reference');
  tf.dispose([x, forward.kernel, forward.bias, backward.kernel, backward.bias]);
  const binding = (tf.backend() as unknown as { binding: { TF_Version: string } }).binding;
  return {
    sizes,
    lengths,
    repeats,
    tensorflowVersion: binding.TF_Version,
    onednn: process.env.TF_ENABLE_ONEDNN_OPTS ?? 'default',
    fused,
    reference,
    trainSpeedup: reference.trainStepMs / fused.trainStepMs,
    forwardSpeedup: reference.forwardMs / fused.forwardMs,
  };
}

function formatReport(report: KernelBenchReport): string {
  const { batchSize, timeSteps, inputSize, hiddenSize } = report.sizes;
  const row = (name: string, t: ImplementationTiming) =>
    `  ${name.padEnd(10)} ${t.trainStepMs.toFixed(2).padStart(9)} ms/step  ${t.forwardMs.toFixed(2).padStart(8)} ms/forward`;
  return [
    `bidirectional LSTM B=${batchSize} T=${timeSteps} I=${inputSize} H=${hiddenSize}, ` +
      `TF ${report.tensorflowVersion}, TF_ENABLE_ONEDNN_OPTS=${report.onednn}, median of ${report.repeats}`,
    row('fused', report.fused),
    row('reference', report.reference),
    `  fused is ${report.trainSpeedup.toFixed(2)}× faster per train step, ${report.forwardSpeedup.toFixed(2)}× per forward pass`,
  ].join('\n');
}

const CHILD_FLAG = 'SPANLIGHT_KERNEL_BENCH_CHILD';

function main(): void {
  const repeatsArg = process.argv.indexOf('--repeats');
  const repeats = repeatsArg > 0 ? Number(process.argv[repeatsArg + 1]) : undefined;
  if (repeats !== undefined && !(Number.isInteger(repeats) && repeats > 0)) {
    console.error('bench/kernels.ts: --repeats takes a positive integer');
    process.exit(2);
  }
  if (process.env[CHILD_FLAG]) {
    process.stdout.write(`${JSON.stringify(benchKernels(repeats ? { repeats } : {}))}\n`);
    return;
  }
  for (const onednn of ['0', '1']) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', __filename, ...process.argv.slice(2)], {
      env: { ...process.env, [CHILD_FLAG]: '1', TF_ENABLE_ONEDNN_OPTS: onednn, TF_CPP_MIN_LOG_LEVEL: '2' },
      encoding: 'utf8',
    });
    const lastLine = child.stdout.trim().split('\n').pop() ?? '';
    if (child.status !== 0 || !lastLine.startsWith('{')) {
      console.error(`bench/kernels.ts: the TF_ENABLE_ONEDNN_OPTS=${onednn} run failed:\n${child.stderr}`);
      process.exitCode = 1;
      continue;
    }
    console.log(formatReport(JSON.parse(lastLine) as KernelBenchReport));
  }
}

if (require.main === module) main();
