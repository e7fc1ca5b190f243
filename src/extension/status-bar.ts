import * as vscode from 'vscode';
import type { EditorController } from './controller';
import { Disposable } from './dispose';
import { CommandId } from './ids';

const MODE_TEXT = { entities: 'Entities', pos: 'POS', both: 'Entities + POS', off: 'Off' } as const;

/** Shows the display mode and the models in use; spins while a model loads; click to change the mode. */
export class StatusBar extends Disposable {
  private readonly item = this._register(
    vscode.window.createStatusBarItem('spanlight.status', vscode.StatusBarAlignment.Right, 100),
  );

  constructor(private readonly controller: EditorController) {
    super();
    this.item.name = 'Spanlight';
    this.item.command = CommandId.ChooseDisplayMode;
    this._register(controller.models.onDidChangeLoading(() => this.update()));
    this._register(controller.decorations.onDidRender(() => this.update()));
    this._register(vscode.window.onDidChangeActiveTextEditor(() => this.update()));
    this.update();
  }

  update(): void {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !this.controller.isHandled(editor.document)) {
      this.item.hide();
      return;
    }
    const mode = this.controller.settings['display.mode'];
    if (this.controller.models.isLoading) {
      this.item.text = '$(sync~spin) Spanlight: loading model…';
    } else {
      this.item.text = `$(symbol-field) ${MODE_TEXT[mode]}`;
    }
    const suggestions = this.controller.tagging.suggestions(editor.document);
    const models = [suggestions.entityModel?.name, suggestions.posModel?.name].filter(Boolean).join(', ');
    this.item.tooltip = `Spanlight: ${MODE_TEXT[mode]}${models ? ` · ${models}` : ''}${this.controller.isConll(editor.document) ? ' · gold labels of this CoNLL file' : ''}\nClick to choose what to show.`;
    this.item.show();
  }
}
