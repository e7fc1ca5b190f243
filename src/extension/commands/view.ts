/** What is shown: display mode toggles (kept in workspace state), the output, revealing an entity. */
import * as vscode from 'vscode';
import { type DisplayMode, toggleLayer } from '../../core/annotations/layers';
import { CommandId, type CommandIdValue } from '../ids';
import { toRange } from '../spans';
import { type CommandFactory, revealSpan } from './command';

const DISPLAY_MODES: Array<{ label: string; mode: DisplayMode; detail: string }> = [
  {
    label: 'Entities',
    mode: 'entities',
    detail: 'Highlight entities (suggestions dashed, annotations solid)',
  },
  { label: 'Part of speech', mode: 'pos', detail: 'Small tag after each word' },
  { label: 'Both', mode: 'both', detail: 'Entities and part-of-speech tags' },
  { label: 'Off', mode: 'off', detail: 'Show nothing' },
];

export const viewCommands = {
  [CommandId.ToggleEntities]: (ctx) => () =>
    ctx.view.setDisplayMode(toggleLayer(ctx.view.displayMode, 'entities')),
  [CommandId.TogglePos]: (ctx) => () => ctx.view.setDisplayMode(toggleLayer(ctx.view.displayMode, 'pos')),
  [CommandId.ChooseDisplayMode]: (ctx) => async (mode?: DisplayMode) => {
    const chosen =
      mode ??
      (
        await vscode.window.showQuickPick(
          DISPLAY_MODES.map((m) => ({
            ...m,
            ...(m.mode === ctx.view.displayMode ? { description: 'current' } : {}),
          })),
          { title: 'Spanlight: what to show' },
        )
      )?.mode;
    if (chosen) await ctx.view.setDisplayMode(chosen);
  },

  [CommandId.ShowOutput]: (ctx) => () => ctx.log.show(),

  [CommandId.RevealEntity]: () => async (uri?: string, start?: number, end?: number) => {
    if (typeof uri !== 'string' || typeof start !== 'number' || typeof end !== 'number') return;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
    const editor = await vscode.window.showTextDocument(document);
    await revealSpan(editor, toRange(document, { start, end }));
  },
} satisfies Partial<Record<CommandIdValue, CommandFactory>>;
