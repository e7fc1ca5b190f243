/** Models: which one tags, the TensorFlow backend behind them, tagging a whole document now. */
import * as vscode from 'vscode';
import { modelFitsTask } from '../../core/annotations/schema';
import { CommandId, type CommandIdValue } from '../ids';
import { TASK_TITLES, UntrustedModelError } from '../models';
import { type CommandFactory, targetEditor } from './command';

export const modelCommands = {
  [CommandId.ShowBackendInfo]: (ctx) => async () => {
    try {
      // Asked of the tagging process: TensorFlow is loaded there, never in the extension host.
      const info = await ctx.models.taggingProcess.backendInfo();
      ctx.log.info(JSON.stringify(info, null, 2));
      void vscode.window.showInformationMessage(
        info.tagging === 'tensorflow'
          ? `Spanlight: TensorFlow ${info.tensorflowVersion} (${info.backend} backend), matmul 256×256 in ${info.matmulMs.toFixed(2)} ms`
          : `Spanlight: tagging runs on the portable backend (plain JavaScript) because ${info.nativeUnavailable ?? 'SPANLIGHT_BACKEND=portable asks for it'}. Training needs native TensorFlow.`,
      );
    } catch (err) {
      ctx.log.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      void vscode.window.showErrorMessage(`Spanlight: TensorFlow could not be loaded: ${String(err)}`);
    }
  },

  [CommandId.SelectModel]: (ctx) => async (folder?: string) => {
    let chosen = typeof folder === 'string' ? folder : undefined;
    if (!chosen) {
      const candidates = await ctx.models.candidates();
      const browse = '$(folder-opened) Browse for a model folder…';
      const item = await vscode.window.showQuickPick(
        [
          ...candidates.map((c) => ({
            label: c.name,
            description: `${TASK_TITLES[c.task]} · ${c.source}`,
            detail: `${c.labels.join(' ')}  —  ${c.folder}`,
            folder: c.folder,
          })),
          { label: browse, folder: '' },
        ],
        {
          title: 'Spanlight: Select Model',
          placeHolder: vscode.workspace.isTrusted
            ? 'Shipped and workspace models'
            : 'Shipped models (workspace models need a trusted workspace)',
        },
      );
      if (!item) return undefined;
      if (item.label === browse) {
        const picked = await vscode.window.showOpenDialog({
          canSelectFolders: true,
          canSelectFiles: false,
          openLabel: 'Use this model',
          title: 'A Spanlight model folder (with model.json)',
        });
        if (!picked?.[0]) return undefined;
        chosen = picked[0].fsPath;
      } else chosen = item.folder;
    }
    try {
      let info = await ctx.models.choose(chosen);
      // Picked while a document of another task is open (a custom task, say): it tags that task too.
      const document = vscode.window.activeTextEditor?.document;
      if (document && ctx.editor.isTaggable(document)) {
        const task = ctx.tasks.spanTask(document);
        const facts = {
          kind: info.task === 'pos' ? ('tokens' as const) : ('spans' as const),
          labels: info.labels,
          language: info.language,
        };
        if (task.id !== info.task && modelFitsTask(facts, task, ctx.tasks.languageOf(document)))
          info = await ctx.models.choose(chosen, task.id);
      }
      void vscode.window.setStatusBarMessage(`Spanlight: ${TASK_TITLES[info.task]} model ${info.name}`, 4000);
      ctx.editor.refreshVisible();
      return info;
    } catch (error) {
      ctx.log.error(String(error));
      const message =
        error instanceof UntrustedModelError
          ? error.message
          : `cannot use ${chosen}: ${(error as Error).message}`;
      void vscode.window.showErrorMessage(`Spanlight: ${message}`);
      return undefined;
    }
  },

  [CommandId.RetagDocument]: (ctx) => async () => {
    const target = await targetEditor();
    if (!target || !ctx.editor.isTaggable(target.editor.document)) return;
    ctx.tagging.schedule(target.editor.document, 0, true);
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Spanlight: tagging the document' },
      () => ctx.tagging.whenIdle(target.editor.document),
    );
  },
} satisfies Partial<Record<CommandIdValue, CommandFactory>>;
