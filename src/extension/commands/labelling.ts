/**
 * Labelling commands: label a selection, change, remove, reject or accept the span at the cursor,
 * relabel it by its schema index (the review keys 1–9), accept the suggestions in a selection,
 * move between entities, undo and redo. Labels go to the document's task. Commands that pick a
 * label also take it as an argument, so they can be scripted, bound to keys with `args`, and tested.
 */
import * as vscode from 'vscode';
import type { Annotation } from '../../core/annotations/annotation-set';
import { REJECTED_LABEL } from '../../core/annotations/annotation-set';
import { plainLabel } from '../../core/annotations/markdown';
import { snapToTokens, tokensAround } from '../../core/annotations/regions';
import type { EntityAt } from '../controller';
import type { Ctx } from '../ctx';
import { documentEntities } from '../entity-tree';
import type { LabelTarget } from '../hover';
import { CommandId, type CommandIdValue } from '../ids';
import { labelChoices, pickLabel } from '../label-picker';
import { toOffsets, toRange } from '../spans';
import { type CommandFactory, revealSpan, targetEditor } from './command';

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

/** Labels spans of an editor's document for its task, and says which were refused (overlaps). */
export async function labelSpans(
  ctx: Ctx,
  document: vscode.TextDocument,
  spans: Array<{ start: number; end: number }>,
  label: string,
  origin: Annotation['origin'] = 'human',
): Promise<number> {
  const refused: string[] = [];
  const task = ctx.editor.taskOf(document);
  for (const span of spans) {
    const text = document.getText(toRange(document, span));
    const result = await ctx.annotations.label(document, { ...span, label, text, origin, task });
    if (!result.ok) refused.push(`“${plainLabel(text, 40)}” overlaps ${describeConflict(result.conflict)}`);
  }
  if (refused.length > 0) {
    void vscode.window.showWarningMessage(
      `Spanlight: not labelled — ${refused.join('; ')}. Remove or change the existing label first.`,
    );
  }
  return spans.length - refused.length;
}

/** The span of an annotation or a suggestion at the cursor (a gold token is not editable). */
export function editableSpan(entity: EntityAt | undefined) {
  if (entity?.kind === 'annotated') return entity.annotation;
  if (entity?.kind === 'suggested') return entity.suggestion;
  return undefined;
}

/**
 * The entity a hover link names, or the one the active editor points at: the one a selection
 * starts in (a selected entity, as review and Go to Next Entity leave it), else the one at the
 * cursor. A selection of other words points at no entity.
 */
export async function entityAtTarget(ctx: Ctx, target?: LabelTarget) {
  const found = await targetEditor(target);
  if (!found) return undefined;
  const { editor } = found;
  const document = editor.document;
  const selection = editor.selection;
  if (found.offset !== undefined || selection.isEmpty) {
    const offset = found.offset ?? document.offsetAt(selection.active);
    return { editor, entity: ctx.editor.entityAt(document, offset) };
  }
  const { start, end } = toOffsets(document, selection);
  const entity = ctx.editor.entityAt(document, start);
  const span = editableSpan(entity) ?? (entity?.kind === 'gold' ? entity.token : undefined);
  return { editor, entity: span && span.start < end && start < span.end ? entity : undefined };
}

/** The current selection snapped to whole tokens, when it is not empty. */
export function selectedTokens(editor: vscode.TextEditor) {
  if (editor.selection.isEmpty) return undefined;
  const { start, end } = toOffsets(editor.document, editor.selection);
  return snapToTokens(tokensAround(editor.document.getText(), start, end), start, end);
}

async function moveToEntity(ctx: Ctx, direction: 1 | -1): Promise<void> {
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
  await revealSpan(editor, toRange(document, next));
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

/**
 * Gives the span at the cursor `label` (a rejection when `O`), keeping it selected. With words
 * selected that are no entity yet (review mode's token selection), they get the label.
 */
async function setLabelAtCursor(ctx: Ctx, label: string, target?: LabelTarget): Promise<boolean> {
  const found = await entityAtTarget(ctx, target);
  if (!found) return false;
  const { editor } = found;
  const selected = target || label === REJECTED_LABEL ? undefined : selectedTokens(editor);
  const span = editableSpan(found.entity) ?? selected;
  if (!span) {
    void vscode.window.showInformationMessage('Spanlight: no entity at the cursor.');
    return false;
  }
  const done = (await labelSpans(ctx, editor.document, [span], label)) > 0;
  if (done && !target) await revealSpan(editor, toRange(editor.document, span));
  return done;
}

/** Change Label at Cursor…: the picked (or given) label on the entity at the cursor. */
async function changeLabel(ctx: Ctx, target?: LabelTarget, label?: string): Promise<void> {
  const found = await entityAtTarget(ctx, target);
  if (!found) return;
  const span = editableSpan(found.entity);
  if (!span) {
    void vscode.window.showInformationMessage('Spanlight: no entity at the cursor to change.');
    return;
  }
  const document = found.editor.document;
  const chosen =
    typeof label === 'string'
      ? label
      : await pickLabel(ctx, document, `Change label of “${plainLabel(span.text, 40)}”`, span.label);
  if (chosen) await labelSpans(ctx, document, [{ start: span.start, end: span.end }], chosen);
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
      typeof label === 'string' ? label : await pickLabel(ctx, editor.document, 'Label selection');
    if (chosen) await labelSpans(ctx, editor.document, spans, chosen);
  },

  [CommandId.ChangeLabel]: (ctx) => (target?: LabelTarget, label?: string) => changeLabel(ctx, target, label),

  [CommandId.RemoveLabel]: (ctx) => async (target?: LabelTarget) => {
    const found = await entityAtTarget(ctx, target);
    if (!found) return;
    const document = found.editor.document;
    const entity = found.entity;
    if (entity?.kind === 'annotated') {
      await ctx.annotations.remove(document, entity.annotation);
    } else if (entity?.kind === 'suggested') {
      // Removing a suggestion rejects it: an annotation `O` hides it, and its tokens export as O.
      await labelSpans(ctx, document, [entity.suggestion], REJECTED_LABEL);
    } else {
      void vscode.window.showInformationMessage('Spanlight: no label at the cursor.');
    }
  },

  [CommandId.RejectSpan]: (ctx) => async (target?: LabelTarget) => {
    if (await setLabelAtCursor(ctx, REJECTED_LABEL, target))
      void vscode.window.setStatusBarMessage('$(close) Spanlight: rejected — not an entity', 3000);
  },

  [CommandId.AcceptSpan]: (ctx) => async (target?: LabelTarget) => {
    const found = await entityAtTarget(ctx, target);
    if (!found) return;
    const { editor, entity } = found;
    if (entity?.kind !== 'suggested') {
      void vscode.window.setStatusBarMessage(
        entity?.kind === 'annotated'
          ? `Spanlight: already annotated as ${entity.annotation.label}`
          : 'Spanlight: no suggestion at the cursor',
        3000,
      );
      return;
    }
    const s = entity.suggestion;
    await labelSpans(ctx, editor.document, [s], s.label, 'accepted');
    void vscode.window.setStatusBarMessage(
      `$(check) Spanlight: accepted “${plainLabel(s.text, 30)}” as ${s.label}`,
      3000,
    );
  },

  /** Relabels the span at the cursor with the task's n-th label (1-based), or a named label. */
  [CommandId.RelabelSpan]: (ctx) => async (choice?: { index?: number; label?: string } | string) => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return;
    let label = typeof choice === 'string' ? choice : choice?.label;
    if (label === undefined && typeof choice === 'object' && typeof choice.index === 'number') {
      const { task, labels } = labelChoices(ctx, editor.document);
      label = labels[choice.index - 1];
      if (!label) {
        void vscode.window.setStatusBarMessage(
          `Spanlight: ${task.id} has ${labels.length} labels; there is no label ${choice.index}`,
          3000,
        );
        return;
      }
    }
    if (label === undefined) {
      await changeLabel(ctx);
      return;
    }
    if (await setLabelAtCursor(ctx, label))
      void vscode.window.setStatusBarMessage(`$(tag) Spanlight: relabelled as ${label}`, 3000);
  },

  [CommandId.AcceptSuggestions]: (ctx) => async () => {
    const target = await targetEditor();
    if (!target) return;
    const { editor } = target;
    const document = editor.document;
    const ranges = editor.selections.map((s) => toOffsets(document, s));
    const wholeDocument = ranges.every((r) => r.start === r.end);
    const task = ctx.editor.taskOf(document);
    const offered = ctx.editor
      .visibleSuggestions(document)
      .filter((s) => wholeDocument || ranges.some((r) => r.start < s.end && s.start < r.end));
    const action = await ctx.annotations.labelAll(
      document,
      offered.map((s) => ({
        start: s.start,
        end: s.end,
        label: s.label,
        text: s.text,
        origin: 'accepted',
        task,
      })),
    );
    const count = action.added.length;
    const where = wholeDocument ? 'in the document' : 'in the selection';
    void vscode.window.setStatusBarMessage(
      count > 0
        ? `$(check) Spanlight: accepted ${count} suggestion${count === 1 ? '' : 's'} ${where} (sentences stay unreviewed until you accept them)`
        : `Spanlight: no suggestions ${where} to accept`,
      5000,
    );
    return count;
  },

  [CommandId.NextEntity]: (ctx) => () => moveToEntity(ctx, 1),
  [CommandId.PreviousEntity]: (ctx) => () => moveToEntity(ctx, -1),

  [CommandId.UndoAnnotation]: (ctx) => () => stepHistory(ctx, 'undo'),
  [CommandId.RedoAnnotation]: (ctx) => () => stepHistory(ctx, 'redo'),
} satisfies Partial<Record<CommandIdValue, CommandFactory>>;
