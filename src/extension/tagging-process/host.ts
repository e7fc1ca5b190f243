/**
 * The tagging process: a child of the extension host that loads TensorFlow and the models and
 * answers tag requests (protocol.ts). TensorFlow's library alone adds ~310 MB of resident pages
 * to whatever process loads it, and a native crash takes its process down; out here neither
 * touches the extension host, whose event loop also stays free while a batch is tagged. Where
 * native TensorFlow cannot load, the models run on the portable backend here instead
 * (core/backend chooses). Bundled to dist/tagging-process.js; the extension forks it (client.ts).
 */
import {
  describeBackend,
  loadTagger,
  nativeUnavailable,
  portableRequested,
  taggingBackend,
} from '../../core/backend';
import type { TaggerBase } from '../../core/model/tagger-base';
import { tokenizeSentences } from '../../core/tokens';
import {
  type BackendChoice,
  type LoadedModel,
  type LoadTimings,
  packTags,
  type TaggingBackendInfo,
  type TaggingRequest,
  type TaggingResponse,
} from './protocol';

const taggers = new Map<string, Promise<{ tagger: TaggerBase; timings: LoadTimings }>>();

/** Loads a model, timing each step (TensorFlow is loaded, or found missing, by the first load only). */
async function loadTimed(folder: string): Promise<{ tagger: TaggerBase; timings: LoadTimings }> {
  let started = performance.now();
  taggingBackend();
  const tensorflowMs = performance.now() - started;
  started = performance.now();
  const tagger = await loadTagger(folder);
  const modelMs = performance.now() - started;
  started = performance.now();
  tagger.warmUp();
  const warmUpMs = performance.now() - started;
  // These taggers never train: words seen before skip the char BiLSTM on every retag.
  tagger.cacheCharStates();
  return {
    tagger,
    timings: { processStartedAt, hostReadyAt, tensorflowMs, modelMs, warmUpMs },
  };
}

function backendChoice(): BackendChoice {
  // Asked for the portable backend: native TensorFlow is not loaded just to see whether it could.
  const unavailable = portableRequested() ? undefined : nativeUnavailable();
  return {
    backend: taggingBackend(),
    ...(unavailable ? { nativeUnavailable: { reason: unavailable.reason, detail: unavailable.detail } } : {}),
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
        loading = loadTimed(request.folder);
        taggers.set(request.folder, loading);
        loading.catch(() => taggers.delete(request.folder));
      }
      const { tagger, timings } = await loading;
      return {
        labels: tagger.labels,
        scheme: tagger.scheme,
        ...backendChoice(),
        timings,
      } satisfies LoadedModel;
    }
    case 'unload': {
      const loading = taggers.get(request.folder);
      taggers.delete(request.folder);
      if (loading) (await loading).tagger.dispose();
      return null;
    }
    case 'tag': {
      const tagger = await taggerFor(request.folder);
      return packTags(tagger.tag(request.sentences, request.options), tagger.labels);
    }
    case 'tagTexts':
      return (await taggerFor(request.folder)).tagTexts(request.texts, tokenizeSentences, request.options);
    case 'memory':
      return { rss: process.memoryUsage().rss };
    case 'backend':
      return backendChoice();
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

/** When this process started (epoch ms), and when its code had loaded. */
const processStartedAt = performance.timeOrigin;
let hostReadyAt = 0;

if (!process.send) throw new Error('the tagging process must be forked with an IPC channel');
process.on('message', (message) => {
  const request = message as TaggingRequest;
  answer(request).then(
    (result) => process.send?.({ id: request.id, ok: true, result } satisfies TaggingResponse),
    (err: unknown) =>
      process.send?.({
        id: request.id,
        ok: false,
        error: err instanceof Error ? err.message : String(err),
        name: err instanceof Error ? err.name : 'Error',
      } satisfies TaggingResponse),
  );
});
// The extension host went away: nothing is left to answer.
process.on('disconnect', () => process.exit(0));
hostReadyAt = Date.now();
