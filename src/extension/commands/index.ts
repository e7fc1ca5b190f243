/**
 * Every command, one handler per `CommandId` (ids.ts): the `Record` below does not compile when a
 * command has no handler, and a unit test checks the ids against package.json. Each module makes
 * its handlers from the context object (`(ctx) => handler`); failures are logged and shown here,
 * once for all.
 */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import type { CommandIdValue } from '../ids';
import type { CommandFactory } from './command';
import { dataCommands } from './data';
import { labellingCommands } from './labelling';
import { modelCommands } from './models';
import { trainingCommands } from './training';
import { viewCommands } from './view';

const COMMANDS: Record<CommandIdValue, CommandFactory> = {
  ...labellingCommands,
  ...viewCommands,
  ...modelCommands,
  ...dataCommands,
  ...trainingCommands,
};

/** Registers every command; `overrides` replace some handlers (those that need Node, on the web). */
export function registerCommands(
  ctx: Ctx,
  overrides: Partial<Record<CommandIdValue, CommandFactory>> = {},
): vscode.Disposable[] {
  return Object.entries({ ...COMMANDS, ...overrides }).map(([id, factory]) => {
    const handler = factory(ctx) as (...args: unknown[]) => unknown;
    return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (error) {
        ctx.log.error(
          `${id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        void vscode.window.showErrorMessage(`Spanlight: ${String(error)}`, 'Show Output').then((choice) => {
          if (choice) ctx.log.show();
        });
        return undefined;
      }
    });
  });
}
