/**
 * The Review view and review mode. The view lists the scope's unreviewed sentences, the model's
 * least certain first, with "n of N reviewed" in its title and in the status bar. Opening one
 * (Enter, a click, or `Review Next Sentence`) shows it with its least certain span selected and
 * turns on review mode in that editor: single keys accept (Enter: the sentence; a: the span),
 * reject (x), relabel (1–9), move (Tab) and edit boundaries, until Escape or another document.
 */
import * as vscode from 'vscode';
import { plainLabel } from '../core/annotations/markdown';
import { sentenceAround } from '../core/annotations/review';
import { revealSpan } from './commands/command';
import type { Services } from './ctx';
import { Disposable } from './dispose';
import { CommandId, ContextKey, ViewId } from './ids';
import { labelChoices } from './label-picker';
import { toRange } from './spans';
import type { QueueItem, WorkspaceIndex } from './workspace-index';

/** Items the view lists at most (the rest are counted in its message). */
const SHOWN = 500;

const percent = (p: number) => `${Math.round(100 * p)}%`;

/** Where a queue item points: enough to find it again after the index changed. */
export interface ReviewTarget {
  uri: string;
  start: number;
  end: number;
}

export class ReviewController extends Disposable implements vscode.TreeDataProvider<QueueItem> {
  private readonly changed = this._register(new vscode.EventEmitter<QueueItem | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<QueueItem>;
  private readonly status = this._register(
    vscode.window.createStatusBarItem('spanlight.review', vscode.StatusBarAlignment.Left, 40),
  );
  private readonly focus = this._register(
    vscode.window.createTextEditorDecorationType({
      backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground'),
    }),
  );
  /** The sentence under review, while review mode is on. */
  private current: ReviewTarget | undefined;
  /** Whether the review-mode context key is set (the single keys work). */
  private modeOn = false;
  /** Sentences skipped this session (Review Next without accepting), so Next moves on. */
  private readonly skipped = new Set<string>();

  constructor(
    private readonly ctx: Services,
    private readonly index: WorkspaceIndex,
  ) {
    super();
    this.view = this._register(
      vscode.window.createTreeView(ViewId.Review, { treeDataProvider: this, showCollapseAll: false }),
    );
    this.status.name = 'Spanlight Review';
    this.status.command = CommandId.StartReview;
    this._register(index.onDidChange(() => this.refresh()));
    this._register(
      this.view.onDidChangeVisibility((e) => {
        if (e.visible) void index.ensureScanned();
      }),
    );
    this._register(vscode.window.onDidChangeActiveTextEditor(() => void this.updateMode()));
    if (this.view.visible) void index.ensureScanned();
    this.refresh();
  }

  private key(item: { document: { uri: vscode.Uri }; sentence: { start: number } }): string {
    return `${item.document.uri.toString()}#${item.sentence.start}`;
  }

  private refresh(): void {
    const { reviewed, total } = this.index.progress();
    const scope = this.index.scope ? ` · ${vscode.workspace.asRelativePath(this.index.scope)}` : '';
    if (this.index.isScanned) {
      this.view.title = `Review: ${reviewed} of ${total} reviewed`;
      this.view.description = scope.slice(3);
      const queued = total - reviewed;
      this.view.message =
        total === 0
          ? `No text files matching "spanlight.review.files" here.`
          : queued === 0
            ? 'Every sentence is reviewed. Export: Spanlight: Export Annotations as Training Data…'
            : queued > SHOWN
              ? `The ${SHOWN} ${this.ctx.config.get('review.order') === 'document' ? 'first' : 'least certain'} of ${queued} unreviewed sentences.`
              : undefined;
      if (this.index.truncated > 0)
        this.view.message =
          `${this.view.message ?? ''} ${this.index.truncated} more files not read (spanlight.review.maxFiles).`.trim();
      this.status.tooltip = `Spanlight: ${reviewed} of ${total} sentences reviewed${scope}. Click to review the next one.`;
    } else {
      this.view.title = 'Review';
    }
    this.renderStatus();
    this.changed.fire(undefined);
  }

  /** The status bar: the review keys while review mode is on, else the progress. */
  private renderStatus(): void {
    const editor = vscode.window.activeTextEditor;
    if (this.modeOn && editor && this.currentIn(editor.document)) {
      const { labels } = labelChoices(this.ctx, editor.document);
      const keys = labels
        .slice(0, 9)
        .map((l, i) => `${i + 1} ${l}`)
        .join(' · ');
      this.status.text = `$(checklist) Review · Enter accept sentence · a/x accept/reject span · ${keys} · Tab next span · →/← words · Esc stop`;
      this.status.show();
    } else if (this.index.isScanned) {
      const { reviewed, total } = this.index.progress();
      this.status.text = `$(checklist) ${reviewed}/${total} reviewed`;
      this.status.show();
    }
  }

  getChildren(item?: QueueItem): QueueItem[] {
    if (item || !this.index.isScanned) return [];
    return this.index.queue().slice(0, SHOWN);
  }

  getTreeItem(item: QueueItem): vscode.TreeItem {
    const { document, sentence } = item;
    // The certainty leads the row, so a narrow side bar still shows why the sentence is here.
    const sure =
      document.model && sentence.certainty !== undefined ? `${percent(sentence.certainty)} · ` : '';
    const tree = new vscode.TreeItem(
      `${sure}${plainLabel(sentence.text, 90)}`,
      vscode.TreeItemCollapsibleState.None,
    );
    const lowest = [...sentence.suggestions].sort((a, b) => a.confidence - b.confidence)[0];
    const measure = this.ctx.config.get('review.uncertainty');
    const certainty =
      document.model && sentence.certainty !== undefined ? `${percent(sentence.certainty)} sure` : 'no model';
    tree.description = document.relative;
    tree.tooltip = new vscode.MarkdownString(
      [
        `**${plainLabel(document.relative)}** · task ${document.task}${document.model ? ` · model ${document.model}` : ''}`,
        document.model
          ? `Uncertainty ${sentence.score.toFixed(3)} (${measure}); the model is ${certainty} per word`
          : '',
        lowest
          ? `Least certain: “${plainLabel(lowest.text, 40)}” ${lowest.label} ${percent(lowest.confidence)}`
          : '',
        `${sentence.suggestions.length} suggestion(s) to review`,
      ]
        .filter(Boolean)
        .join('\n\n'),
    );
    tree.iconPath = new vscode.ThemeIcon((sentence.certainty ?? 1) < 0.8 ? 'warning' : 'circle-outline');
    tree.id = this.key(item);
    tree.command = {
      command: CommandId.OpenReviewItem,
      title: 'Review',
      arguments: [{ uri: document.uri.toString(), start: sentence.start, end: sentence.end }],
    };
    return tree;
  }

  /**
   * Review mode is on in the editor of the sentence under review, and only there. The status bar
   * shows the review keys once the context key is set, that is once the keys work.
   */
  private async updateMode(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const on = this.current !== undefined && editor?.document.uri.toString() === this.current.uri;
    await vscode.commands.executeCommand('setContext', ContextKey.ReviewMode, on);
    this.modeOn = on;
    if (on && editor && this.current)
      editor.setDecorations(this.focus, [toRange(editor.document, this.current)]);
    this.renderStatus();
  }

  get isReviewing(): boolean {
    return this.current !== undefined;
  }

  /** Opens a sentence for review: its least certain suggestion (or the sentence) is selected. */
  async open(target: ReviewTarget): Promise<void> {
    const uri = vscode.Uri.parse(target.uri);
    const document = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(document, { preview: false });
    const range = toRange(document, target);
    for (const other of vscode.window.visibleTextEditors) other.setDecorations(this.focus, []);
    this.current = { ...target };
    const sentence = sentenceAround(document.getText(), target.start);
    if (sentence) await this.ctx.tagging.ensureTagged(document, [sentence]);
    const spans = this.ctx.editor
      .visibleSuggestions(document)
      .filter((s) => s.start >= target.start && s.end <= target.end)
      .sort((a, b) => a.confidence - b.confidence);
    const first = spans[0];
    const selected = first ? toRange(document, first) : new vscode.Range(range.start, range.start);
    await revealSpan(editor, selected);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    await this.updateMode();
    const item = this.index
      .queue()
      .find((q) => q.document.uri.toString() === target.uri && q.sentence.start === target.start);
    if (item && this.view.visible)
      void this.view.reveal(item, { select: true, focus: false }).then(undefined, () => undefined);
  }

  /** Opens the next sentence of the queue (not the current one, not one skipped this session). */
  async next(skipCurrent = false): Promise<boolean> {
    await this.index.ensureScanned();
    if (this.current) {
      if (skipCurrent) this.skipped.add(`${this.current.uri}#${this.current.start}`);
      await this.index.update(vscode.Uri.parse(this.current.uri));
    }
    const currentKey = this.current ? `${this.current.uri}#${this.current.start}` : '';
    const item = this.index.queue().find((q) => this.key(q) !== currentKey && !this.skipped.has(this.key(q)));
    if (!item) {
      this.stop();
      const { reviewed, total } = this.index.progress();
      void vscode.window.showInformationMessage(
        `Spanlight: nothing left to review here (${reviewed} of ${total} sentences reviewed${this.skipped.size > 0 ? `, ${this.skipped.size} skipped` : ''}).`,
      );
      return false;
    }
    await this.open({
      uri: item.document.uri.toString(),
      start: item.sentence.start,
      end: item.sentence.end,
    });
    return true;
  }

  /** The sentence under review, when review mode is on in `document`. */
  currentIn(document: vscode.TextDocument): ReviewTarget | undefined {
    return this.current?.uri === document.uri.toString() ? this.current : undefined;
  }

  stop(): void {
    this.current = undefined;
    for (const editor of vscode.window.visibleTextEditors) editor.setDecorations(this.focus, []);
    void this.updateMode();
  }

  /** Narrows the queue to a folder (undefined: the whole workspace). */
  async setScope(folder: vscode.Uri | undefined): Promise<void> {
    this.skipped.clear();
    await this.index.setScope(folder);
    await vscode.commands.executeCommand(`${ViewId.Review}.focus`);
  }
}
