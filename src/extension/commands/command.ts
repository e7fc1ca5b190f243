/** What every command module shares: the handler shape and how a command finds its editor. */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import type { LabelTarget } from '../hover';

/** A command's handler, made once from the context (rust-analyzer's `(ctx) => Cmd`). */
export type CommandFactory = (ctx: Ctx) => (...args: never[]) => unknown;

/** The editor a command acts on: the one a hover link names, else the active one. */
export async function targetEditor(
  target?: LabelTarget,
): Promise<{ editor: vscode.TextEditor; offset?: number } | undefined> {
  if (target && typeof target.uri === 'string') {
    const uri = vscode.Uri.parse(target.uri);
    const editor =
      vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString()) ??
      (await vscode.window.showTextDocument(uri));
    return { editor, offset: target.offset };
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('Spanlight: open a document first.');
    return undefined;
  }
  return { editor };
}

/** Selects `span` in `editor` and scrolls it into view. */
export function revealSpan(editor: vscode.TextEditor, range: vscode.Range): void {
  editor.selection = new vscode.Selection(range.start, range.end);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
