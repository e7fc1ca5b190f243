/**
 * The Entities view: the entities of one task across the workspace (annotations and the
 * suggestions the annotator sees), grouped by label, then by text, with counts; a search filter;
 * and, on a text, accept, reject or relabel every occurrence at once. It follows the task of the
 * active document. `documentEntities` is the same list for one open document, in order.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { REJECTED_LABEL } from '../core/annotations/annotation-set';
import { plainLabel } from '../core/annotations/markdown';
import type { Span } from '../core/types';
import type { Ctx, Services } from './ctx';
import { Disposable } from './dispose';
import { CommandId, ContextKey, ViewId } from './ids';
import type { Occurrence, WorkspaceIndex } from './workspace-index';

export interface EntityEntry extends Span {
  text: string;
  source: 'annotated' | 'accepted' | 'suggested' | 'gold';
}

/** Gold tokens of one entity sit on consecutive lines; join them into one entry per entity. */
function goldEntities(document: vscode.TextDocument, ctx: Pick<Ctx, 'editor'>): EntityEntry[] {
  const entries: EntityEntry[] = [];
  for (const token of ctx.editor.gold(document)) {
    const text = document.getText(
      new vscode.Range(document.positionAt(token.start), document.positionAt(token.end)),
    );
    const last = entries[entries.length - 1];
    if (!token.begins && last && last.label === token.label) {
      entries[entries.length - 1] = { ...last, text: `${last.text} ${text}` };
    } else {
      entries.push({ start: token.start, end: token.end, label: token.label, text, source: 'gold' });
    }
  }
  return entries;
}

/** The entities of an open document for its task, in document order. */
export function documentEntities(document: vscode.TextDocument, ctx: Pick<Ctx, 'editor'>): EntityEntry[] {
  const annotated = ctx.editor
    .taskAnnotations(document)
    .filter((a) => a.label !== REJECTED_LABEL)
    .map((a): EntityEntry => ({ ...a, source: a.origin === 'accepted' ? 'accepted' : 'annotated' }));
  const suggested = ctx.editor
    .visibleSuggestions(document)
    .map(
      (s): EntityEntry => ({ start: s.start, end: s.end, label: s.label, text: s.text, source: 'suggested' }),
    );
  return [...goldEntities(document, ctx), ...annotated, ...suggested].sort((a, b) => a.start - b.start);
}

export type EntityNode =
  | { kind: 'label'; label: string; occurrences: Occurrence[] }
  | { kind: 'text'; label: string; text: string; occurrences: Occurrence[] }
  | { kind: 'occurrence'; occurrence: Occurrence };

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `[start, end)` of an occurrence as a line number in its document (1-based). */
function lineOf(occurrence: Occurrence): number {
  return occurrence.document.text.slice(0, occurrence.start).split('\n').length;
}

export class EntityTreeProvider extends Disposable implements vscode.TreeDataProvider<EntityNode> {
  private readonly changed = this._register(new vscode.EventEmitter<EntityNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<EntityNode>;
  private shownTask: string;
  private filter = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: Services,
    private readonly index: WorkspaceIndex,
  ) {
    super();
    this.shownTask = this.activeTask();
    this.view = this._register(
      vscode.window.createTreeView(ViewId.Entities, { treeDataProvider: this, showCollapseAll: true }),
    );
    this._register(
      vscode.window.onDidChangeActiveTextEditor(() => {
        const task = this.activeTask();
        if (task === this.shownTask) return;
        this.shownTask = task;
        this.refresh();
      }),
    );
    this._register(index.onDidChange(() => this.refresh()));
    this._register(ctx.tasks.onDidChange(() => this.refresh()));
    this._register(
      this.view.onDidChangeVisibility((e) => {
        if (e.visible) void index.ensureScanned();
      }),
    );
    if (this.view.visible) void index.ensureScanned();
    this.updateTitle();
  }

  /** The task of the active document (the view keeps the last one while no document is active). */
  private activeTask(): string {
    const document = vscode.window.activeTextEditor?.document;
    return document && this.ctx.editor.isTaggable(document)
      ? this.ctx.editor.taskOf(document)
      : (this.shownTask ?? 'entities');
  }

  /** The task whose entities the view shows. */
  get task(): string {
    return this.shownTask;
  }

  /** Shows entities whose text or label contains `filter` (case-insensitive); empty shows all. */
  setFilter(filter: string): void {
    this.filter = filter.trim();
    void vscode.commands.executeCommand('setContext', ContextKey.EntitiesFiltered, this.filter !== '');
    this.refresh();
  }

  get currentFilter(): string {
    return this.filter;
  }

  /** Coalesces bursts of index updates into one tree refresh. */
  private refresh(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.updateTitle();
      this.changed.fire(undefined);
    }, 150);
  }

  private occurrences(): Occurrence[] {
    const all = this.index.occurrences(this.shownTask);
    if (!this.filter) return all;
    const needle = this.filter.toLowerCase();
    return all.filter((o) => o.text.toLowerCase().includes(needle) || o.label.toLowerCase().includes(needle));
  }

  private updateTitle(): void {
    const task = this.ctx.tasks.allTasks().find((t) => t.id === this.shownTask);
    this.view.description = task?.title ?? this.shownTask;
    if (!this.index.isScanned) {
      this.view.message = undefined;
      return;
    }
    const shown = this.occurrences().length;
    const total = this.index.occurrences(this.shownTask).length;
    this.view.message = this.filter
      ? `Matching “${this.filter}”: ${count(shown, 'occurrence')} of ${total}.`
      : total === 0
        ? `No ${task?.title ?? this.shownTask} entities in the workspace yet.`
        : undefined;
  }

  getChildren(node?: EntityNode): EntityNode[] {
    if (!this.index.isScanned) return [];
    if (node?.kind === 'occurrence') return [];
    if (node?.kind === 'text')
      return node.occurrences.map((occurrence) => ({ kind: 'occurrence', occurrence }));
    const group = (items: Occurrence[], key: (o: Occurrence) => string) => {
      const groups = new Map<string, Occurrence[]>();
      for (const o of items) groups.set(key(o), [...(groups.get(key(o)) ?? []), o]);
      return [...groups].sort(([a, x], [b, y]) => y.length - x.length || a.localeCompare(b));
    };
    if (node?.kind === 'label')
      return group(node.occurrences, (o) => o.text).map(([text, occurrences]) => ({
        kind: 'text',
        label: node.label,
        text,
        occurrences,
      }));
    return group(this.occurrences(), (o) => o.label).map(([label, occurrences]) => ({
      kind: 'label',
      label,
      occurrences,
    }));
  }

  getParent(): undefined {
    return undefined;
  }

  getTreeItem(node: EntityNode): vscode.TreeItem {
    switch (node.kind) {
      case 'label': {
        const texts = new Set(node.occurrences.map((o) => o.text)).size;
        const item = new vscode.TreeItem(plainLabel(node.label), vscode.TreeItemCollapsibleState.Collapsed);
        item.description = `${node.occurrences.length} · ${count(texts, 'name')}`;
        item.iconPath = new vscode.ThemeIcon('symbol-class');
        item.contextValue = 'entityLabel';
        item.id = `label:${this.shownTask}:${node.label}`;
        return item;
      }
      case 'text': {
        const item = new vscode.TreeItem(plainLabel(node.text), vscode.TreeItemCollapsibleState.Collapsed);
        const suggested = node.occurrences.filter((o) => o.source === 'suggested').length;
        const documents = new Set(node.occurrences.map((o) => o.document.uri.toString())).size;
        item.description = `${node.occurrences.length}${suggested > 0 ? ` · ${suggested} suggested` : ' · all annotated'} · ${count(documents, 'file')}`;
        item.iconPath = new vscode.ThemeIcon(suggested > 0 ? 'lightbulb' : 'pass');
        item.contextValue = suggested > 0 ? 'entityText.suggested' : 'entityText';
        item.tooltip = `${plainLabel(node.text)} (${node.label}): ${count(node.occurrences.length, 'occurrence')}, ${suggested} not yet accepted`;
        item.id = `text:${this.shownTask}:${node.label}:${node.text}`;
        return item;
      }
      case 'occurrence': {
        const o = node.occurrence;
        const item = new vscode.TreeItem(
          `${o.document.relative}:${lineOf(o)}`,
          vscode.TreeItemCollapsibleState.None,
        );
        item.description =
          o.source === 'suggested' ? `suggested ${Math.round(100 * (o.confidence ?? 0))}%` : o.source;
        item.iconPath = new vscode.ThemeIcon(o.source === 'suggested' ? 'lightbulb' : 'pass');
        item.contextValue = `entityOccurrence.${o.source}`;
        item.resourceUri = o.document.uri;
        item.tooltip = `${path.basename(o.document.relative)}: “${plainLabel(o.text)}” ${o.label}`;
        item.command = {
          command: CommandId.RevealEntity,
          title: 'Reveal',
          arguments: [o.document.uri.toString(), o.start, o.end],
        };
        return item;
      }
    }
  }

  override dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    super.dispose();
  }
}
