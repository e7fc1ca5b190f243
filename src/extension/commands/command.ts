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

/**
 * Selects `range` in `editor`, scrolls it into view, and resolves once the editor reports the
 * new selection (or after a short wait). The next command then reads this selection: otherwise
 * the editor's late report of an older one could overwrite it when keys come fast.
 */
export function revealSpan(editor: vscode.TextEditor, range: vscode.Range): Promise<void> {
  const target = new vscode.Selection(range.start, range.end);
  const applied = new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      listener.dispose();
      resolve();
    };
    const timer = setTimeout(done, 300);
    const listener = vscode.window.onDidChangeTextEditorSelection((e) => {
      if (e.textEditor.document === editor.document && e.selections[0]?.isEqual(target)) done();
    });
  });
  editor.selection = target;
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return applied;
}
