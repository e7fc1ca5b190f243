/** Data out of the editor: annotations as training data, listings as records. */
import * as vscode from 'vscode';
import { LISTINGS_TASK } from '../../core/annotations/annotation-set';
import { type ExportRequest, exportAnnotations } from '../export';
import { CommandId, type CommandIdValue } from '../ids';
import { type ExtractFolderRequest, extractListingsInFolder } from '../template/export';
import type { CommandFactory } from './command';

export const dataCommands = {
  [CommandId.ExportAnnotations]: (ctx) => (request?: Partial<ExportRequest>) =>
    exportAnnotations(ctx, typeof request === 'object' && request !== null ? request : {}),
  [CommandId.ExtractListing]: (ctx) => async () => {
    // A document opened in the listing form is a listing: its highlights become listing fields
    // (unless a task was chosen for it by hand).
    const document = vscode.window.activeTextEditor?.document;
    if (document && ctx.editor.isTaggable(document) && ctx.tasks.chosenTask(document.uri) === undefined)
      await ctx.tasks.chooseTask(document.uri, LISTINGS_TASK);
    ctx.template.show();
  },
  [CommandId.ExtractListingsInFolder]: (ctx) => (request?: ExtractFolderRequest) =>
    extractListingsInFolder(
      ctx.models,
      ctx.log,
      typeof request === 'object' && request !== null ? request : {},
    ),
} satisfies Partial<Record<CommandIdValue, CommandFactory>>;
