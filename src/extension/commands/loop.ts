/** The model-in-the-loop: update the model from reviewed sentences, cancel that, go back to a version. */
import * as vscode from 'vscode';
import type { TaskDefinition } from '../../core/annotations/schema';
import type { Ctx } from '../ctx';
import { CommandId, type CommandIdValue } from '../ids';
import { scoreText } from '../loop/model-loop';
import type { CommandFactory } from './command';

/** What Update Model from Annotations may be given (tests, keybindings): a task id and dev files. */
interface UpdateArgs {
  task?: string;
  devFiles?: string[];
}

/** The loop, or a message saying it needs desktop VS Code. */
function loopOf(ctx: Ctx) {
  if (!ctx.loop)
    void vscode.window.showInformationMessage(
      'Spanlight: updating models needs desktop VS Code (native TensorFlow).',
    );
  return ctx.loop;
}

/** The span task to update: the active document's, else the one the user picks. */
async function targetOf(ctx: Ctx, args: UpdateArgs) {
  const document = vscode.window.activeTextEditor?.document;
  const folder =
    (document && vscode.workspace.getWorkspaceFolder(document.uri)) ?? vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showInformationMessage(
      'Spanlight: open a folder to update a model from its annotations.',
    );
    return undefined;
  }
  const spanTasks = ctx.tasks.allTasks().filter((t) => t.kind === 'spans');
  let task: TaskDefinition | undefined = args.task ? spanTasks.find((t) => t.id === args.task) : undefined;
  if (!task && document && ctx.editor.isTaggable(document)) task = ctx.tasks.spanTask(document);
  if (!task) {
    const picked = await vscode.window.showQuickPick(
      spanTasks.map((t) => ({ label: t.id, description: t.labels.map((l) => l.name).join(', '), task: t })),
      { title: 'Update which task’s model from its reviewed sentences?' },
    );
    task = picked?.task;
  }
  if (!task) return undefined;
  const language = document && ctx.editor.isTaggable(document) ? ctx.tasks.languageOf(document) : undefined;
  return { folder, task, language };
}

const when = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });

export const loopCommands = {
  [CommandId.UpdateModel]: (ctx) => async (args?: UpdateArgs) => {
    const loop = loopOf(ctx);
    if (!loop) return undefined;
    const target = await targetOf(ctx, typeof args === 'object' && args !== null ? args : {});
    if (!target) return undefined;
    return loop.update(target, args?.devFiles ? { devFiles: args.devFiles } : {});
  },
  [CommandId.CancelModelUpdate]: (ctx) => () => {
    if (ctx.loop?.cancel()) return;
    void vscode.window.showInformationMessage('Spanlight: no model update is running.');
  },
  [CommandId.ChooseModelVersion]: (ctx) => async (args?: { task?: string; version?: number }) => {
    const loop = loopOf(ctx);
    if (!loop) return undefined;
    const histories = (await loop.histories()).filter((h) => !args?.task || h.history.task === args.task);
    if (histories.length === 0) {
      void vscode.window.showInformationMessage(
        'Spanlight: no model versions yet. They are made when the model is updated from reviewed sentences (Spanlight: Update Model from Annotations).',
      );
      return undefined;
    }
    const items = histories.flatMap(({ folder, history }) =>
      [...history.versions].reverse().map((v) => ({
        label: `${v.version === history.current ? '$(check) ' : ''}${history.task} v${v.version}`,
        description: `${scoreText(v.heldOut)}${v.heldOut ? ` on ${v.heldOut.sentences} held-out` : ''} · ${v.reviewedSentences} reviewed`,
        detail: `${v.origin.kind === 'start' ? `the model in use before updates (${v.origin.model})` : v.origin.basedOn > 0 ? `v${v.origin.basedOn} fine-tuned on ${v.trainSentences} reviewed sentences` : `trained on ${v.trainSentences} reviewed sentences`} · ${when(v.createdAt)}`,
        folder,
        task: history.task,
        version: v.version,
      })),
    );
    const picked =
      args?.version !== undefined
        ? items.find((i) => i.version === args.version)
        : await vscode.window.showQuickPick(items, {
            title: 'Use which model version? (every version is kept; you can come back)',
            matchOnDescription: true,
          });
    if (!picked) return undefined;
    const task = ctx.tasks.allTasks().find((t) => t.id === picked.task);
    if (!task) {
      void vscode.window.showErrorMessage(
        `Spanlight: the task ${picked.task} is not in the label schema any more.`,
      );
      return undefined;
    }
    const used = await loop.useVersion(picked.folder, task, picked.version);
    vscode.window.setStatusBarMessage(
      `$(check) Spanlight: ${task.id} model v${used.version.version} is in use (suggestions refreshed in ${used.swapMs} ms)`,
      8000,
    );
    return used;
  },
} satisfies Partial<Record<CommandIdValue, CommandFactory>>;
