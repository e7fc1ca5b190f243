/**
 * Labelling commands: label a selection, change or remove a label, accept suggestions, move
 * between entities, undo and redo. Commands that pick a label also take it as an argument, so
 * they can be scripted, bound to keys with `args`, and tested.
 */
import * as vscode from 'vscode';
import type { Annotation } from '../../core/annotations/annotation-set';
import { REJECTED_LABEL } from '../../core/annotations/annotation-set';
import { plainLabel } from '../../core/annotations/markdown';
import { snapToTokens, tokensAround } from '../../core/annotations/regions';
import type { Ctx } from '../ctx';
import { documentEntities } from '../entity-tree';
import type { LabelTarget } from '../hover';
import { CommandId, type CommandIdValue } from '../ids';
import { pickLabel } from '../label-picker';
import { toOffsets, toRange } from '../spans';
import { type CommandFactory, revealSpan, targetEditor } from './command';

const FALLBACK_LABELS = ['PER', 'ORG', 'LOC', 'MISC'];

async function labelChoices(ctx: Ctx, document: vscode.TextDocument): Promise<string[]> {
  const model = await ctx.models.resolve('entities').catch(() => undefined);
  const used = ctx.annotations.annotations(document).map((a) => a.label);
  const gold = ctx.editor.gold(document).map((g) => g.label);
  const labels = new Set([...(model?.labels ?? []), ...used, ...gold].filter((l) => l !== REJECTED_LABEL));
  return labels.size > 0 ? [...labels].sort() : FALLBACK_LABELS;
}

/** The span a selection (or cursor) stands for: an entity under the cursor, else whole tokens. */
function spanForSelection(ctx: Ctx, editor: vscode.TextEditor, selection: vscode.Selection) {
  const document = editor.document;
  const { start, end } = toOffsets(document, selection);
  if (start === end) {
    const entity = ctx.editor.entityAt(document, start);
    if (entity?.kind === 'annotated') return { start: entity.annotation.start, end: entity.annotation.end };
    if (entity?.kind === 'suggested') return { start: entity.suggestion.start, end: entity.suggestion.end };
  }
  return snapToTokens(tokensAround(document.getText(), start, end), start, end);
}

function describeConflict(conflict: Annotation): string {
  return `“${plainLabel(conflict.text, 40)}” (${conflict.label})`;
}

async function labelSpans(
  ctx: Ctx,
  editor: vscode.TextEditor,
  spans: Array<{ start: number; end: number }>,
  label: string,
): Promise<void> {
  const document = editor.document;
  const refused: string[] = [];
  for (const span of spans) {
    const text = document.getText(toRange(document, span));
    const result = await ctx.annotations.label(document, { ...span, label, text, origin: 'human' });
    if (!result.ok) refused.push(`“${plainLabel(text, 40)}” overlaps ${describeConflict(result.conflict)}`);
  }
  if (refused.length > 0) {
    void vscode.window.showWarningMessage(
      `Spanlight: not labelled — ${refused.join('; ')}. Remove or change the existing label first.`,
    );
  }
}

/** The entity a hover link names, or the one at the active editor's cursor. */
async function entityAtTarget(ctx: Ctx, target?: LabelTarget) {
  const found = await targetEditor(target);
  if (!found) return undefined;
  const { editor } = found;
  const offset = found.offset ?? editor.document.offsetAt(editor.selection.active);
  return { editor, entity: ctx.editor.entityAt(editor.document, offset) };
}

function moveToEntity(ctx: Ctx, direction: 1 | -1): void {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return;
  const document = editor.document;
  // From the selection's start: after a jump the entity itself is selected, so the next jump moves on.
  const offset = document.offsetAt(editor.selection.start);
  const entities = documentEntities(document, ctx);
  const next =
    direction === 1
      ? entities.find((e) => e.start > offset)
      : [...entities].reverse().find((e) => e.start < offset);
  if (!next) {
    void vscode.window.setStatusBarMessage('Spanlight: no more entities', 2000);
    return;
  }
  revealSpan(editor, toRange(document, next));
}

/** Undoes or redoes the active document's last annotation action. */
async function stepHistory(ctx: Ctx, step: 'undo' | 'redo'): Promise<void> {
  const target = await targetEditor();
  if (!target) return;
  const action = await ctx.annotations[step](target.editor.document);
  const done = step === 'undo' ? 'undone' : 'redone';
  void vscode.window.setStatusBarMessage(
    action ? `Spanlight: annotation ${done}` : `Spanlight: nothing to ${step}`,
    3000,
  );
}

export const labellingCommands = {
  [CommandId.LabelSelection]: (ctx) => async (label?: string) => {
    const target = await targetEditor();
    if (!target) return;
    const { editor } = target;
    const spans = editor.selections
      .map((s) => spanForSelection(ctx, editor, s))
      .filter((s): s is { start: number; end: number } => s !== undefined);
    if (spans.length === 0) {
      void vscode.window.showInformationMessage('Spanlight: no word here to label. Select some text first.');
      return;
    }
    const chosen =
      typeof label === 'string'
        ? label
        : await pickLabel(await labelChoices(ctx, editor.document), 'Label selection');
    if (chosen) await labelSpans(ctx, editor, spans, chosen);
  },

  [CommandId.ChangeLabel]: (ctx) => async (target?: LabelTarget, label?: string) => {
    const found = await entityAtTarget(ctx, target);
    if (!found) return;
    const { editor, entity } = found;
    const document = editor.document;
    if (!entity || entity.kind === 'gold') {
      void vscode.window.showInformationMessage('Spanlight: no entity at the cursor to change.');
      return;
    }
    const span = entity.kind === 'annotated' ? entity.annotation : entity.suggestion;
    const chosen =
      typeof label === 'string'
        ? label
        : await pickLabel(
            await labelChoices(ctx, document),
            `Change label of “${plainLabel(span.text, 40)}”`,
            span.label,
          );
    if (!chosen) return;
    await labelSpans(ctx, editor, [{ start: span.start, end: span.end }], chosen);
  },

  [CommandId.RemoveLabel]: (ctx) => async (target?: LabelTarget) => {
    const found = await entityAtTarget(ctx, target);
    if (!found) return;
    const { editor, entity } = found;
    const document = editor.document;
    if (entity?.kind === 'annotated') {
      await ctx.annotations.remove(document, entity.annotation);
    } else if (entity?.kind === 'suggested') {
      // Rejecting a suggestion is an annotation too: it hides the suggestion and exports as O.
      const s = entity.suggestion;
      await ctx.annotations.label(document, {
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

  [CommandId.AcceptSuggestions]: (ctx) => async () => {
    const target = await targetEditor();
    if (!target) return;
    const { editor } = target;
    const document = editor.document;
    const ranges = editor.selections.map((s) => toOffsets(document, s));
    const wholeDocument = ranges.every((r) => r.start === r.end);
    const accepted = ctx.editor
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
    const action = await ctx.annotations.labelAll(document, accepted);
    void vscode.window.setStatusBarMessage(
      `Spanlight: accepted ${action.added.length} suggestion${action.added.length === 1 ? '' : 's'}${wholeDocument ? ' (whole document)' : ''}`,
      4000,
    );
  },

  [CommandId.NextEntity]: (ctx) => () => moveToEntity(ctx, 1),
  [CommandId.PreviousEntity]: (ctx) => () => moveToEntity(ctx, -1),

  [CommandId.UndoAnnotation]: (ctx) => () => stepHistory(ctx, 'undo'),
  [CommandId.RedoAnnotation]: (ctx) => () => stepHistory(ctx, 'redo'),
} satisfies Partial<Record<CommandIdValue, CommandFactory>>;
