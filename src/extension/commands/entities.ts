/**
 * The Entities view's actions: search, and accept, reject or relabel every occurrence of an
 * entity (a text under a label) across the workspace, one undo step per document.
 */
import * as vscode from 'vscode';
import { type Annotation, REJECTED_LABEL } from '../../core/annotations/annotation-set';
import { plainLabel } from '../../core/annotations/markdown';
import type { Ctx } from '../ctx';
import type { EntityNode } from '../entity-tree';
import { CommandId, type CommandIdValue } from '../ids';
import { pickLabel } from '../label-picker';
import type { Occurrence } from '../workspace-index';
import type { CommandFactory } from './command';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** An entity named by scripts and key bindings: every occurrence of `text` as `label` (in `task`). */
export interface EntityRef {
  label: string;
  text: string;
  task?: string;
}

/**
 * The occurrences a command acts on: the view node it was invoked on, an entity named by its
 * label and text, else the view's selection.
 */
async function occurrencesOf(
  ctx: Ctx,
  node?: EntityNode | EntityRef,
): Promise<{ occurrences: Occurrence[]; what: string } | undefined> {
  if (node && !('kind' in node)) {
    await ctx.index.ensureScanned();
    const task = node.task ?? ctx.entities.task;
    const occurrences = ctx.index
      .occurrences(task)
      .filter((o) => o.label === node.label && o.text === node.text);
    return { occurrences, what: `“${plainLabel(node.text, 40)}” (${node.label})` };
  }
  const target = node ?? ctx.entities.view.selection[0];
  if (!target) {
    void vscode.window.showInformationMessage('Spanlight: select an entity in the Entities view first.');
    return undefined;
  }
  if (target.kind === 'occurrence')
    return { occurrences: [target.occurrence], what: `“${plainLabel(target.occurrence.text, 40)}”` };
  const what =
    target.kind === 'text' ? `“${plainLabel(target.text, 40)}” (${target.label})` : `every ${target.label}`;
  return { occurrences: target.occurrences, what };
}

/**
 * Gives each occurrence `label` (`O`: rejected), document by document, each document one undo
 * step; suggestions accepted as they are keep `accepted` as their origin.
 */
async function labelOccurrences(ctx: Ctx, occurrences: Occurrence[], label: string | undefined) {
  const byDocument = new Map<string, Occurrence[]>();
  for (const o of occurrences) {
    const key = o.document.uri.toString();
    byDocument.set(key, [...(byDocument.get(key) ?? []), o]);
  }
  let changed = 0;
  let refused = 0;
  for (const [uri, list] of byDocument) {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
    await ctx.annotations.load(document);
    const text = document.getText();
    const task = list[0]!.document.task;
    const current = ctx.annotations.annotations(document).filter((a) => a.task === task);
    const removed: Annotation[] = [];
    const added: Annotation[] = [];
    for (const o of list) {
      // The index may be a moment behind the document: an occurrence whose text moved is skipped.
      if (text.slice(o.start, o.end) !== o.text) {
        refused++;
        continue;
      }
      const accepting = label === undefined;
      const newLabel = label ?? o.label;
      if (accepting && o.source !== 'suggested') continue;
      removed.push(...current.filter((a) => a.start === o.start && a.end === o.end));
      added.push({
        start: o.start,
        end: o.end,
        text: o.text,
        label: newLabel,
        origin: accepting ? 'accepted' : 'human',
        task,
      });
    }
    if (added.length === 0) continue;
    const result = await ctx.annotations.replace(document, removed, added);
    if (result.ok) changed += added.length;
    else refused += added.length;
    await ctx.index.update(document.uri);
  }
  return { changed, refused, documents: byDocument.size };
}

function report(verb: string, what: string, result: { changed: number; refused: number; documents: number }) {
  const skipped =
    result.refused > 0
      ? `; ${plural(result.refused, 'occurrence')} not changed (overlap, or the text moved)`
      : '';
  void vscode.window.setStatusBarMessage(
    `Spanlight: ${verb} ${plural(result.changed, 'occurrence')} of ${what} in ${plural(result.documents, 'document')}${skipped}`,
    6000,
  );
  return result;
}

export const entityCommands = {
  [CommandId.AcceptAllOccurrences]: (ctx) => async (node?: EntityNode | EntityRef) => {
    const target = await occurrencesOf(ctx, node);
    if (!target) return undefined;
    return report('accepted', target.what, await labelOccurrences(ctx, target.occurrences, undefined));
  },
  [CommandId.RejectAllOccurrences]: (ctx) => async (node?: EntityNode | EntityRef) => {
    const target = await occurrencesOf(ctx, node);
    if (!target) return undefined;
    return report('rejected', target.what, await labelOccurrences(ctx, target.occurrences, REJECTED_LABEL));
  },
  [CommandId.RelabelAllOccurrences]: (ctx) => async (node?: EntityNode | EntityRef, label?: string) => {
    const target = await occurrencesOf(ctx, node);
    const first = target?.occurrences[0];
    if (!target || !first) return undefined;
    const document = await vscode.workspace.openTextDocument(first.document.uri);
    await ctx.annotations.load(document);
    const chosen =
      typeof label === 'string'
        ? label
        : await pickLabel(ctx, document, `Relabel ${target.what}`, first.label);
    if (!chosen) return undefined;
    return report(
      `relabelled as ${chosen}`,
      target.what,
      await labelOccurrences(ctx, target.occurrences, chosen),
    );
  },
  [CommandId.SearchEntities]: (ctx) => async (filter?: string) => {
    const value =
      typeof filter === 'string'
        ? filter
        : await vscode.window.showInputBox({
            title: 'Search entities',
            prompt: 'Text or label to look for (empty: show all)',
            value: ctx.entities.currentFilter,
          });
    if (value !== undefined) ctx.entities.setFilter(value);
  },
  [CommandId.ClearEntitySearch]: (ctx) => () => ctx.entities.setFilter(''),
} satisfies Partial<Record<CommandIdValue, CommandFactory>>;
