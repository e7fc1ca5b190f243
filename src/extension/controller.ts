/**
 * The editor side wired together: which documents are tagged, when they are retagged and
 * redrawn, and what is at a position (for hovers, commands and the entity view).
 */
import * as vscode from 'vscode';
import type { Annotation } from '../core/annotations/annotation-set';
import { conllGoldTokens, type GoldToken } from '../core/annotations/gold';
import { planLayers, visibleSuggestions } from '../core/annotations/layers';
import type { EntitySuggestion, TokenSuggestion } from '../core/annotations/suggestions';
import type { AnnotationManager } from './annotations';
import type { Config } from './config';
import type { LabelDecorations } from './decorations';
import { Disposable } from './dispose';
import { isConll, isHandled, isTaggable } from './documents';
import { ContextKey } from './ids';
import { toTextChanges } from './spans';
import type { TaggingService } from './tagging';
import type { TaskService } from './tasks';
import type { ViewState } from './view-state';

/** What the user can point at: a human annotation, a model suggestion, or a gold label in a CoNLL file. */
export type EntityAt =
  | { kind: 'annotated'; annotation: Annotation }
  | { kind: 'suggested'; suggestion: EntitySuggestion; model: string }
  | { kind: 'gold'; token: GoldToken };

export interface EditorDeps {
  config: Config;
  view: ViewState;
  tasks: TaskService;
  tagging: TaggingService;
  annotations: AnnotationManager;
  decorations: LabelDecorations;
}

export class EditorController extends Disposable {
  private readonly goldCache = new Map<string, { version: number; tokens: GoldToken[] }>();
  private readonly config: Config;
  private readonly tagging: TaggingService;
  private readonly annotations: AnnotationManager;
  private readonly decorations: LabelDecorations;
  private readonly view: ViewState;
  private readonly tasks: TaskService;

  constructor({ config, view, tasks, tagging, annotations, decorations }: EditorDeps) {
    super();
    this.tasks = tasks;
    this.config = config;
    this.tagging = tagging;
    this.annotations = annotations;
    this.decorations = decorations;
    this.view = view;
    this._register(config.onDidChange(() => this.reconfigure()));
    // The editor a window (re)opens with gets no change event: without this, Spanlight's keys
    // stayed off in it (Ctrl+Alt+Shift+Up copied the line) until another editor was focused.
    this.updateContext(vscode.window.activeTextEditor);
    // A display toggle tags what the new mode needs (POS, say) and redraws.
    this._register(view.onDidChange(() => this.refreshVisible()));
    this._register(vscode.window.onDidChangeVisibleTextEditors(() => this.refreshVisible()));
    this._register(
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        this.updateContext(editor);
        if (editor) this.open(editor.document, 0);
      }),
    );
    this._register(
      vscode.window.onDidChangeTextEditorVisibleRanges((e) => {
        if (this.isTaggable(e.textEditor.document))
          this.tagging.schedule(e.textEditor.document, this.config.get('tagging.debounceMs'));
      }),
    );
    this._register(vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e)));
    this._register(
      vscode.workspace.onDidCloseTextDocument((document) => {
        this.tagging.forget(document);
        this.goldCache.delete(document.uri.toString());
        void this.annotations.close(document);
      }),
    );
    this._register(tagging.onDidChangeSuggestions((uri) => this.redraw(uri)));
    this._register(annotations.onDidChangeAnnotations((uri) => this.redraw(uri)));
    // A schema may recolour labels: styles are rebuilt, then everything visible is redrawn.
    this._register(
      tasks.onDidChange(() => {
        this.decorations.reset();
        this.reconfigure();
      }),
    );
  }

  /** Applies changed settings: everything visible is tagged and redrawn as they now say. */
  private reconfigure(): void {
    this.updateContext(vscode.window.activeTextEditor);
    this.refreshVisible();
  }

  isTaggable(document: vscode.TextDocument): boolean {
    return isTaggable(this.config.current, document);
  }

  isConll(document: vscode.TextDocument): boolean {
    return isConll(this.config.current, document);
  }

  /** A document Spanlight shows anything for. */
  isHandled(document: vscode.TextDocument): boolean {
    return isHandled(this.config.current, document);
  }

  refreshVisible(): void {
    const seen = new Set<string>();
    for (const editor of vscode.window.visibleTextEditors) {
      if (seen.has(editor.document.uri.toString())) continue;
      seen.add(editor.document.uri.toString());
      this.open(editor.document, 0);
    }
  }

  private open(document: vscode.TextDocument, delayMs: number): void {
    if (!this.isHandled(document)) {
      this.redraw(document.uri);
      return;
    }
    void this.annotations.load(document).then(() => this.redraw(document.uri));
    if (this.isTaggable(document)) this.tagging.schedule(document, delayMs);
    this.redraw(document.uri);
  }

  private onEdit(event: vscode.TextDocumentChangeEvent): void {
    if (event.contentChanges.length === 0 || !this.isHandled(event.document)) return;
    const changes = toTextChanges(event);
    this.annotations.onEdit(event.document, changes);
    this.tagging.onEdit(event.document, changes);
    if (this.isTaggable(event.document))
      this.tagging.schedule(event.document, this.config.get('tagging.debounceMs'));
    this.redraw(event.document.uri);
  }

  private updateContext(editor: vscode.TextEditor | undefined): void {
    void vscode.commands.executeCommand(
      'setContext',
      ContextKey.Active,
      editor ? this.isHandled(editor.document) : false,
    );
  }

  gold(document: vscode.TextDocument): GoldToken[] {
    if (!this.isConll(document)) return [];
    const key = document.uri.toString();
    const cached = this.goldCache.get(key);
    if (cached?.version === document.version) return cached.tokens;
    const tokens = conllGoldTokens(document.getText());
    this.goldCache.set(key, { version: document.version, tokens });
    return tokens;
  }

  /** The span task the document is annotated for. */
  taskOf(document: vscode.TextDocument): string {
    return this.tasks.spanTask(document).id;
  }

  /** The document's annotations of its span task (other tasks' are kept apart, not shown). */
  taskAnnotations(document: vscode.TextDocument): Annotation[] {
    const task = this.taskOf(document);
    return this.annotations.annotations(document).filter((a) => a.task === task);
  }

  /**
   * Model suggestions for the document's task as shown: not hidden by its annotations, and not
   * below `display.minConfidence` (what the annotator does not see is never accepted).
   */
  visibleSuggestions(document: vscode.TextDocument): EntitySuggestion[] {
    const suggestions = this.tagging.suggestions(document);
    if (suggestions.entityTask !== this.taskOf(document)) return [];
    const minConfidence = this.config.get('display.minConfidence');
    return visibleSuggestions(suggestions.entities, this.taskAnnotations(document)).filter(
      (s) => s.confidence >= minConfidence,
    );
  }

  entityAt(document: vscode.TextDocument, offset: number): EntityAt | undefined {
    const annotation = this.annotations.at(document, offset, this.taskOf(document));
    if (annotation) return { kind: 'annotated', annotation };
    const within = (s: { start: number; end: number }) => s.start <= offset && offset <= s.end;
    const suggestion = this.visibleSuggestions(document).find(within);
    if (suggestion) {
      return {
        kind: 'suggested',
        suggestion,
        model: this.tagging.suggestions(document).entityModel?.name ?? 'model',
      };
    }
    const token = this.gold(document).find(within);
    return token ? { kind: 'gold', token } : undefined;
  }

  posAt(document: vscode.TextDocument, offset: number): TokenSuggestion | undefined {
    return this.tagging.suggestions(document).tokens.find((t) => t.start <= offset && offset < t.end);
  }

  redraw(uri: vscode.Uri): void {
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.toString() !== uri.toString()) continue;
      const document = editor.document;
      if (!this.isHandled(document)) {
        this.decorations.apply(editor, new Map());
        continue;
      }
      const suggestions = this.tagging.suggestions(document);
      const task = this.taskOf(document);
      const layers = planLayers({
        mode: this.view.displayMode,
        annotations: this.taskAnnotations(document),
        entities: suggestions.entityTask === task ? suggestions.entities : [],
        posTokens: suggestions.tokens,
        gold: this.gold(document),
        minConfidence: this.config.get('display.minConfidence'),
        showPos: this.view.showsPos(document),
      });
      this.decorations.apply(editor, layers);
    }
  }
}
