/**
 * Human annotations of open documents: loaded from `.spanlight/annotations/<path>.jsonl` when a
 * document opens, shifted on every edit, saved (atomically, debounced) after every change and on
 * close. Documents outside a workspace folder keep their annotations in memory only.
 */
import * as vscode from 'vscode';
import {
  type AddResult,
  type Annotation,
  type AnnotationAction,
  AnnotationSet,
} from '../core/annotations/annotation-set';
import type { TextChange } from '../core/annotations/edits';
import { formatAnnotationProblem, reconcileAnnotations } from '../core/annotations/store';
import type { Config } from './config';
import { Disposable } from './dispose';
import type { AnnotationFiles, AnnotationLocation } from './platform';

interface DocumentAnnotations {
  set: AnnotationSet;
  /** The annotation file, when the document is in a workspace folder. */
  location?: AnnotationLocation;
  saveTimer?: NodeJS.Timeout;
  saving: Promise<void>;
  /** The user was told that the last save failed (told once until a save works again). */
  failureShown?: boolean;
}

export class AnnotationManager extends Disposable {
  private readonly documents = new Map<string, DocumentAnnotations>();
  private readonly loading = new Map<string, Promise<DocumentAnnotations>>();
  private readonly changed = this._register(new vscode.EventEmitter<vscode.Uri>());
  /** Fires when a document's annotations change (loaded, edited, labelled, undone). */
  readonly onDidChangeAnnotations = this.changed.event;

  constructor(
    private readonly config: Config,
    private readonly log: vscode.LogOutputChannel,
    private readonly files: AnnotationFiles,
  ) {
    super();
  }

  /** Annotations of a loaded document (empty until `load` finished). */
  annotations(document: vscode.TextDocument): readonly Annotation[] {
    return this.documents.get(document.uri.toString())?.set.annotations ?? [];
  }

  /** Loads a document's annotations once; later calls return the same state. */
  load(document: vscode.TextDocument): Promise<DocumentAnnotations> {
    const key = document.uri.toString();
    const existing = this.documents.get(key);
    if (existing) return Promise.resolve(existing);
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.read(document).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  private async read(document: vscode.TextDocument): Promise<DocumentAnnotations> {
    const location = this.files.locate(document);
    let state: DocumentAnnotations = { set: new AnnotationSet(), saving: Promise.resolve() };
    if (location) {
      const { file, relative } = location;
      const { file: stored, problems } = await this.files.load(file, relative);
      for (const problem of problems) this.log.warn(formatAnnotationProblem(problem));
      const { annotations, moved, dropped } = reconcileAnnotations(stored.annotations, document.getText());
      if (moved > 0 || dropped.length > 0) {
        this.log.info(
          `${file}: the document changed outside the editor; ${moved} annotation(s) moved to their text, ${dropped.length} dropped (${dropped.map((d) => JSON.stringify(d.text)).join(', ')})`,
        );
      }
      state = { set: new AnnotationSet(annotations), location, saving: Promise.resolve() };
    }
    // A concurrent load may have finished first; keep the first state.
    const key = document.uri.toString();
    const existing = this.documents.get(key);
    if (existing) return existing;
    this.documents.set(key, state);
    if (state.set.annotations.length > 0) this.changed.fire(document.uri);
    return state;
  }

  onEdit(document: vscode.TextDocument, changes: readonly TextChange[]): void {
    const state = this.documents.get(document.uri.toString());
    if (!state || (state.set.annotations.length === 0 && !state.set.canUndo && !state.set.canRedo)) return;
    if (state.set.applyEdits(changes, document.getText())) {
      this.scheduleSave(document.uri, state);
      this.changed.fire(document.uri);
    }
  }

  async label(document: vscode.TextDocument, span: Annotation): Promise<AddResult> {
    const state = await this.load(document);
    const result = state.set.label(span);
    if (result.ok) this.afterChange(document.uri, state);
    return result;
  }

  async labelAll(document: vscode.TextDocument, spans: readonly Annotation[]): Promise<AnnotationAction> {
    const state = await this.load(document);
    const action = state.set.labelAll(spans);
    if (action.added.length > 0) this.afterChange(document.uri, state);
    return action;
  }

  /** Removes `remove` and labels `add` as one undo step (see AnnotationSet.replace). */
  async replace(
    document: vscode.TextDocument,
    remove: readonly Annotation[],
    add: readonly Annotation[],
  ): Promise<AddResult> {
    const state = await this.load(document);
    const result = state.set.replace(remove, add);
    if (result.ok && (result.action.added.length > 0 || result.action.removed.length > 0))
      this.afterChange(document.uri, state);
    return result;
  }

  /** The steps undo and redo would take next for a loaded document. */
  history(document: vscode.TextDocument): { undo?: AnnotationAction; redo?: AnnotationAction } {
    const set = this.documents.get(document.uri.toString())?.set;
    return {
      ...(set?.nextUndo ? { undo: set.nextUndo } : {}),
      ...(set?.nextRedo ? { redo: set.nextRedo } : {}),
    };
  }

  async remove(document: vscode.TextDocument, annotation: Annotation): Promise<boolean> {
    const state = await this.load(document);
    const done = state.set.remove(annotation) !== undefined;
    if (done) this.afterChange(document.uri, state);
    return done;
  }

  async undo(document: vscode.TextDocument): Promise<AnnotationAction | undefined> {
    const state = await this.load(document);
    const action = state.set.undo();
    if (action) this.afterChange(document.uri, state);
    return action;
  }

  async redo(document: vscode.TextDocument): Promise<AnnotationAction | undefined> {
    const state = await this.load(document);
    const action = state.set.redo();
    if (action) this.afterChange(document.uri, state);
    return action;
  }

  at(document: vscode.TextDocument, offset: number): Annotation | undefined {
    return this.documents.get(document.uri.toString())?.set.at(offset);
  }

  private afterChange(uri: vscode.Uri, state: DocumentAnnotations): void {
    this.scheduleSave(uri, state);
    this.changed.fire(uri);
  }

  private scheduleSave(uri: vscode.Uri, state: DocumentAnnotations): void {
    if (!state.location) return;
    if (state.saveTimer) clearTimeout(state.saveTimer);
    state.saveTimer = setTimeout(() => {
      state.saveTimer = undefined;
      void this.save(uri, state);
    }, this.config.get('annotations.saveDelayMs'));
  }

  private save(uri: vscode.Uri, state: DocumentAnnotations): Promise<void> {
    const location = state.location;
    if (!location) return Promise.resolve();
    const file = location.file;
    const snapshot = { document: location.relative, annotations: [...state.set.annotations] };
    // Saves of one document run one after another, so an older save never lands last.
    state.saving = state.saving
      .then(() => this.files.saveOrRemove(location, snapshot))
      .then(() => {
        state.failureShown = false;
      })
      .catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        this.log.error(`${file}: cannot save annotations: ${reason}`);
        if (state.failureShown) return;
        state.failureShown = true;
        void vscode.window
          .showErrorMessage(
            `Spanlight: cannot save the annotations of ${vscode.workspace.asRelativePath(uri)}: ${reason}`,
            'Show Output',
          )
          .then((choice) => {
            if (choice) this.log.show();
          });
      });
    return state.saving;
  }

  /** Writes pending saves now (before closing, reloading or exporting). */
  async flush(uri?: vscode.Uri): Promise<void> {
    const entries = uri ? [...this.documents].filter(([key]) => key === uri.toString()) : [...this.documents];
    await Promise.all(
      entries.map(([key, state]) => {
        if (state.saveTimer) {
          clearTimeout(state.saveTimer);
          state.saveTimer = undefined;
          return this.save(vscode.Uri.parse(key), state);
        }
        return state.saving;
      }),
    );
  }

  /** Saves and forgets a closed document (a reopen reads the file again). */
  async close(document: vscode.TextDocument): Promise<void> {
    await this.flush(document.uri);
    this.documents.delete(document.uri.toString());
  }

  override dispose(): void {
    void this.flush();
    super.dispose();
  }
}
