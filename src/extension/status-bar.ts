import * as vscode from 'vscode';
import { ENTITIES_TASK } from '../core/annotations/annotation-set';
import type { Ctx } from './ctx';
import { Disposable } from './dispose';
import { CommandId } from './ids';

const MODE_TEXT = { entities: 'Entities', pos: 'POS', both: 'Entities + POS', off: 'Off' } as const;

/** Shows the display mode and the models in use; spins while a model loads; click to change the mode. */
export class StatusBar extends Disposable {
  private readonly item = this._register(
    vscode.window.createStatusBarItem('spanlight.status', vscode.StatusBarAlignment.Right, 100),
  );

  constructor(private readonly ctx: Ctx) {
    super();
    this.item.name = 'Spanlight';
    this.item.command = CommandId.ChooseDisplayMode;
    this._register(ctx.models.onDidChangeLoading(() => this.update()));
    this._register(ctx.decorations.onDidRender(() => this.update()));
    this._register(ctx.view.onDidChange(() => this.update()));
    this._register(ctx.tasks.onDidChange(() => this.update()));
    this._register(vscode.window.onDidChangeActiveTextEditor(() => this.update()));
    this.update();
  }

  update(): void {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !this.ctx.editor.isHandled(editor.document)) {
      this.item.hide();
      return;
    }
    const mode = this.ctx.view.displayMode;
    if (this.ctx.models.isLoading) {
      this.item.text = '$(sync~spin) Spanlight: loading model…';
    } else {
      const task = this.ctx.editor.isTaggable(editor.document)
        ? this.ctx.tasks.spanTask(editor.document)
        : undefined;
      // The usual entities task goes without saying; another task (listing fields, say) is named.
      const taskText =
        task && task.id !== ENTITIES_TASK && this.ctx.view.shows('entities')
          ? ` · ${task.title ?? task.id}`
          : '';
      this.item.text = `$(symbol-field) ${MODE_TEXT[mode]}${taskText}`;
    }
    const suggestions = this.ctx.tagging.suggestions(editor.document);
    const models = [suggestions.entityModel?.name, suggestions.posModel?.name].filter(Boolean).join(', ');
    const details = this.ctx.editor.isConll(editor.document)
      ? 'gold labels of this CoNLL file'
      : [
          `task ${this.ctx.editor.taskOf(editor.document)}`,
          `language ${this.ctx.tasks.languageOf(editor.document) ?? 'not recognised'}`,
          models ? `models ${models}` : 'no model fits this task and language',
        ].join(' · ');
    this.item.tooltip = `Spanlight: ${MODE_TEXT[mode]} · ${details}\nClick to choose what to show.`;
    this.item.show();
  }
}
