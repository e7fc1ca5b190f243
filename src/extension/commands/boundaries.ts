/**
 * Boundary editing of the span at the cursor, one token at a time: grow or shrink either end,
 * merge it with the next span when only space lies between, split it before the cursor's token
 * (or before its last token when the whole span is selected).
 * A suggestion edited this way becomes a human annotation; each edit is one undo step, and the
 * edited span stays selected so the next key acts on it.
 */
import * as vscode from 'vscode';
import type { Annotation } from '../../core/annotations/annotation-set';
import { mergeSpans, resizeSpan, type SpanEdge, splitSpan } from '../../core/annotations/boundaries';
import type { OffsetRange } from '../../core/annotations/edits';
import { plainLabel } from '../../core/annotations/markdown';
import { tokensAround } from '../../core/annotations/regions';
import { sentenceAround } from '../../core/annotations/review';
import type { EntityAt } from '../controller';
import type { Ctx } from '../ctx';
import { documentEntities } from '../entity-tree';
import { CommandId, type CommandIdValue } from '../ids';
import { toOffsets, toRange } from '../spans';
import { type CommandFactory, revealSpan } from './command';
import { editableSpan, entityAtTarget, selectedTokens } from './labelling';

/** The annotation an entity is, if it is one (a suggestion is not: nothing to remove for it). */
const annotationOf = (entity: EntityAt | undefined): Annotation[] =>
  entity?.kind === 'annotated' ? [entity.annotation] : [];

/** Replaces the entities `from` with human annotations over `ranges`, labelled `label`. */
async function rewrite(
  ctx: Ctx,
  editor: vscode.TextEditor,
  from: Annotation[],
  ranges: OffsetRange[],
  label: string,
  done: string,
): Promise<boolean> {
  const document = editor.document;
  const task = ctx.editor.taskOf(document);
  const added = ranges.map(
    (r): Annotation => ({ ...r, label, text: document.getText(toRange(document, r)), origin: 'human', task }),
  );
  const result = await ctx.annotations.replace(document, from, added);
  if (!result.ok) {
    void vscode.window.showWarningMessage(
      `Spanlight: not changed — it would overlap “${plainLabel(result.conflict.text, 40)}” (${result.conflict.label}).`,
    );
    return false;
  }
  await revealSpan(editor, toRange(document, added[0]!));
  void vscode.window.setStatusBarMessage(`Spanlight: ${done}`, 3000);
  return true;
}

/** The editable span at the cursor (said in the status bar when there is none). */
async function spanAtCursor(ctx: Ctx) {
  const found = await entityAtTarget(ctx);
  const span = editableSpan(found?.entity);
  if (!found || !span) {
    void vscode.window.setStatusBarMessage('Spanlight: no entity at the cursor', 3000);
    return undefined;
  }
  return { ...found, span };
}

function resize(edge: SpanEdge, grow: boolean): CommandFactory {
  return (ctx) => async () => {
    const found = await entityAtTarget(ctx);
    const span = editableSpan(found?.entity);
    const selected = found && !span ? selectedTokens(found.editor) : undefined;
    if (!found || !(span ?? selected)) {
      void vscode.window.setStatusBarMessage('Spanlight: no entity at the cursor', 3000);
      return false;
    }
    const document = found.editor.document;
    const range = resizeSpan(document.getText(), span ?? selected!, edge, grow);
    if (!range) {
      void vscode.window.setStatusBarMessage(
        grow ? 'Spanlight: no token to take in (sentence edge)' : 'Spanlight: a one-token span cannot shrink',
        3000,
      );
      return false;
    }
    // Words that are no entity yet (a token selection in review mode): only the selection changes.
    if (!span) {
      await revealSpan(found.editor, toRange(document, range));
      return true;
    }
    const verb = grow ? 'grown' : 'shrunk';
    return rewrite(
      ctx,
      found.editor,
      annotationOf(found.entity),
      [range],
      span.label,
      `${span.label} ${verb} at its ${edge}`,
    );
  };
}

/**
 * Selects the token after (or before) the selection, or the one at the cursor: review mode's
 * Right and Left, for reaching words the model missed.
 */
function selectToken(direction: 1 | -1): CommandFactory {
  return () => async () => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return false;
    const document = editor.document;
    const { start, end } = toOffsets(document, editor.selection);
    const tokens = tokensAround(document.getText(), start, end);
    const token =
      direction === 1
        ? tokens.find((t) => (start === end ? t.end > start : t.start >= end))
        : [...tokens].reverse().find((t) => (start === end ? t.start < start : t.end <= start));
    if (!token) return false;
    await revealSpan(editor, toRange(document, token));
    return true;
  };
}

/** Selects the first (or last) token of the sentence at the selection: review mode's Home and End. */
function selectSentenceEdge(edge: 'first' | 'last'): CommandFactory {
  return () => async () => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return false;
    const document = editor.document;
    const sentence = sentenceAround(document.getText(), document.offsetAt(editor.selection.start));
    const token = edge === 'first' ? sentence?.tokens[0] : sentence?.tokens[sentence.tokens.length - 1];
    if (!token) return false;
    await revealSpan(editor, toRange(document, token));
    return true;
  };
}

export const boundaryCommands = {
  [CommandId.SelectFirstToken]: selectSentenceEdge('first'),
  [CommandId.SelectLastToken]: selectSentenceEdge('last'),
  [CommandId.SelectNextToken]: selectToken(1),
  [CommandId.SelectPreviousToken]: selectToken(-1),
  [CommandId.GrowSpanEnd]: resize('end', true),
  [CommandId.ShrinkSpanEnd]: resize('end', false),
  [CommandId.GrowSpanStart]: resize('start', true),
  [CommandId.ShrinkSpanStart]: resize('start', false),

  [CommandId.MergeSpans]: (ctx) => async () => {
    const found = await spanAtCursor(ctx);
    if (!found) return false;
    const { span } = found;
    const document = found.editor.document;
    const next = documentEntities(document, ctx).find((e) => e.start >= span.end && e.source !== 'gold');
    const merged = next ? mergeSpans(document.getText(), span, next) : undefined;
    if (!next || !merged) {
      void vscode.window.setStatusBarMessage('Spanlight: no span right after this one to merge with', 3000);
      return false;
    }
    const nextEntity = ctx.editor.entityAt(document, next.start);
    return rewrite(
      ctx,
      found.editor,
      [...annotationOf(found.entity), ...annotationOf(nextEntity)],
      [merged],
      span.label,
      `merged into one ${span.label}`,
    );
  },

  [CommandId.SplitSpan]: (ctx) => async () => {
    const found = await spanAtCursor(ctx);
    if (!found) return false;
    const { span } = found;
    const { editor } = found;
    // A selected word inside the span is cut before; the whole span selected loses its last token.
    const { start, end } = toOffsets(editor.document, editor.selection);
    const cut = editor.selection.isEmpty ? start : start <= span.start && end >= span.end ? span.end : start;
    const parts = splitSpan(editor.document.getText(), span, cut);
    if (!parts) {
      void vscode.window.setStatusBarMessage('Spanlight: a one-token span cannot be split', 3000);
      return false;
    }
    return rewrite(
      ctx,
      editor,
      annotationOf(found.entity),
      parts,
      span.label,
      `split into two ${span.label}`,
    );
  },
} satisfies Partial<Record<CommandIdValue, CommandFactory>>;
