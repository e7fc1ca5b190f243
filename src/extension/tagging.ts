/**
 * Tags what the user sees. Each visible editor's visible ranges (plus a margin) are widened to
 * paragraph boundaries, cut into sentences, and tagged through a per-sentence cache, so an edit
 * retags only the sentences it changed. Runs are debounced, yield between batches, and a newer run
 * (or an edit) cancels the older one.
 *
 * Inference stays on the extension host's thread rather than in a worker: tfjs-node's native
 * binding misbehaves with more than one worker (tfjs#8388, and the training worker already holds
 * one), a second copy of each model would double memory, and a batch of the visible ~600 tokens
 * takes a few milliseconds, so yielding between batches keeps the editor responsive.
 */
import * as vscode from 'vscode';
import { SentenceCache } from '../core/annotations/cache';
import type { TextChange } from '../core/annotations/edits';
import { expandToParagraphs, type RegionSentence, sentencesIn } from '../core/annotations/regions';
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
import type { ModelInfo, ModelManager, Task } from './models';
import { visibleOffsets } from './spans';
import type { ViewState } from './view-state';

interface TaskResults {
  model: ModelInfo;
  /** Tagged sentences, sorted by start, non-overlapping. */
  sentences: SentenceSuggestions[];
}

interface DocumentState {
  results: Partial<Record<Task, TaskResults>>;
  timer?: NodeJS.Timeout;
  run?: AbortController;
  idle: Promise<void>;
  settle?: () => void;
}

export interface DocumentSuggestions {
  entities: EntitySuggestion[];
  tokens: TokenSuggestion[];
  entityModel?: ModelInfo;
  posModel?: ModelInfo;
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
  private readonly failed = this._register(new vscode.EventEmitter<{ task: Task; error: unknown }>());
  /** Fires when a document's suggestions change. */
  readonly onDidChangeSuggestions = this.changed.event;
  /** Fires when a model cannot be loaded or run. */
  readonly onDidFail = this.failed.event;
  /** Time of the last finished run (ms), for the status bar and the benchmark. */
  lastRunMs = 0;

  constructor(
    private readonly models: ModelManager,
    private readonly config: Config,
    private readonly view: ViewState,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.cache = new SentenceCache<SentenceSuggestions>(config.get('tagging.cacheSize'));
    this._register(config.onDidChange((settings) => this.cache.resize(settings['tagging.cacheSize'])));
    this._register(
      models.onDidChangeModel((task) => {
        for (const state of this.documents.values()) delete state.results[task];
        for (const uri of this.documents.keys()) this.changed.fire(vscode.Uri.parse(uri));
      }),
    );
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
    const entities = state?.results.entities;
    const pos = state?.results.pos;
    return {
      entities: entities?.sentences.flatMap((s) => s.entities) ?? [],
      tokens: pos?.sentences.flatMap((s) => s.tokens) ?? [],
      ...(entities ? { entityModel: entities.model } : {}),
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
    for (const task of Object.keys(state.results) as Task[]) {
      const results = state.results[task]!;
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

  private tasksFor(document: vscode.TextDocument): Task[] {
    const tasks: Task[] = [];
    if (this.view.shows('entities')) tasks.push('entities');
    if (this.view.showsPos(document)) tasks.push('pos');
    return tasks;
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
      const config = this.config.current;
      if (document.isClosed || document.getText().length > config.maxDocumentLength) return;
      const sentences = this.regions(document, whole);
      for (const task of this.tasksFor(document)) {
        const model = await this.loadModel(task);
        if (!model || controller.signal.aborted) continue;
        const tagged = await tagSentences(model.tagger, sentences, this.cache, {
          modelKey: model.info.folder,
          batchSize: config['tagging.batchSize'],
          alternatives: Math.max(3, config['hover.alternatives']),
          signal: controller.signal,
        });
        const previous =
          state.results[task]?.model.folder === model.info.folder ? state.results[task]!.sentences : [];
        const covered = (s: SentenceSuggestions) => tagged.some((t) => t.start < s.end && s.start < t.end);
        state.results[task] = {
          model: model.info,
          sentences: [...previous.filter((s) => !covered(s)), ...tagged].sort((a, b) => a.start - b.start),
        };
        this.changed.fire(document.uri);
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

  private readonly reportedFailures = new Set<string>();

  private async loadModel(task: Task) {
    try {
      return await this.models.tagger(task);
    } catch (error) {
      const key = `${task}:${String(error)}`;
      if (!this.reportedFailures.has(key)) {
        this.reportedFailures.add(key);
        this.failed.fire({ task, error });
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
