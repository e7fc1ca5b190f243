/**
 * The "Entities" view: the active document's entities (annotations, suggestions not overruled by
 * them, or a CoNLL file's gold labels) grouped by label; selecting one reveals it.
 */
import * as vscode from 'vscode';
import { plainLabel } from '../core/annotations/markdown';
import type { Span } from '../core/types';
import type { Ctx } from './ctx';
import { Disposable } from './dispose';
import { CommandId } from './ids';

export interface EntityEntry extends Span {
  text: string;
  source: 'annotated' | 'accepted' | 'suggested' | 'gold';
}

type Node = { kind: 'label'; label: string; entries: EntityEntry[] } | { kind: 'entity'; entry: EntityEntry };

/** Gold tokens of one entity sit on consecutive lines; join them into one entry per entity. */
function goldEntities(document: vscode.TextDocument, ctx: Ctx): EntityEntry[] {
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

export function documentEntities(document: vscode.TextDocument, ctx: Ctx): EntityEntry[] {
  const annotated = ctx.annotations
    .annotations(document)
    .filter((a) => a.label !== 'O')
    .map((a): EntityEntry => ({ ...a, source: a.origin === 'accepted' ? 'accepted' : 'annotated' }));
  const suggested = ctx.editor
    .visibleSuggestions(document)
    .map(
      (s): EntityEntry => ({ start: s.start, end: s.end, label: s.label, text: s.text, source: 'suggested' }),
    );
  return [...goldEntities(document, ctx), ...annotated, ...suggested].sort((a, b) => a.start - b.start);
}

export class EntityTreeProvider extends Disposable implements vscode.TreeDataProvider<Node> {
  private readonly changed = this._register(new vscode.EventEmitter<Node | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private document: vscode.TextDocument | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: Ctx) {
    super();
    this.document = vscode.window.activeTextEditor?.document;
    this._register(
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor) this.document = editor.document;
        this.refresh();
      }),
    );
    this._register(
      ctx.decorations.onDidRender((uri) => {
        if (uri.toString() === this.document?.uri.toString()) this.refresh();
      }),
    );
  }

  /** Coalesces bursts of redraws into one tree refresh. */
  private refresh(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.changed.fire(undefined);
    }, 150);
  }

  getChildren(node?: Node): Node[] {
    if (node?.kind === 'label') return node.entries.map((entry) => ({ kind: 'entity', entry }));
    if (node || !this.document || !this.ctx.editor.isHandled(this.document)) return [];
    const byLabel = new Map<string, EntityEntry[]>();
    for (const entry of documentEntities(this.document, this.ctx)) {
      byLabel.set(entry.label, [...(byLabel.get(entry.label) ?? []), entry]);
    }
    return [...byLabel]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([label, entries]) => ({ kind: 'label', label, entries }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'label') {
      const item = new vscode.TreeItem(plainLabel(node.label), vscode.TreeItemCollapsibleState.Expanded);
      item.description = String(node.entries.length);
      item.iconPath = new vscode.ThemeIcon('symbol-class');
      return item;
    }
    const { entry } = node;
    const item = new vscode.TreeItem(plainLabel(entry.text), vscode.TreeItemCollapsibleState.None);
    const line = this.document ? this.document.positionAt(entry.start).line + 1 : 0;
    item.description = `line ${line} · ${entry.source}`;
    item.iconPath = new vscode.ThemeIcon(entry.source === 'suggested' ? 'lightbulb' : 'pass');
    if (this.document) {
      item.command = {
        command: CommandId.RevealEntity,
        title: 'Reveal',
        arguments: [this.document.uri.toString(), entry.start, entry.end],
      };
    }
    return item;
  }

  override dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    super.dispose();
  }
}
