/**
 * The label QuickPick: the labels of the document's task from the label schema (with their
 * descriptions and keys), one key picks a label at once, search, and "New label…", which adds
 * the label to the project's `.spanlight/labels.json`.
 */
import * as vscode from 'vscode';
import { REJECTED_LABEL } from '../core/annotations/annotation-set';
import { labelKeys, SCHEMA_FILE, type TaskDefinition } from '../core/annotations/schema';
import type { Ctx } from './ctx';

/** The labels offered for a document: its task's schema labels, then labels used there that the schema lacks. */
export function labelChoices(
  ctx: Pick<Ctx, 'tasks' | 'editor'>,
  document: vscode.TextDocument,
): { task: TaskDefinition; labels: string[] } {
  const task = ctx.tasks.spanTask(document);
  const labels = task.labels.map((l) => l.name);
  const used = ctx.editor
    .taskAnnotations(document)
    .map((a) => a.label)
    .filter((l) => l !== REJECTED_LABEL && !labels.includes(l));
  const gold = ctx.editor.gold(document).map((g) => g.label);
  return { task, labels: [...labels, ...new Set([...used, ...gold].filter((l) => !labels.includes(l)))] };
}

/** Picks a label for a document; undefined when cancelled. */
export async function pickLabel(
  ctx: Ctx,
  document: vscode.TextDocument,
  title: string,
  current?: string,
): Promise<string | undefined> {
  const { task, labels } = labelChoices(ctx, document);
  const keys = labelKeys(labels, task);
  const newLabel = '$(add) New label…';
  const quickPick = vscode.window.createQuickPick<vscode.QuickPickItem & { value?: string }>();
  quickPick.title = `${title} · ${task.title ?? task.id}`;
  quickPick.placeholder = 'Type a letter to pick a label, or search';
  quickPick.matchOnDescription = true;
  quickPick.items = [
    ...labels.map((label) => {
      const definition = task.labels.find((l) => l.name === label);
      const notes = [
        ...(label === current ? ['current'] : []),
        definition?.description ?? (definition ? '' : 'not in the label schema'),
      ].filter(Boolean);
      return {
        label: `${keys.get(label) ? `[${keys.get(label)}] ` : ''}${label}`,
        value: label,
        ...(notes.length > 0 ? { description: notes.join(' · ') } : {}),
      };
    }),
    { label: newLabel, description: `added to ${task.id} in ${SCHEMA_FILE}` },
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
  const typed = (
    await vscode.window.showInputBox({
      title: `New ${task.title ?? task.id} label`,
      prompt: `One word, e.g. PRODUCT; it is added to ${SCHEMA_FILE}`,
      validateInput: (v) =>
        /^\S+$/.test(v.trim()) && v.trim() !== REJECTED_LABEL ? undefined : 'One word, not O',
    })
  )?.trim();
  if (!typed) return undefined;
  if (!task.labels.some((l) => l.name === typed)) {
    try {
      await ctx.tasks.addLabel(document, task.id, { name: typed });
    } catch (error) {
      void vscode.window.showWarningMessage(
        `Spanlight: ${typed} is used, but not added to the label schema: ${(error as Error).message}`,
      );
    }
  }
  return typed;
}
