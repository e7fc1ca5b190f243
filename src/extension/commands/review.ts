/**
 * Review commands: accept a sentence (its remaining suggestions become annotations, it is marked
 * reviewed) and go to the next one, accept all that remains in a document, reopen a sentence, and
 * the Review queue (start, next, stop, open an item, scope to a folder).
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { SentenceReview } from '../../core/annotations/annotation-set';
import type { RegionSentence } from '../../core/annotations/regions';
import {
  acceptSentences,
  documentSentences,
  nextUnreviewed,
  reviewProgress,
  sentencesTouching,
} from '../../core/annotations/review';
import type { Ctx } from '../ctx';
import { CommandId, type CommandIdValue, ViewId } from '../ids';
import type { ReviewTarget } from '../review';
import { toOffsets, toRange } from '../spans';
import { type CommandFactory, targetEditor } from './command';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The editor to review in: a taggable document with entities shown, else a message. */
async function reviewableEditor(ctx: Ctx): Promise<vscode.TextEditor | undefined> {
  const target = await targetEditor();
  if (!target) return undefined;
  const { editor } = target;
  if (!ctx.editor.isTaggable(editor.document)) {
    void vscode.window.showInformationMessage(
      'Spanlight: this document is not one Spanlight tags (see "spanlight.languages").',
    );
    return undefined;
  }
  if (!ctx.view.shows('entities')) {
    void vscode.window.showInformationMessage(
      'Spanlight: entities are hidden; show them (Toggle Entity Highlighting) to review what the model suggests.',
    );
    return undefined;
  }
  await ctx.annotations.load(editor.document);
  return editor;
}

/**
 * Accepts `sentences` of a document: tags any the model has not seen yet, turns their shown
 * suggestions into annotations, marks them reviewed (one undo step), and says what it did.
 */
async function accept(ctx: Ctx, document: vscode.TextDocument, sentences: readonly RegionSentence[]) {
  await ctx.tagging.ensureTagged(document, sentences);
  const task = ctx.editor.taskOf(document);
  const plan = acceptSentences(
    sentences,
    ctx.editor.visibleSuggestions(document),
    ctx.annotations.annotations(document),
    task,
  );
  const action = await ctx.annotations.review(document, plan.spans, plan.reviews);
  const all = documentSentences(document.getText());
  const progress = reviewProgress(all, ctx.annotations.reviews(document), task);
  // Short: the status bar cuts long messages. The file's name only; the counts first.
  const name = path.basename(document.uri.path);
  const newly = action.reviewed.length;
  const message =
    newly === 0 && action.added.length === 0
      ? `Spanlight: already reviewed · ${name} ${progress.reviewed}/${progress.total} reviewed`
      : `$(check) ${plural(newly, 'sentence')} accepted, ${plural(action.added.length, 'suggestion')} → annotations · ${name} ${progress.reviewed}/${progress.total} reviewed`;
  void vscode.window.setStatusBarMessage(message, 6000);
  return { action, progress };
}

/** Moves the cursor to the start of the next unreviewed sentence of the document, if any. */
function moveToNextUnreviewed(ctx: Ctx, editor: vscode.TextEditor, from: number): void {
  const document = editor.document;
  const next = nextUnreviewed(
    documentSentences(document.getText()),
    ctx.annotations.reviews(document),
    ctx.editor.taskOf(document),
    from,
  );
  if (!next) return;
  const start = document.positionAt(next.start);
  editor.selection = new vscode.Selection(start, start);
  editor.revealRange(toRange(document, next), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

export const reviewCommands = {
  [CommandId.AcceptSentence]: (ctx) => async () => {
    const editor = await reviewableEditor(ctx);
    if (!editor) return undefined;
    const document = editor.document;
    const text = document.getText();
    const reviewing = ctx.review.currentIn(document);
    const sentences = reviewing
      ? sentencesTouching(text, reviewing.start, reviewing.start)
      : editor.selections.flatMap((s) => {
          const { start, end } = toOffsets(document, s);
          return sentencesTouching(text, start, end);
        });
    if (sentences.length === 0) {
      void vscode.window.showInformationMessage('Spanlight: no sentence at the cursor.');
      return undefined;
    }
    const result = await accept(ctx, document, sentences);
    if (reviewing) await ctx.review.next();
    else moveToNextUnreviewed(ctx, editor, Math.max(...sentences.map((s) => s.end)));
    return {
      accepted: result.action.added.length,
      reviewed: result.progress.reviewed,
      total: result.progress.total,
    };
  },

  [CommandId.AcceptDocument]: (ctx) => async () => {
    const editor = await reviewableEditor(ctx);
    if (!editor) return undefined;
    const document = editor.document;
    const task = ctx.editor.taskOf(document);
    const remaining = documentSentences(document.getText()).filter(
      (s) =>
        !ctx.annotations
          .reviews(document)
          .some((r) => r.task === task && r.start === s.start && r.end === s.end),
    );
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Spanlight: accepting the document' },
      () => accept(ctx, document, remaining),
    );
    void vscode.window.showInformationMessage(
      `Spanlight: accepted ${plural(result.action.reviewed.length, 'remaining sentence')} of ${vscode.workspace.asRelativePath(document.uri)} (${plural(result.action.added.length, 'suggestion')} → annotations); ${result.progress.reviewed} of ${result.progress.total} sentences reviewed. Undo with Spanlight: Undo Annotation.`,
    );
    if (ctx.review.currentIn(document)) await ctx.review.next();
    return {
      accepted: result.action.added.length,
      reviewed: result.progress.reviewed,
      total: result.progress.total,
    };
  },

  [CommandId.ReopenSentence]: (ctx) => async () => {
    const target = await targetEditor();
    if (!target) return;
    const { editor } = target;
    const document = editor.document;
    const task = ctx.editor.taskOf(document);
    const { start, end } = toOffsets(document, editor.selection);
    const sentences: SentenceReview[] = sentencesTouching(document.getText(), start, end).map((s) => ({
      start: s.start,
      end: s.end,
      text: s.text,
      task,
    }));
    const action = await ctx.annotations.unreview(document, sentences);
    void vscode.window.setStatusBarMessage(
      action.unreviewed.length > 0
        ? `Spanlight: ${plural(action.unreviewed.length, 'sentence')} back to unreviewed (its annotations are kept)`
        : 'Spanlight: this sentence is not reviewed',
      4000,
    );
  },

  [CommandId.StartReview]: (ctx) => async () => {
    await vscode.commands.executeCommand(`${ViewId.Review}.focus`);
    return ctx.review.next();
  },
  [CommandId.ReviewNext]: (ctx) => () => ctx.review.next(true),
  [CommandId.StopReview]: (ctx) => () => ctx.review.stop(),
  [CommandId.OpenReviewItem]: (ctx) => (target?: ReviewTarget) => {
    if (!target || typeof target.uri !== 'string') return undefined;
    return ctx.review.open(target);
  },
  [CommandId.ReviewFolder]: (ctx) => async (folder?: vscode.Uri) => {
    let chosen = folder instanceof vscode.Uri ? folder : undefined;
    if (!chosen) {
      const picked = await vscode.window.showOpenDialog({
        canSelectFolders: true,
        canSelectFiles: false,
        openLabel: 'Review this folder',
        ...(vscode.workspace.workspaceFolders?.[0]
          ? { defaultUri: vscode.workspace.workspaceFolders[0].uri }
          : {}),
      });
      chosen = picked?.[0];
    }
    if (chosen) await ctx.review.setScope(chosen);
  },
  [CommandId.ReviewWorkspace]: (ctx) => () => ctx.review.setScope(undefined),

  /**
   * Every review-mode key runs through this one command (`args` names the command to run): VS
   * Code forwards the first use of each command to the extension later than the next ones, so
   * two different commands bound to keys pressed in quick succession could swap; one command
   * keeps the keys in the order they were pressed.
   */
  [CommandId.ReviewKey]: () => (key?: { command?: string; args?: unknown }) => {
    if (typeof key?.command !== 'string' || !key.command.startsWith('spanlight.')) return undefined;
    return vscode.commands.executeCommand(key.command, ...(key.args === undefined ? [] : [key.args]));
  },
} satisfies Partial<Record<CommandIdValue, CommandFactory>>;
