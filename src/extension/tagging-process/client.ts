/**
 * The extension host's side of the tagging process (host.ts): forks it on first use, matches
 * answers to requests, and turns an exit into errors for whatever was pending (the next request
 * forks a fresh process). Imports no TensorFlow and no `vscode`.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { unpackScored, unpackTags } from '../../core/model/packed-tags';
import type { ScoredSentence, TaggedToken, TagOptions, TagTextResult } from '../../core/model/tagger';
import type { TagScheme } from '../../core/types';
import type {
  BackendChoice,
  HostEvent,
  LoadedModel,
  ResultOf,
  TaggingBackendInfo,
  TaggingRequest,
  TaggingResponse,
} from './protocol';

/** Distributes `Omit` over the request union, so each variant keeps its own fields. */
type RequestBody = TaggingRequest extends infer R
  ? R extends TaggingRequest
    ? Omit<R, 'id'>
    : never
  : never;

export interface TaggingProcessOptions {
  /** The bundled host script (dist/tagging-process.js). */
  script: string;
  /** Node options for the child, e.g. `['--import', 'tsx']` to run the TypeScript source in tests. */
  execArgv?: string[];
  /** Variables added to the child's environment (e.g. `SPANLIGHT_BACKEND`). */
  env?: NodeJS.ProcessEnv;
}

/** An error raised in the tagging process, with its original name (e.g. ModelFileError). */
export class TaggingProcessError extends Error {
  constructor(message: string, name: string) {
    super(message);
    this.name = name;
  }
}

interface Pending {
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

export class TaggingProcess {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Bumped whenever a process is forked: models loaded in an earlier one are gone. */
  private generation = 0;
  /** When the current process was forked (epoch ms). */
  forkedAt = 0;
  private readonly eventListeners: Array<(event: HostEvent) => void> = [];
  private disposed = false;

  constructor(private readonly options: TaggingProcessOptions) {}

  /** Loads a model folder in the tagging process; rejects with its error message if it cannot. */
  async load(folder: string): Promise<RemoteTagger> {
    const loaded = await this.request({ type: 'load', folder });
    return new RemoteTagger(this, folder, loaded, this.generation);
  }

  /** The tagging process's resident memory in bytes (forks it if it is not running). */
  async memory(): Promise<number> {
    return (await this.request({ type: 'memory' })).rss;
  }

  /** TensorFlow's version, backend, threads and a matmul timing, as the tagging process sees them. */
  backendInfo(): Promise<TaggingBackendInfo> {
    return this.request({ type: 'backendInfo' });
  }

  /** Which backend tags, and why native TensorFlow cannot load if it cannot (forks the process if needed). */
  backend(): Promise<BackendChoice> {
    return this.request({ type: 'backend' });
  }

  /** Events the tagging process sends on its own (a model moved to native TensorFlow, say). */
  onEvent(listener: (event: HostEvent) => void): void {
    this.eventListeners.push(listener);
  }

  /** Process id of the running tagging process, if one runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  currentGeneration(): number {
    return this.generation;
  }

  request<T extends RequestBody>(body: T): Promise<ResultOf[T['type']]> {
    if (this.disposed) return Promise.reject(new Error('the tagging process has been shut down'));
    const child = this.child ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
      child.send({ ...body, id } as TaggingRequest, (err) => {
        if (err) this.settle(id, undefined, err);
      });
    });
  }

  private start(): ChildProcess {
    this.generation++;
    this.forkedAt = Date.now();
    const child = fork(this.options.script, [], {
      execArgv: this.options.execArgv ?? [],
      // Structured clone instead of JSON: typed arrays and nested results cross faster.
      serialization: 'advanced',
      // Inside Electron (desktop VS Code), run the child as plain Node.
      env: { ...process.env, ...this.options.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    child.on('message', (message) => {
      if (typeof message === 'object' && message !== null && 'event' in message) {
        for (const listener of this.eventListeners) listener(message as HostEvent);
        return;
      }
      const response = message as TaggingResponse;
      if (response.ok) this.settle(response.id, response.result);
      else this.settle(response.id, undefined, new TaggingProcessError(response.error, response.name));
    });
    const exited = (how: string) => {
      if (this.child !== child) return;
      this.child = undefined;
      const detail = stderr.trim().split('\n').slice(-3).join(' | ');
      const error = new Error(`the tagging process ${how}${detail ? `: ${detail}` : ''}`);
      for (const id of [...this.pending.keys()]) this.settle(id, undefined, error);
    };
    child.on('exit', (code, signal) =>
      exited(signal ? `was killed (${signal})` : `exited with code ${code}`),
    );
    child.on('error', (err) => exited(`failed: ${err.message}`));
    this.child = child;
    return child;
  }

  private settle(id: number, result: unknown, error?: Error): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    if (error) pending.reject(error);
    else pending.resolve(result);
  }

  dispose(): void {
    this.disposed = true;
    const child = this.child;
    this.child = undefined;
    for (const id of [...this.pending.keys()]) {
      this.settle(id, undefined, new Error('the tagging process has been shut down'));
    }
    child?.kill();
  }
}

/**
 * A model loaded in the tagging process, with the tagging methods of `Tagger` made asynchronous.
 * Once that process has exited, every call rejects: load the model again.
 */
export class RemoteTagger {
  readonly labels: string[];
  readonly scheme: TagScheme | 'none';
  readonly timings: LoadedModel['timings'];
  readonly backend: LoadedModel['backend'];
  readonly nativeUnavailable: LoadedModel['nativeUnavailable'];

  constructor(
    private readonly process: TaggingProcess,
    readonly folder: string,
    loaded: LoadedModel,
    private readonly generation: number,
  ) {
    this.labels = loaded.labels;
    this.scheme = loaded.scheme;
    this.timings = loaded.timings;
    this.backend = loaded.backend;
    this.nativeUnavailable = loaded.nativeUnavailable;
  }

  /** False once the process that loaded this model has exited. */
  get alive(): boolean {
    return this.process.currentGeneration() === this.generation && this.process.pid !== undefined;
  }

  private checkAlive(): void {
    if (!this.alive) throw new Error(`${this.folder}: the tagging process that loaded this model has exited`);
  }

  async tag(sentences: ReadonlyArray<readonly string[]>, options: TagOptions = {}): Promise<TaggedToken[][]> {
    this.checkAlive();
    const packed = await this.process.request({ type: 'tag', folder: this.folder, sentences, options });
    return unpackTags(packed, sentences, this.labels);
  }

  /** `tag`, with each sentence's log-probability and entropy (uncertainty sampling). */
  async tagScored(
    sentences: ReadonlyArray<readonly string[]>,
    options: TagOptions = {},
  ): Promise<ScoredSentence[]> {
    this.checkAlive();
    const packed = await this.process.request({ type: 'tag', folder: this.folder, sentences, options });
    return unpackScored(packed, sentences, this.labels);
  }

  async tagTexts(texts: readonly string[], options: TagOptions = {}): Promise<TagTextResult[]> {
    this.checkAlive();
    return this.process.request({ type: 'tagTexts', folder: this.folder, texts, options });
  }

  async dispose(): Promise<void> {
    if (this.alive)
      await this.process.request({ type: 'unload', folder: this.folder }).catch(() => undefined);
  }
}
