import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Tensor } from '@tensorflow/tfjs-node';
import type { TaggerBase, TaggingBackend } from './model/tagger-base';
import { nativeFiles, tfjsBindingPath } from './native/paths';
import { describeMissingVersions, missingSystemVersions, NATIVE_REQUIREMENT } from './native/requirements';

/** The subset of tfjs-node that Spanlight uses; typed through the package's own declarations. */
export type TensorflowModule = typeof import('@tensorflow/tfjs-node');

let loaded: TensorflowModule | undefined;

/**
 * Thrown when the native TensorFlow binding cannot be loaded. `reason` says what is wrong in a
 * user's terms (a system too old, files missing, no native build for this platform); `detail` is
 * the loader's own error, for the Output channel.
 */
export class BackendUnavailableError extends Error {
  constructor(
    readonly reason: string,
    readonly detail = '',
  ) {
    super(`native TensorFlow cannot be loaded: ${reason}`);
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
 * Why the native binding would not load here, found without loading it (files, and on Linux the
 * system's symbol versions: milliseconds); undefined when it may load.
 */
function nativeProblem(): string | undefined {
  let files: string[];
  try {
    files = nativeFiles();
  } catch {
    return `this installation of Spanlight has no native TensorFlow for ${process.platform}-${process.arch}`;
  }
  const absent = files.filter((file) => !fs.existsSync(file));
  if (absent.length > 0) {
    return `the native TensorFlow files are missing from this installation (${absent.map((f) => path.basename(f)).join(', ')}); reinstall Spanlight`;
  }
  if (process.platform !== 'linux') return undefined;
  try {
    const missing = missingSystemVersions(files);
    return missing.length > 0 ? describeMissingVersions(missing) : undefined;
  } catch {
    // An unreadable header: let the loader decide.
    return undefined;
  }
}

/** The loader's error in a user's terms (e.g. ``version `GLIBCXX_3.4.29' not found``). */
function loaderProblem(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const version = /version `([^']+)' not found/.exec(message)?.[1];
  if (version)
    return `this system's C/C++ runtime lacks ${version}, which native TensorFlow needs (${NATIVE_REQUIREMENT})`;
  return `the native TensorFlow library failed to load (${message.split('\n')[0]})`;
}

/**
 * Loads tfjs-node once, on first use. This is the one place that requires the native binding, so
 * that activating the extension or importing core modules never pays for it. Checks first that
 * the system can load it, so the error names what is missing instead of the loader's riddle.
 */
export function loadTensorflow(): TensorflowModule {
  if (loaded) return loaded;
  const problem = nativeProblem();
  if (problem) throw new BackendUnavailableError(problem);
  applyTensorflowEnvironment();
  try {
    // A plain require keeps the native module out of bundles (it is external in esbuild).
    loaded = require('@tensorflow/tfjs-node') as TensorflowModule;
  } catch (err) {
    throw new BackendUnavailableError(
      loaderProblem(err),
      err instanceof Error ? (err.stack ?? err.message) : String(err),
    );
  }
  return loaded;
}

let failure: BackendUnavailableError | undefined;

/** Why native TensorFlow cannot load in this process (it is loaded to find out), or undefined. */
export function nativeUnavailable(): BackendUnavailableError | undefined {
  if (loaded || failure) return failure;
  try {
    loadTensorflow();
  } catch (err) {
    if (!(err instanceof BackendUnavailableError)) throw err;
    failure = err;
  }
  return failure;
}

/**
 * What is known without loading TensorFlow: `loaded`, `failed` (with why; the cheap checks of
 * files and symbol versions run here), or `untried` (it may well load).
 */
export function nativeState():
  | { state: 'loaded' | 'untried' }
  | { state: 'failed'; error: BackendUnavailableError } {
  if (loaded) return { state: 'loaded' };
  if (!failure) {
    const problem = nativeProblem();
    if (problem) failure = new BackendUnavailableError(problem);
  }
  return failure ? { state: 'failed', error: failure } : { state: 'untried' };
}

/** `SPANLIGHT_BACKEND=portable`: tag on the portable backend, and never load native TensorFlow to tag. */
export function portableRequested(): boolean {
  return process.env.SPANLIGHT_BACKEND === 'portable';
}

/**
 * The tagging backend for this process: native TensorFlow when it loads, else the portable one.
 * `SPANLIGHT_BACKEND=portable` chooses the portable backend anyway (less memory, no native load).
 */
export function taggingBackend(): TaggingBackend {
  if (portableRequested()) return 'portable';
  return nativeUnavailable() ? 'portable' : 'tensorflow';
}

/**
 * Loads a model folder for TAGGING on the backend `taggingBackend()` chooses; the two give the
 * same results (emissions within 1e-4), so callers need not know which they got. Training needs
 * native TensorFlow: it calls `loadTensorflow()`, which says why when it cannot load.
 */
export async function loadTagger(folder: string): Promise<TaggerBase> {
  // The folder is read and checked before native TensorFlow loads (~310 MiB and a second or
  // two): a model that is refused costs neither.
  const files = await (await import('./model/folder')).readModelFolder(folder);
  if (taggingBackend() === 'tensorflow')
    return (await import('./model/tagger')).Tagger.fromFiles(folder, files);
  return (await import('./model/portable-tagger')).PortableTagger.fromFiles(folder, files);
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
  const bindingPath = tfjsBindingPath();

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
