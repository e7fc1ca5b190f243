/**
 * Tags what the user sees. Each visible editor's visible ranges (plus a margin) are widened to
 * paragraph boundaries, cut into sentences, and tagged through a per-sentence cache, so an edit
 * retags only the sentences it changed. Runs are debounced, yield between calls to the tagging
 * process, and a newer run (or an edit) cancels the older one.
 *
 * Two layers per document: spans (the document's span task: entities, listing fields, …) and
 * tokens (POS). Each is tagged by the model chosen for its task and the document's language, so
 * a French listing never gets an English NER model's guesses.
 */
import * as vscode from 'vscode';
import { SentenceCache } from '../core/annotations/cache';
import type { TextChange } from '../core/annotations/edits';
import { expandToParagraphs, type RegionSentence, sentencesIn } from '../core/annotations/regions';
import type { TaskDefinition } from '../core/annotations/schema';
import {
  type EntitySuggestion,
  followSentenceEdit,
  type SentenceSuggestions,
  TaggingCancelled,
  type TokenSuggestion,
  tagSentences,
} from '../core/annotations/suggestions';
import type { Config } from './config';
import { Disposable } from './dispose';
import { isTaggable } from './documents';
import type { ModelInfo, ModelManager } from './models';
import { visibleOffsets } from './spans';
import type { TaskService } from './tasks';
import type { ViewState } from './view-state';

/** The span layer (the document's span task) and the token layer (part of speech). */
export type Layer = 'spans' | 'tokens';

interface LayerResults {
  model: ModelInfo;
  task: string;
  /** Tagged sentences, sorted by start, non-overlapping. */
  sentences: SentenceSuggestions[];
}

interface DocumentState {
  results: Partial<Record<Layer, LayerResults>>;
  timer?: NodeJS.Timeout;
  run?: AbortController;
  idle: Promise<void>;
  settle?: () => void;
}

export interface DocumentSuggestions {
  entities: EntitySuggestion[];
  tokens: TokenSuggestion[];
  entityModel?: ModelInfo;
  /** The task the entity suggestions are for. */
  entityTask?: string;
  posModel?: ModelInfo;
  /** Tagged sentences of the span layer (with their tokens' confidences), sorted by start. */
  sentences: readonly SentenceSuggestions[];
}

function mergeRanges(ranges: Array<{ start: number; end: number }>): Array<{ start: number; end: number }> {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const merged: Array<{ start: number; end: number }> = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && r.start <= last.end)
      merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, r.end) };
    else merged.push({ ...r });
  }
  return merged;
}

export class TaggingService extends Disposable {
  private readonly documents = new Map<string, DocumentState>();
  private readonly cache: SentenceCache<SentenceSuggestions>;
  private readonly changed = this._register(new vscode.EventEmitter<vscode.Uri>());
  private readonly failed = this._register(new vscode.EventEmitter<{ task: string; error: unknown }>());
  /** Fires when a document's suggestions change. */
  readonly onDidChangeSuggestions = this.changed.event;
  /** Fires when a model cannot be loaded or run. */
  readonly onDidFail = this.failed.event;
  /** Time of the last finished run (ms), for the status bar and the benchmark. */
  lastRunMs = 0;

  constructor(
    private readonly models: ModelManager,
    private readonly tasks: TaskService,
    private readonly config: Config,
    private readonly view: ViewState,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.cache = new SentenceCache<SentenceSuggestions>(config.get('tagging.cacheSize'));
    this._register(config.onDidChange((settings) => this.cache.resize(settings['tagging.cacheSize'])));
    this._register(models.onDidChangeModel(() => this.forgetResults()));
    // A new schema or task choice may change which model tags a document.
    this._register(tasks.onDidChange(() => this.forgetResults()));
  }

  /** Drops every document's results (a model or task choice changed) and retags what is visible. */
  private forgetResults(): void {
    for (const state of this.documents.values()) state.results = {};
    for (const uri of this.documents.keys()) this.changed.fire(vscode.Uri.parse(uri));
  }

  private stateOf(document: vscode.TextDocument): DocumentState {
    const key = document.uri.toString();
    let state = this.documents.get(key);
    if (!state) {
      state = { results: {}, idle: Promise.resolve() };
      this.documents.set(key, state);
    }
    return state;
  }

  suggestions(document: vscode.TextDocument): DocumentSuggestions {
    const state = this.documents.get(document.uri.toString());
    const spans = state?.results.spans;
    const pos = state?.results.tokens;
    return {
      entities: spans?.sentences.flatMap((s) => s.entities) ?? [],
      tokens: pos?.sentences.flatMap((s) => s.tokens) ?? [],
      sentences: spans?.sentences ?? [],
      ...(spans ? { entityModel: spans.model, entityTask: spans.task } : {}),
      ...(pos ? { posModel: pos.model } : {}),
    };
  }

  /** Resolves once no run is pending or running for the document. */
  whenIdle(document: vscode.TextDocument): Promise<void> {
    return this.documents.get(document.uri.toString())?.idle ?? Promise.resolve();
  }

  /**
   * Moves known results through an edit (suggestions the edit touched are dropped until the
   * sentence is tagged again) and cancels the running pass.
   */
  onEdit(document: vscode.TextDocument, changes: readonly TextChange[]): void {
    const state = this.documents.get(document.uri.toString());
    if (!state) return;
    state.run?.abort();
    for (const layer of Object.keys(state.results) as Layer[]) {
      const results = state.results[layer]!;
      results.sentences = results.sentences.flatMap(
        (sentence) => followSentenceEdit(sentence, changes) ?? [],
      );
    }
  }

  forget(document: vscode.TextDocument): void {
    const state = this.documents.get(document.uri.toString());
    if (!state) return;
    state.run?.abort();
    if (state.timer) clearTimeout(state.timer);
    state.settle?.();
    this.documents.delete(document.uri.toString());
  }

  /** Schedules tagging of the editors' visible parts of `document` after `delayMs`. */
  schedule(document: vscode.TextDocument, delayMs: number, whole = false): void {
    if (!isTaggable(this.config.current, document)) return;
    const state = this.stateOf(document);
    if (state.timer) clearTimeout(state.timer);
    if (!state.settle) {
      state.idle = new Promise<void>((resolve) => {
        state.settle = resolve;
      });
    }
    state.timer = setTimeout(() => {
      state.timer = undefined;
      void this.run(document, state, whole);
    }, delayMs);
  }

  /** The layers shown for a document, each with its task. */
  private layersFor(document: vscode.TextDocument): Array<{ layer: Layer; task: TaskDefinition }> {
    const layers: Array<{ layer: Layer; task: TaskDefinition }> = [];
    if (this.view.shows('entities')) layers.push({ layer: 'spans', task: this.tasks.spanTask(document) });
    if (this.view.showsPos(document)) layers.push({ layer: 'tokens', task: this.tasks.posTask(document) });
    return layers;
  }

  private regions(document: vscode.TextDocument, whole: boolean): RegionSentence[] {
    const text = document.getText();
    if (whole) return sentencesIn(text, 0, text.length);
    const margin = this.config.get('tagging.marginLines');
    const editors = vscode.window.visibleTextEditors.filter((e) => e.document === document);
    const windows = mergeRanges(
      editors.flatMap((e) => visibleOffsets(e, margin)).map((r) => expandToParagraphs(text, r.start, r.end)),
    );
    const seen = new Set<number>();
    return windows
      .flatMap((w) => sentencesIn(text, w.start, w.end))
      .filter((s) => {
        if (seen.has(s.start)) return false;
        seen.add(s.start);
        return true;
      });
  }

  private async run(document: vscode.TextDocument, state: DocumentState, whole: boolean): Promise<void> {
    state.run?.abort();
    const controller = new AbortController();
    state.run = controller;
    const started = performance.now();
    try {
      if (document.isClosed || document.getText().length > this.config.get('maxDocumentLength')) return;
      const sentences = this.regions(document, whole);
      for (const { layer, task } of this.layersFor(document)) {
        await this.tagLayer(document, state, layer, task, sentences, controller.signal);
      }
      this.lastRunMs = performance.now() - started;
    } catch (error) {
      if (!(error instanceof TaggingCancelled)) {
        this.log.error(
          `tagging ${document.uri.toString()} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
      }
    } finally {
      if (state.run === controller) {
        state.run = undefined;
        if (!state.timer) {
          state.settle?.();
          state.settle = undefined;
        }
      }
    }
  }

  /** Tags `sentences` of one layer and merges them into the document's results. */
  private async tagLayer(
    document: vscode.TextDocument,
    state: DocumentState,
    layer: Layer,
    task: TaskDefinition,
    sentences: readonly RegionSentence[],
    signal: AbortSignal,
  ): Promise<void> {
    const model = await this.modelFor(task, this.tasks.languageOf(document));
    if (signal.aborted) throw new TaggingCancelled();
    if (!model) {
      if (state.results[layer]) {
        delete state.results[layer];
        this.changed.fire(document.uri);
      }
      return;
    }
    const tagged = await this.tagWith(model, sentences, signal);
    const current = state.results[layer];
    const previous =
      current?.model.folder === model.info.folder && current.task === task.id ? current.sentences : [];
    const covered = (s: SentenceSuggestions) => tagged.some((t) => t.start < s.end && s.start < t.end);
    state.results[layer] = {
      model: model.info,
      task: task.id,
      sentences: [...previous.filter((s) => !covered(s)), ...tagged].sort((a, b) => a.start - b.start),
    };
    this.changed.fire(document.uri);
  }

  private tagWith(
    model: { info: ModelInfo; tagger: Awaited<ReturnType<ModelManager['taggerOf']>> },
    sentences: readonly RegionSentence[],
    signal?: AbortSignal,
  ): Promise<SentenceSuggestions[]> {
    return tagSentences(model.tagger, sentences, this.cache, {
      modelKey: model.info.folder,
      batchSize: this.config.get('tagging.batchSize'),
      alternatives: Math.max(3, this.config.get('hover.alternatives')),
      ...(signal ? { signal } : {}),
    });
  }

  /**
   * Makes sure the span layer holds suggestions for `sentences` of an open document (tagging
   * those it lacks), so accepting a sentence never accepts it before the model has spoken.
   */
  async ensureTagged(document: vscode.TextDocument, sentences: readonly RegionSentence[]): Promise<void> {
    const state = this.stateOf(document);
    const task = this.tasks.spanTask(document);
    const have = state.results.spans;
    const missing =
      have && have.task === task.id
        ? sentences.filter((s) => !have.sentences.some((t) => t.start === s.start && t.end === s.end))
        : sentences;
    if (missing.length === 0) return;
    const controller = new AbortController();
    await this.tagLayer(document, state, 'spans', task, missing, controller.signal);
  }

  /**
   * Suggestions for sentences of any text (a workspace file that is not open), by the model of
   * `task` for `language`; undefined when no model fits.
   */
  async suggestText(
    sentences: readonly RegionSentence[],
    task: TaskDefinition,
    language: string | undefined,
    signal?: AbortSignal,
  ): Promise<{ model: ModelInfo; sentences: SentenceSuggestions[] } | undefined> {
    const model = await this.modelFor(task, language);
    if (!model) return undefined;
    return { model: model.info, sentences: await this.tagWith(model, sentences, signal) };
  }

  private readonly reportedFailures = new Set<string>();

  /** The model (loaded) for a task and language; undefined when none fits or it cannot load. */
  private async modelFor(task: TaskDefinition, language: string | undefined) {
    const info = await this.models.resolveFor(task, language);
    if (!info) return undefined;
    try {
      return { info, tagger: await this.models.taggerOf(info) };
    } catch (error) {
      const key = `${task.id}:${String(error)}`;
      if (!this.reportedFailures.has(key)) {
        this.reportedFailures.add(key);
        this.failed.fire({ task: task.id, error });
      }
      return undefined;
    }
  }

  override dispose(): void {
    for (const state of this.documents.values()) {
      state.run?.abort();
      if (state.timer) clearTimeout(state.timer);
      state.settle?.();
    }
    this.documents.clear();
    super.dispose();
  }
}
