/**
 * Every command, one handler per `CommandId` (ids.ts): the `Record` below does not compile when a
 * command has no handler, and a unit test checks the ids against package.json. Each module makes
 * its handlers from the context object (`(ctx) => handler`); failures are logged and shown here,
 * once for all.
 */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { CommandId, type CommandIdValue } from '../ids';
import { boundaryCommands } from './boundaries';
import type { CommandFactory } from './command';
import { dataCommands } from './data';
import { entityCommands } from './entities';
import { labellingCommands } from './labelling';
import { loopCommands } from './loop';
import { modelCommands } from './models';
import { reviewCommands } from './review';
import { taskCommands } from './tasks';
import { trainingCommands } from './training';
import { viewCommands } from './view';

const COMMANDS: Record<CommandIdValue, CommandFactory> = {
  ...labellingCommands,
  ...reviewCommands,
  ...boundaryCommands,
  ...entityCommands,
  ...taskCommands,
  ...viewCommands,
  ...modelCommands,
  ...dataCommands,
  ...trainingCommands,
  ...loopCommands,
};

/**
 * Commands bound to single keys while reviewing (and their editor shortcuts) run one after
 * another: each reads the selection the previous one left, so keys typed faster than an
 * annotation is saved still act in order (Tab, then 2, relabels the span Tab moved to).
 */
const IN_ORDER = new Set<string>(
  [labellingCommands, reviewCommands, boundaryCommands]
    .flatMap((group) => Object.keys(group))
    // It only hands a key to the command it names, which then takes its turn.
    .filter((id) => id !== CommandId.ReviewKey),
);

/** Registers every command; `overrides` replace some handlers (those that need Node, on the web). */
export function registerCommands(
  ctx: Ctx,
  overrides: Partial<Record<CommandIdValue, CommandFactory>> = {},
): vscode.Disposable[] {
  let queue: Promise<unknown> = Promise.resolve();
  return Object.entries({ ...COMMANDS, ...overrides }).map(([id, factory]) => {
    const handler = factory(ctx) as (...args: unknown[]) => unknown;
    const run = (args: unknown[]) => {
      if (!IN_ORDER.has(id)) return Promise.resolve(handler(...args));
      const result = queue.then(() => handler(...args));
      queue = result.catch(() => undefined);
      return result;
    };
    return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await run(args);
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
