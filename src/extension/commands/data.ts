/** Data out of the editor: annotations as training data, listings as records. */
import { type ExportRequest, exportAnnotations } from '../export';
import { CommandId, type CommandIdValue } from '../ids';
import { type ExtractFolderRequest, extractListingsInFolder } from '../template/export';
import type { CommandFactory } from './command';

export const dataCommands = {
  [CommandId.ExportAnnotations]: (ctx) => (request?: Partial<ExportRequest>) =>
    exportAnnotations(ctx, typeof request === 'object' && request !== null ? request : {}),
  [CommandId.ExtractListing]: (ctx) => () => ctx.template.show(),
  [CommandId.ExtractListingsInFolder]: (ctx) => (request?: ExtractFolderRequest) =>
    extractListingsInFolder(
      ctx.models,
      ctx.log,
      typeof request === 'object' && request !== null ? request : {},
    ),
} satisfies Partial<Record<CommandIdValue, CommandFactory>>;
