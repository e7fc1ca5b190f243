import os from 'node:os';
import path from 'node:path';
import type { Tensor } from '@tensorflow/tfjs-node';

/** The subset of tfjs-node that Spanlight uses; typed through the package's own declarations. */
export type TensorflowModule = typeof import('@tensorflow/tfjs-node');

let loaded: TensorflowModule | undefined;

/** Thrown when the native TensorFlow binding cannot be loaded; says what to do about it. */
export class BackendUnavailableError extends Error {
  constructor(cause: unknown) {
    super(
      `the native TensorFlow binding (@tensorflow/tfjs-node) could not be loaded: ${
        cause instanceof Error ? cause.message : String(cause)
      }. Run \`npm rebuild @tensorflow/tfjs-node && node scripts/install-tensorflow.mjs\` in the Spanlight folder.`,
    );
    this.name = 'BackendUnavailableError';
  }
}

/**
 * Sets the environment TensorFlow reads when its library loads. Call it in the MAIN thread before
 * starting a worker that loads TensorFlow: a worker thread's `process.env` is its own copy and
 * never reaches the native library (measured: a worker trained 20% slower on TensorFlow's
 * default threads).
 */
export function applyTensorflowEnvironment(): void {
  // Hides TensorFlow's info and warning logs from later ops. (The oneDNN banner printed while the
  // library loads ignores a value set this late; set TF_CPP_MIN_LOG_LEVEL=3 in the environment.)
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  // One intra-op thread: the tagger's ops are many and small (BlockLSTM steps on ~32×100
  // matrices), and splitting each across threads costs more than it saves — measured 1.4× faster
  // training and 1.6× faster batch tagging on 2 cores. It also leaves a core to the editor.
  // TF_NUM_INTRAOP_THREADS in the environment (or SPANLIGHT_TF_THREADS) overrides it.
  process.env.TF_NUM_INTRAOP_THREADS ??= process.env.SPANLIGHT_TF_THREADS ?? '1';
}

/**
 * Loads tfjs-node once, on first use. This is the one place that requires the native binding, so
 * that activating the extension or importing core modules never pays for it.
 */
export function loadTensorflow(): TensorflowModule {
  if (loaded) return loaded;
  applyTensorflowEnvironment();
  try {
    // A plain require keeps the native module out of bundles (it is external in esbuild).
    loaded = require('@tensorflow/tfjs-node') as TensorflowModule;
  } catch (err) {
    throw new BackendUnavailableError(err);
  }
  return loaded;
}

export interface BackendInfo {
  backend: string;
  tensorflowVersion: string;
  tfjsVersion: string;
  bindingPath: string;
  /** Threads TensorFlow may use for one op; defaults to the number of cores. */
  intraOpThreads: number;
  interOpThreads: number;
  cores: number;
  /** Mean wall time of one 256×256 float32 matmul, after warm-up. */
  matmulMs: number;
  matmulCorrect: boolean;
}

function threadSetting(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** What `spanlight doctor` and the extension's backend command report. */
export async function describeBackend(): Promise<BackendInfo> {
  const tf = loadTensorflow();
  await tf.ready();
  const binding = (tf.backend() as unknown as { binding: { TF_Version: string } }).binding;
  const bindingPath = path.join(
    path.dirname(require.resolve('@tensorflow/tfjs-node/package.json')),
    'lib',
    'napi-v8',
    'tfjs_binding.node',
  );

  const n = 256;
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 1);
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 2);
  // Correctness on a product we can check by hand, timing on a realistic size.
  const small = tf.tidy(() =>
    tf.matMul(
      tf.tensor2d([
        [1, 2],
        [3, 4],
      ]),
      tf.tensor2d([
        [5, 6],
        [7, 8],
      ]),
    ),
  );
  const expected = [19, 22, 43, 50];
  const got = Array.from(small.dataSync());
  small.dispose();
  for (let i = 0; i < 3; i++) readFloats(tf, () => tf.matMul(a, b));
  const repeats = 20;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < repeats; i++) readFloats(tf, () => tf.matMul(a, b));
  const matmulMs = Number(process.hrtime.bigint() - t0) / 1e6 / repeats;
  a.dispose();
  b.dispose();

  const cores = os.availableParallelism();
  return {
    backend: tf.getBackend(),
    tensorflowVersion: binding.TF_Version,
    tfjsVersion: tf.version.tfjs,
    bindingPath,
    intraOpThreads: threadSetting('TF_NUM_INTRAOP_THREADS', cores),
    interOpThreads: threadSetting('TF_NUM_INTEROP_THREADS', cores),
    cores,
    matmulMs,
    matmulCorrect: expected.every((v, i) => got[i] === v),
  };
}

/**
 * The values of the tensor `build` makes, with every intermediate freed. Not
 * `tf.tidy(() => t.dataSync())`: tidy searches what its function returns for tensors to keep,
 * element by element, and on a large typed array that search costs more than the ops
 * (100 ms for the 270k values of 2,700 words' char states).
 */
export function readFloats(tf: TensorflowModule, build: () => Tensor): Float32Array {
  const tensor = tf.tidy(build);
  try {
    return tensor.dataSync() as Float32Array;
  } finally {
    tensor.dispose();
  }
}
