/** Tasks and label schemas: which task a document is annotated for, and the project's labels.json. */
import * as vscode from 'vscode';
import { findTask, serializeLabelSchema } from '../../core/annotations/schema';
import { CommandId, type CommandIdValue } from '../ids';
import { readIfThere, writeTextAtomic } from '../tasks';
import { type CommandFactory, targetEditor } from './command';

export const taskCommands = {
  [CommandId.ChooseTask]: (ctx) => async (taskId?: string) => {
    const target = await targetEditor();
    if (!target) return undefined;
    const document = target.editor.document;
    const current = ctx.editor.taskOf(document);
    const automatic = '$(sync) Automatic';
    let chosen = typeof taskId === 'string' ? taskId : undefined;
    if (chosen === undefined) {
      const tasks = ctx.tasks.schemaFor(document).tasks.filter((t) => t.kind === 'spans');
      const picked = await vscode.window.showQuickPick(
        [
          ...tasks.map((t) => ({
            label: t.title ?? t.id,
            description: `${t.id}${t.id === current ? ' · current' : ''}`,
            detail: t.labels.map((l) => l.name).join(' '),
            id: t.id as string | undefined,
          })),
          { label: automatic, description: 'from labels.json "files", then the annotations', id: undefined },
        ],
        { title: `Spanlight: task of ${vscode.workspace.asRelativePath(document.uri)}` },
      );
      if (!picked) return undefined;
      chosen = picked.id;
    }
    await ctx.tasks.chooseTask(document.uri, chosen);
    const now = ctx.editor.taskOf(document);
    void vscode.window.setStatusBarMessage(
      `Spanlight: ${vscode.workspace.asRelativePath(document.uri)} is annotated for ${now}`,
      4000,
    );
    return now;
  },

  [CommandId.OpenLabelSchema]: (ctx) => async () => {
    const folder =
      (vscode.window.activeTextEditor &&
        vscode.workspace.getWorkspaceFolder(vscode.window.activeTextEditor.document.uri)) ??
      vscode.workspace.workspaceFolders?.[0];
    if (!folder) {
      void vscode.window.showInformationMessage('Spanlight: open a folder to give it a label schema.');
      return;
    }
    const file = ctx.tasks.schemaFile(folder);
    if ((await readIfThere(file)) === undefined) {
      // Start from the built-in entity and listing tasks, so there is something to edit.
      const schema = ctx.tasks.schemaFor(folder.uri);
      const tasks = ['entities', 'listings'].map((id) => findTask(schema, id)).filter((t) => t !== undefined);
      await writeTextAtomic(folder, file, serializeLabelSchema(tasks));
    }
    await vscode.window.showTextDocument(file);
  },
} satisfies Partial<Record<CommandIdValue, CommandFactory>>;
