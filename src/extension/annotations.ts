/**
 * Human annotations and sentence reviews of open documents: loaded from
 * `.spanlight/annotations/<path>.jsonl` when a document opens, shifted on every edit, saved
 * (atomically, debounced) after every change and on close. Documents outside a workspace folder
 * keep them in memory only. A file this version cannot read whole (a newer format) is never
 * written over: changes to its document are refused with a message.
 */
import * as vscode from 'vscode';
import {
  type AddResult,
  type Annotation,
  type AnnotationAction,
  AnnotationSet,
  isNoAction,
  type SentenceReview,
} from '../core/annotations/annotation-set';
import type { TextChange } from '../core/annotations/edits';
import { formatAnnotationProblem, reconcileAnnotations, reconcileReviews } from '../core/annotations/store';
import type { Config } from './config';
import { Disposable } from './dispose';
import type { AnnotationFiles, AnnotationLocation } from './platform';

interface DocumentAnnotations {
  set: AnnotationSet;
  /** The annotation file, when the document is in a workspace folder. */
  location?: AnnotationLocation;
  /** Why the file must not be written (it could not be read whole). */
  unwritable?: string;
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

  /** Annotations of a loaded document, every task (empty until `load` finished). */
  annotations(document: vscode.TextDocument): readonly Annotation[] {
    return this.documents.get(document.uri.toString())?.set.annotations ?? [];
  }

  /** Reviewed sentences of a loaded document, every task. */
  reviews(document: vscode.TextDocument): readonly SentenceReview[] {
    return this.documents.get(document.uri.toString())?.set.reviews ?? [];
  }

  /**
   * The stored annotations and reviews of a document that need not be open, fitted to `text`
   * (the Review queue and the Entities view read the workspace's files this way).
   */
  async stored(
    uri: vscode.Uri,
    text: string,
  ): Promise<{ annotations: Annotation[]; reviews: SentenceReview[] }> {
    const location = this.files.locate({ uri });
    if (!location) return { annotations: [], reviews: [] };
    const { file } = await this.files.load(location.file, location.relative);
    return {
      annotations: reconcileAnnotations(file.annotations, text).annotations,
      reviews: reconcileReviews(file.reviews ?? [], text).reviews,
    };
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
      const { file: stored, problems, unwritable } = await this.files.load(file, relative);
      for (const problem of problems) this.log.warn(formatAnnotationProblem(problem));
      if (unwritable) {
        void vscode.window.showErrorMessage(
          `Spanlight: the annotations of ${relative} cannot be read (${unwritable}); they are left as they are, and new ones are not saved.`,
        );
      }
      const text = document.getText();
      const { annotations, moved, dropped } = reconcileAnnotations(stored.annotations, text);
      const reviewed = reconcileReviews(stored.reviews ?? [], text);
      if (moved + reviewed.moved > 0 || dropped.length + reviewed.dropped.length > 0) {
        this.log.info(
          `${file}: the document changed outside the editor; ${moved} annotation(s) moved to their text, ${dropped.length} dropped (${dropped.map((d) => JSON.stringify(d.text)).join(', ')}); ${reviewed.moved} reviewed sentence(s) moved, ${reviewed.dropped.length} no longer reviewed`,
        );
      }
      state = {
        set: new AnnotationSet(annotations, reviewed.reviews),
        location,
        saving: Promise.resolve(),
        ...(unwritable ? { unwritable } : {}),
      };
    }
    // A concurrent load may have finished first; keep the first state.
    const key = document.uri.toString();
    const existing = this.documents.get(key);
    if (existing) return existing;
    this.documents.set(key, state);
    if (!state.set.isBlank) this.changed.fire(document.uri);
    return state;
  }

  onEdit(document: vscode.TextDocument, changes: readonly TextChange[]): void {
    const state = this.documents.get(document.uri.toString());
    if (!state || state.set.isBlank) return;
    if (state.set.applyEdits(changes, document.getText())) {
      this.scheduleSave(document.uri, state);
      this.changed.fire(document.uri);
    }
  }

  /**
   * Runs one change of a loaded document's set; when `changed` says it changed something, the
   * change is saved (debounced) and announced.
   */
  private async change<T>(
    document: vscode.TextDocument,
    apply: (set: AnnotationSet) => T,
    changed: (result: T) => boolean,
  ): Promise<T> {
    const state = await this.load(document);
    const result = apply(state.set);
    if (changed(result)) this.afterChange(document.uri, state);
    return result;
  }

  /** Runs an action of a loaded document's set; one that did anything is saved and announced. */
  private act<T extends AnnotationAction | undefined>(
    document: vscode.TextDocument,
    apply: (set: AnnotationSet) => T,
  ): Promise<T> {
    return this.change(document, apply, (a) => a !== undefined && !isNoAction(a));
  }

  /** The steps undo and redo would take next for a loaded document. */
  history(document: vscode.TextDocument): { undo?: AnnotationAction; redo?: AnnotationAction } {
    const set = this.documents.get(document.uri.toString())?.set;
    return {
      ...(set?.nextUndo ? { undo: set.nextUndo } : {}),
      ...(set?.nextRedo ? { redo: set.nextRedo } : {}),
    };
  }

  label(document: vscode.TextDocument, span: Annotation): Promise<AddResult> {
    return this.change(
      document,
      (set) => set.label(span),
      (r) => r.ok,
    );
  }

  /** Removes `remove` and labels `add` as one undo step (see AnnotationSet.replace). */
  replace(document: vscode.TextDocument, remove: readonly Annotation[], add: readonly Annotation[]) {
    return this.change(
      document,
      (set) => set.replace(remove, add),
      (r) => r.ok && !isNoAction(r.action),
    );
  }

  labelAll(document: vscode.TextDocument, spans: readonly Annotation[]): Promise<AnnotationAction> {
    return this.act(document, (set) => set.labelAll(spans));
  }

  /** Marks sentences reviewed and adds their accepted suggestions (one undo step). */
  review(document: vscode.TextDocument, spans: readonly Annotation[], sentences: readonly SentenceReview[]) {
    return this.act(document, (set) => set.review(spans, sentences));
  }

  unreview(document: vscode.TextDocument, sentences: readonly SentenceReview[]) {
    return this.act(document, (set) => set.unreview(sentences));
  }

  async remove(document: vscode.TextDocument, annotation: Annotation): Promise<boolean> {
    return (await this.removeAll(document, [annotation])) > 0;
  }

  /** Removes annotations in one undo step; returns how many were removed. */
  async removeAll(document: vscode.TextDocument, annotations: readonly Annotation[]): Promise<number> {
    const action = await this.act(document, (set) => set.removeAll(annotations));
    return action?.removed.length ?? 0;
  }

  undo(document: vscode.TextDocument): Promise<AnnotationAction | undefined> {
    return this.act(document, (set) => set.undo());
  }

  redo(document: vscode.TextDocument): Promise<AnnotationAction | undefined> {
    return this.act(document, (set) => set.redo());
  }

  /** The annotation of `task` at `offset`. */
  at(document: vscode.TextDocument, offset: number, task: string): Annotation | undefined {
    return this.documents.get(document.uri.toString())?.set.at(offset, task);
  }

  /** Whether the document's annotations are loaded (so `annotations` and `reviews` are complete). */
  isLoaded(document: vscode.TextDocument): boolean {
    return this.documents.has(document.uri.toString());
  }

  private afterChange(uri: vscode.Uri, state: DocumentAnnotations): void {
    this.scheduleSave(uri, state);
    this.changed.fire(uri);
  }

  private scheduleSave(uri: vscode.Uri, state: DocumentAnnotations): void {
    if (!state.location) return;
    if (state.unwritable) {
      void vscode.window.showWarningMessage(
        `Spanlight: this change to ${state.location.relative} is not saved: its annotation file cannot be read by this version (${state.unwritable}).`,
      );
      return;
    }
    if (state.saveTimer) clearTimeout(state.saveTimer);
    state.saveTimer = setTimeout(() => {
      state.saveTimer = undefined;
      void this.save(uri, state);
    }, this.config.get('annotations.saveDelayMs'));
  }

  private save(uri: vscode.Uri, state: DocumentAnnotations): Promise<void> {
    const location = state.location;
    if (!location || state.unwritable) return Promise.resolve();
    const file = location.file;
    const snapshot = {
      document: location.relative,
      annotations: [...state.set.annotations],
      reviews: [...state.set.reviews],
    };
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
