/**
 * The tagging process: a child of the extension host that loads TensorFlow and the models and
 * answers tag requests (protocol.ts). TensorFlow's library alone adds ~310 MB of resident pages
 * to whatever process loads it, and a native crash takes its process down; out here neither
 * touches the extension host, whose event loop also stays free while a batch is tagged.
 * Bundled to dist/tagging-process.js; the extension forks it (client.ts).
 *
 * Models load on the portable backend first: it needs no TensorFlow and gives the same results,
 * so the first highlights come as soon as the weights are read. Native TensorFlow (seconds to
 * load, and its inference graphs more) is loaded once the process is idle, and takes over each
 * model it has loaded. Where native TensorFlow cannot load, the models stay portable. (With
 * `SPANLIGHT_BACKEND=portable` they always do; with `SPANLIGHT_BACKEND=tensorflow` they load on
 * native TensorFlow at once.)
 */
import {
  BackendUnavailableError,
  describeBackend,
  loadTagger,
  loadTensorflow,
  nativeState,
  nativeUnavailable,
  portableRequested,
  taggingBackend,
} from '../../core/backend';
import { PortableTagger } from '../../core/model/portable-tagger';
import { Tagger } from '../../core/model/tagger';
import type { TaggerBase } from '../../core/model/tagger-base';
import { tokenizeSentences } from '../../core/tokens';
import type {
  BackendChoice,
  HostEvent,
  LoadedModel,
  LoadTimings,
  TaggingBackendInfo,
  TaggingRequest,
  TaggingResponse,
} from './protocol';

interface Loaded {
  tagger: TaggerBase;
  timings: LoadTimings;
}

const taggers = new Map<string, Promise<Loaded>>();
/** Models tagging on the portable backend until native TensorFlow has loaded them. */
const awaitingNative = new Set<string>();

/** Reads a model on `backend`, warms it up, and says where the time went. */
async function loadOn(folder: string, load: (folder: string) => Promise<TaggerBase>): Promise<Loaded> {
  const started = performance.now();
  const tagger = await load(folder);
  const modelMs = performance.now() - started;
  const warm = performance.now();
  tagger.warmUp();
  const warmUpMs = performance.now() - warm;
  // These taggers never train: words seen before skip the char BiLSTM on every retag.
  tagger.cacheCharStates();
  return { tagger, timings: { processStartedAt, hostReadyAt, tensorflowMs: 0, modelMs, warmUpMs } };
}

/** Portable first while native TensorFlow is not loaded yet and may load; see the header. */
async function load(folder: string): Promise<Loaded> {
  const native = nativeState();
  const forced = process.env.SPANLIGHT_BACKEND;
  if (
    portableRequested() ||
    native.state === 'failed' ||
    (native.state === 'untried' && forced !== 'tensorflow')
  ) {
    const loaded = await loadOn(folder, (f) => PortableTagger.load(f));
    if (!portableRequested() && native.state === 'untried') {
      awaitingNative.add(folder);
      scheduleUpgrade();
    }
    return loaded;
  }
  const started = performance.now();
  taggingBackend();
  const tensorflowMs = performance.now() - started;
  const loaded = await loadOn(folder, loadTagger);
  return { ...loaded, timings: { ...loaded.timings, tensorflowMs } };
}

let upgradeTimer: NodeJS.Timeout | undefined;
let inFlight = 0;
/** Quiet time before loading TensorFlow: a first document's tag requests come within a few ms of its load. */
const UPGRADE_IDLE_MS = 250;

function scheduleUpgrade(): void {
  if (upgradeTimer) clearTimeout(upgradeTimer);
  if (awaitingNative.size === 0) return;
  upgradeTimer = setTimeout(() => {
    upgradeTimer = undefined;
    if (inFlight > 0) return; // rescheduled when the last answer goes out
    void upgradeOne().finally(scheduleUpgrade);
  }, UPGRADE_IDLE_MS);
}

/** Loads one waiting model on native TensorFlow (loading TensorFlow first) and swaps it in. */
async function upgradeOne(): Promise<void> {
  const folder = awaitingNative.values().next().value;
  if (folder === undefined) return;
  awaitingNative.delete(folder);
  const current = taggers.get(folder);
  if (!current) return;
  const started = performance.now();
  try {
    loadTensorflow();
  } catch (err) {
    awaitingNative.clear();
    const error = err instanceof BackendUnavailableError ? err : new BackendUnavailableError(String(err));
    send({
      event: 'native',
      folder,
      ok: false,
      nativeUnavailable: { reason: error.reason, detail: error.detail },
    });
    return;
  }
  const tensorflowMs = performance.now() - started;
  let native: Loaded;
  try {
    native = await loadOn(folder, (f) => Tagger.load(f));
  } catch (err) {
    send({
      event: 'native',
      folder,
      ok: false,
      nativeUnavailable: {
        reason: `the model failed to load on native TensorFlow (${String(err)})`,
        detail: '',
      },
    });
    return;
  }
  // Unloaded or replaced meanwhile: the native copy is not wanted.
  if (taggers.get(folder) !== current) {
    native.tagger.dispose();
    return;
  }
  const timings = { ...native.timings, tensorflowMs };
  taggers.set(folder, Promise.resolve({ tagger: native.tagger, timings }));
  (await current).tagger.dispose();
  send({ event: 'native', folder, ok: true, timings });
}

function backendChoice(backend: BackendChoice['backend']): BackendChoice {
  const native = nativeState();
  return {
    backend,
    ...(native.state === 'failed' && !portableRequested()
      ? { nativeUnavailable: { reason: native.error.reason, detail: native.error.detail } }
      : {}),
  };
}

async function taggerFor(folder: string): Promise<TaggerBase> {
  const loading = taggers.get(folder);
  if (!loading) throw new Error(`${folder}: the model is not loaded in the tagging process`);
  return (await loading).tagger;
}

async function answer(request: TaggingRequest): Promise<unknown> {
  switch (request.type) {
    case 'load': {
      let loading = taggers.get(request.folder);
      if (!loading) {
        loading = load(request.folder);
        taggers.set(request.folder, loading);
        loading.catch(() => taggers.delete(request.folder));
      }
      const { tagger, timings } = await loading;
      return {
        labels: tagger.labels,
        scheme: tagger.scheme,
        ...backendChoice(tagger.backend),
        timings,
      } satisfies LoadedModel;
    }
    case 'unload': {
      const loading = taggers.get(request.folder);
      taggers.delete(request.folder);
      awaitingNative.delete(request.folder);
      if (loading) (await loading).tagger.dispose();
      return null;
    }
    case 'tag': {
      const tagger = await taggerFor(request.folder);
      return tagger.tagPacked(request.sentences, request.options);
    }
    case 'tagTexts':
      return (await taggerFor(request.folder)).tagTexts(request.texts, tokenizeSentences, request.options);
    case 'memory':
      return { rss: process.memoryUsage().rss };
    case 'backend':
      // A definite answer (training asks before it starts): TensorFlow is loaded to find out.
      if (!portableRequested()) nativeUnavailable();
      return backendChoice(taggingBackend());
    case 'backendInfo': {
      if (taggingBackend() === 'tensorflow') return { tagging: 'tensorflow', ...(await describeBackend()) };
      const unavailable = portableRequested() ? undefined : nativeUnavailable();
      return {
        tagging: 'portable',
        ...(unavailable ? { nativeUnavailable: unavailable.reason } : {}),
      } satisfies TaggingBackendInfo;
    }
  }
}

function send(message: TaggingResponse | HostEvent): void {
  process.send?.(message);
}

/** When this process started (epoch ms), and when its code had loaded. */
const processStartedAt = performance.timeOrigin;
let hostReadyAt = 0;

if (!process.send) throw new Error('the tagging process must be forked with an IPC channel');
process.on('message', (message) => {
  const request = message as TaggingRequest;
  inFlight++;
  if (upgradeTimer) clearTimeout(upgradeTimer);
  answer(request)
    .then(
      (result) => send({ id: request.id, ok: true, result }),
      (err: unknown) =>
        send({
          id: request.id,
          ok: false,
          error: err instanceof Error ? err.message : String(err),
          name: err instanceof Error ? err.name : 'Error',
        }),
    )
    .finally(() => {
      inFlight--;
      if (inFlight === 0) scheduleUpgrade();
    });
});
// The extension host went away: nothing is left to answer.
process.on('disconnect', () => process.exit(0));
hostReadyAt = Date.now();
