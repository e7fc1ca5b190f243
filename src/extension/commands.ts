/**
 * Command handlers, one per `CommandId` (ids.ts). Commands that pick something (a label, a model,
 * a format) also take it as an argument, so they can be scripted, bound to keys with `args`, and tested.
 */

import * as vscode from 'vscode';
import type { Annotation } from '../core/annotations/annotation-set';
import { REJECTED_LABEL } from '../core/annotations/annotation-set';
import { type DisplayMode, toggleLayer } from '../core/annotations/layers';
import { plainLabel } from '../core/annotations/markdown';
import { snapToTokens, tokensAround } from '../core/annotations/regions';
import { updateDisplayMode } from './config';
import type { EditorController } from './controller';
import { documentEntities } from './entity-tree';
import { type ExportRequest, exportAnnotations } from './export';
import type { LabelTarget } from './hover';
import { CommandId, type CommandIdValue } from './ids';
import { TASK_TITLES, UntrustedModelError } from './models';
import { toOffsets, toRange } from './spans';
import type { ExtractFolderRequest } from './template/export';
import { extractListingsInFolder } from './template/export';
import type { TemplatePanelController } from './template/panel';
import type { TrainingController, TrainRequest } from './training/controller';

export interface CommandContext {
  controller: EditorController;
  log: vscode.LogOutputChannel;
  training: TrainingController;
  template: TemplatePanelController;
}

type Handler = (...args: never[]) => unknown;

const FALLBACK_LABELS = ['PER', 'ORG', 'LOC', 'MISC'];

/** The editor a command acts on: the one a hover link names, else the active one. */
async function targetEditor(
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

async function labelChoices(controller: EditorController, document: vscode.TextDocument): Promise<string[]> {
  const model = await controller.models.resolve('entities').catch(() => undefined);
  const used = controller.annotations.annotations(document).map((a) => a.label);
  const gold = controller.gold(document).map((g) => g.label);
  const labels = new Set([...(model?.labels ?? []), ...used, ...gold].filter((l) => l !== REJECTED_LABEL));
  return labels.size > 0 ? [...labels].sort() : FALLBACK_LABELS;
}

/** Single-key shortcuts: each label gets its first free letter, then digits. */
export function shortcutKeys(labels: readonly string[]): Map<string, string> {
  const keys = new Map<string, string>();
  const taken = new Set<string>();
  for (const label of labels) {
    const key = [...label.toLowerCase()].find((ch) => /[a-z]/.test(ch) && !taken.has(ch));
    if (key) {
      keys.set(label, key);
      taken.add(key);
    }
  }
  let digit = 1;
  for (const label of labels) {
    if (keys.has(label) || digit > 9) continue;
    keys.set(label, String(digit));
    taken.add(String(digit++));
  }
  return keys;
}

/** A QuickPick of labels where typing a label's key picks it at once. */
async function pickLabel(labels: string[], title: string, current?: string): Promise<string | undefined> {
  const keys = shortcutKeys(labels);
  const newLabel = '$(add) New label…';
  const quickPick = vscode.window.createQuickPick<vscode.QuickPickItem & { value?: string }>();
  quickPick.title = title;
  quickPick.placeholder = 'Type a letter to pick a label, or search';
  quickPick.items = [
    ...labels.map((label) => ({
      label: `${keys.get(label) ? `[${keys.get(label)}] ` : ''}${label}`,
      value: label,
      ...(label === current ? { description: 'current' } : {}),
    })),
    { label: newLabel },
  ];
  const picked = await new Promise<string | undefined>((resolve) => {
    quickPick.onDidChangeValue((value) => {
      const byKey = [...keys].find(([, key]) => key === value.toLowerCase());
      if (value.length === 1 && byKey) {
        resolve(byKey[0]);
        quickPick.hide();
      }
    });
    quickPick.onDidAccept(() => {
      const item = quickPick.selectedItems[0];
      resolve(item?.value ?? (item ? newLabel : undefined));
      quickPick.hide();
    });
    quickPick.onDidHide(() => resolve(undefined));
    quickPick.show();
  });
  quickPick.dispose();
  if (picked !== newLabel) return picked;
  const typed = await vscode.window.showInputBox({
    title: 'New label',
    prompt: 'Entity label, e.g. PRODUCT',
    validateInput: (v) => (/^[^\s]+$/.test(v) && v !== REJECTED_LABEL ? undefined : 'One word, not O'),
  });
  return typed?.trim() || undefined;
}

/** The span a selection (or cursor) stands for: an entity under the cursor, else whole tokens. */
function spanForSelection(
  controller: EditorController,
  editor: vscode.TextEditor,
  selection: vscode.Selection,
) {
  const document = editor.document;
  const { start, end } = toOffsets(document, selection);
  if (start === end) {
    const entity = controller.entityAt(document, start);
    if (entity?.kind === 'annotated') return { start: entity.annotation.start, end: entity.annotation.end };
    if (entity?.kind === 'suggested') return { start: entity.suggestion.start, end: entity.suggestion.end };
  }
  return snapToTokens(tokensAround(document.getText(), start, end), start, end);
}

function describeConflict(conflict: Annotation): string {
  return `“${plainLabel(conflict.text, 40)}” (${conflict.label})`;
}

async function labelSpans(
  { controller }: CommandContext,
  editor: vscode.TextEditor,
  spans: Array<{ start: number; end: number }>,
  label: string,
): Promise<void> {
  const document = editor.document;
  const refused: string[] = [];
  for (const span of spans) {
    const text = document.getText(toRange(document, span));
    const result = await controller.annotations.label(document, { ...span, label, text, origin: 'human' });
    if (!result.ok) refused.push(`“${plainLabel(text, 40)}” overlaps ${describeConflict(result.conflict)}`);
  }
  if (refused.length > 0) {
    void vscode.window.showWarningMessage(
      `Spanlight: not labelled — ${refused.join('; ')}. Remove or change the existing label first.`,
    );
  }
}

export function registerCommands(context: CommandContext): vscode.Disposable[] {
  const { controller, log, training, template } = context;

  const handlers: Record<CommandIdValue, Handler> = {
    [CommandId.ShowBackendInfo]: async () => {
      try {
        // Asked of the tagging process: TensorFlow is loaded there, never in the extension host.
        const info = await controller.models.taggingProcess.backendInfo();
        log.info(JSON.stringify(info, null, 2));
        void vscode.window.showInformationMessage(
          `Spanlight: TensorFlow ${info.tensorflowVersion} (${info.backend} backend), matmul 256×256 in ${info.matmulMs.toFixed(2)} ms`,
        );
      } catch (err) {
        log.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
        void vscode.window.showErrorMessage(`Spanlight: TensorFlow could not be loaded: ${String(err)}`);
      }
    },

    [CommandId.SelectModel]: async (folder?: string) => {
      let chosen = typeof folder === 'string' ? folder : undefined;
      if (!chosen) {
        const candidates = await controller.models.candidates();
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
        const info = await controller.models.choose(chosen);
        void vscode.window.setStatusBarMessage(
          `Spanlight: ${TASK_TITLES[info.task]} model ${info.name}`,
          4000,
        );
        controller.refreshVisible();
        return info;
      } catch (error) {
        log.error(String(error));
        const message =
          error instanceof UntrustedModelError
            ? error.message
            : `cannot use ${chosen}: ${(error as Error).message}`;
        void vscode.window.showErrorMessage(`Spanlight: ${message}`);
        return undefined;
      }
    },

    [CommandId.LabelSelection]: async (label?: string) => {
      const target = await targetEditor();
      if (!target) return;
      const { editor } = target;
      const spans = editor.selections
        .map((s) => spanForSelection(controller, editor, s))
        .filter((s): s is { start: number; end: number } => s !== undefined);
      if (spans.length === 0) {
        void vscode.window.showInformationMessage(
          'Spanlight: no word here to label. Select some text first.',
        );
        return;
      }
      const chosen =
        typeof label === 'string'
          ? label
          : await pickLabel(await labelChoices(controller, editor.document), 'Label selection');
      if (chosen) await labelSpans(context, editor, spans, chosen);
    },

    [CommandId.ChangeLabel]: async (target?: LabelTarget, label?: string) => {
      const found = await targetEditor(target);
      if (!found) return;
      const { editor } = found;
      const document = editor.document;
      const offset = found.offset ?? document.offsetAt(editor.selection.active);
      const entity = controller.entityAt(document, offset);
      if (!entity || entity.kind === 'gold') {
        void vscode.window.showInformationMessage('Spanlight: no entity at the cursor to change.');
        return;
      }
      const span = entity.kind === 'annotated' ? entity.annotation : entity.suggestion;
      const chosen =
        typeof label === 'string'
          ? label
          : await pickLabel(
              await labelChoices(controller, document),
              `Change label of “${plainLabel(span.text, 40)}”`,
              span.label,
            );
      if (!chosen) return;
      await labelSpans(context, editor, [{ start: span.start, end: span.end }], chosen);
    },

    [CommandId.RemoveLabel]: async (target?: LabelTarget) => {
      const found = await targetEditor(target);
      if (!found) return;
      const { editor } = found;
      const document = editor.document;
      const offset = found.offset ?? document.offsetAt(editor.selection.active);
      const entity = controller.entityAt(document, offset);
      if (entity?.kind === 'annotated') {
        await controller.annotations.remove(document, entity.annotation);
      } else if (entity?.kind === 'suggested') {
        // Rejecting a suggestion is an annotation too: it hides the suggestion and exports as O.
        const s = entity.suggestion;
        await controller.annotations.label(document, {
          start: s.start,
          end: s.end,
          label: REJECTED_LABEL,
          text: s.text,
          origin: 'human',
        });
      } else {
        void vscode.window.showInformationMessage('Spanlight: no label at the cursor.');
      }
    },

    [CommandId.AcceptSuggestions]: async () => {
      const target = await targetEditor();
      if (!target) return;
      const { editor } = target;
      const document = editor.document;
      const ranges = editor.selections.map((s) => toOffsets(document, s));
      const wholeDocument = ranges.every((r) => r.start === r.end);
      const accepted = controller
        .visibleSuggestions(document)
        .filter((s) => wholeDocument || ranges.some((r) => r.start < s.end && s.start < r.end))
        .map(
          (s): Annotation => ({
            start: s.start,
            end: s.end,
            label: s.label,
            text: s.text,
            origin: 'accepted',
          }),
        );
      const action = await controller.annotations.labelAll(document, accepted);
      void vscode.window.setStatusBarMessage(
        `Spanlight: accepted ${action.added.length} suggestion${action.added.length === 1 ? '' : 's'}${wholeDocument ? ' (whole document)' : ''}`,
        4000,
      );
    },

    [CommandId.NextEntity]: () => moveToEntity(controller, 1),
    [CommandId.PreviousEntity]: () => moveToEntity(controller, -1),

    [CommandId.UndoAnnotation]: async () => {
      const target = await targetEditor();
      if (!target) return;
      const action = await controller.annotations.undo(target.editor.document);
      void vscode.window.setStatusBarMessage(
        action ? 'Spanlight: annotation undone' : 'Spanlight: nothing to undo',
        3000,
      );
    },

    [CommandId.RedoAnnotation]: async () => {
      const target = await targetEditor();
      if (!target) return;
      const action = await controller.annotations.redo(target.editor.document);
      void vscode.window.setStatusBarMessage(
        action ? 'Spanlight: annotation redone' : 'Spanlight: nothing to redo',
        3000,
      );
    },

    [CommandId.ExportAnnotations]: (request?: Partial<ExportRequest>) =>
      exportAnnotations(controller, log, request),

    [CommandId.ToggleEntities]: () =>
      updateDisplayMode(toggleLayer(controller.settings['display.mode'], 'entities')),
    [CommandId.TogglePos]: () => updateDisplayMode(toggleLayer(controller.settings['display.mode'], 'pos')),
    [CommandId.ChooseDisplayMode]: async (mode?: DisplayMode) => {
      const modes: Array<{ label: string; mode: DisplayMode; detail: string }> = [
        {
          label: 'Entities',
          mode: 'entities',
          detail: 'Highlight entities (suggestions dashed, annotations solid)',
        },
        { label: 'Part of speech', mode: 'pos', detail: 'Small tag after each word' },
        { label: 'Both', mode: 'both', detail: 'Entities and part-of-speech tags' },
        { label: 'Off', mode: 'off', detail: 'Show nothing' },
      ];
      const chosen =
        mode ??
        (
          await vscode.window.showQuickPick(
            modes.map((m) => ({
              ...m,
              ...(m.mode === controller.settings['display.mode'] ? { description: 'current' } : {}),
            })),
            { title: 'Spanlight: what to show' },
          )
        )?.mode;
      if (chosen) await updateDisplayMode(chosen);
    },

    [CommandId.RetagDocument]: async () => {
      const target = await targetEditor();
      if (!target || !controller.isTaggable(target.editor.document)) return;
      controller.tagging.schedule(target.editor.document, 0, true);
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'Spanlight: tagging the document' },
        () => controller.tagging.whenIdle(target.editor.document),
      );
    },

    [CommandId.ShowOutput]: () => log.show(),

    [CommandId.RevealEntity]: async (uri?: string, start?: number, end?: number) => {
      if (typeof uri !== 'string' || typeof start !== 'number' || typeof end !== 'number') return;
      const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
      const editor = await vscode.window.showTextDocument(document);
      const range = toRange(document, { start, end });
      editor.selection = new vscode.Selection(range.start, range.end);
      editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    },

    [CommandId.Train]: (request?: TrainRequest) =>
      training.train(typeof request === 'object' && request !== null ? request : {}),
    [CommandId.ShowTrainingDashboard]: () => training.showDashboard(),
    [CommandId.StopTraining]: () => training.stop(),
    [CommandId.ExtractListing]: () => template.show(),
    [CommandId.ExtractListingsInFolder]: (request?: ExtractFolderRequest) =>
      extractListingsInFolder(
        controller.models,
        log,
        typeof request === 'object' && request !== null ? request : {},
      ),
  };

  return Object.entries(handlers).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await (handler as (...a: unknown[]) => unknown)(...args);
      } catch (error) {
        log.error(`${id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        void vscode.window.showErrorMessage(`Spanlight: ${String(error)}`, 'Show Output').then((choice) => {
          if (choice) log.show();
        });
        return undefined;
      }
    }),
  );
}

function moveToEntity(controller: EditorController, direction: 1 | -1): void {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return;
  const document = editor.document;
  // From the selection's start: after a jump the entity itself is selected, so the next jump moves on.
  const offset = document.offsetAt(editor.selection.start);
  const entities = documentEntities(document, controller);
  const next =
    direction === 1
      ? entities.find((e) => e.start > offset)
      : [...entities].reverse().find((e) => e.start < offset);
  if (!next) {
    void vscode.window.setStatusBarMessage('Spanlight: no more entities', 2000);
    return;
  }
  const range = toRange(document, next);
  editor.selection = new vscode.Selection(range.start, range.end);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
