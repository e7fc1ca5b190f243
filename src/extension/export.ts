/**
 * `Spanlight: Export Annotations as Training Data…`: the workspace's reviewed sentences of one
 * task become tagged sentences (IOB2), written as JSONL spans or CoNLL for `spanlight train`.
 * Unreviewed sentences are left out and counted (never written with their entities as `O`),
 * other tasks' labels never share the file, and the summary says what was left out and why.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { annotationsToSentences } from '../core/annotations/export';
import {
  documentPathOf,
  formatAnnotationProblem,
  listAnnotationFiles,
  loadAnnotationFile,
  reconcileAnnotations,
  reconcileReviews,
} from '../core/annotations/store';
import { writeCorpus } from '../core/corpus/write';
import type { TaggedSentence } from '../core/types';
import { assertSpanlightWrite } from '../core/workspace-paths';
import type { AnnotationManager } from './annotations';

export interface ExportRequest {
  format: 'jsonl' | 'conll';
  /** Output file. */
  target: string;
  /** The task to export (asked when several have reviewed sentences). */
  task: string;
}

export interface ExportResult {
  target: string;
  task: string;
  documents: number;
  sentences: number;
  entities: number;
  /** Sentences left out because they are not reviewed (in documents with annotations). */
  unreviewed: number;
  /** Of those, how many hold annotations of the task. */
  unreviewedAnnotated: number;
  /** Reviewed sentences left out because a span in them is off token boundaries. */
  misaligned: number;
  /** Reviewed sentences of other tasks (exported separately). */
  otherTasks: Record<string, number>;
  problems: string[];
}

interface LoadedDocument {
  file: string;
  documentPath: string;
  relative: string;
  text: string;
  annotations: ReturnType<typeof reconcileAnnotations>['annotations'];
  reviews: ReturnType<typeof reconcileReviews>['reviews'];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Every annotated document of the workspace with its annotations and reviews fitted to its text. */
async function loadAll(
  folders: readonly vscode.WorkspaceFolder[],
  problems: string[],
): Promise<LoadedDocument[]> {
  const loaded: LoadedDocument[] = [];
  for (const folder of folders) {
    for (const file of await listAnnotationFiles(folder.uri.fsPath)) {
      const documentPath = documentPathOf(folder.uri.fsPath, file);
      const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === documentPath);
      let text: string;
      try {
        text = open ? open.getText() : await fs.promises.readFile(documentPath, 'utf8');
      } catch {
        problems.push(`${file}:0: the annotated document ${documentPath} is missing; skipped`);
        continue;
      }
      const stored = await loadAnnotationFile(file);
      problems.push(...stored.problems.map(formatAnnotationProblem));
      const { annotations, dropped } = reconcileAnnotations(stored.file.annotations, text);
      for (const d of dropped)
        problems.push(
          `${file}:0: ${JSON.stringify(d.text)} (${d.label}) is no longer in the document; skipped`,
        );
      const { reviews } = reconcileReviews(stored.file.reviews ?? [], text);
      loaded.push({
        file,
        documentPath,
        relative: path.relative(folder.uri.fsPath, documentPath).replaceAll('\\', '/'),
        text,
        annotations,
        reviews,
      });
    }
  }
  return loaded;
}

async function askFormat(): Promise<ExportRequest['format'] | undefined> {
  const format = await vscode.window.showQuickPick(
    [
      {
        label: 'JSONL spans',
        description: '{"text", "spans": [{start, end, label}]} per sentence',
        format: 'jsonl' as const,
      },
      { label: 'CoNLL', description: 'token<TAB>IOB2 tag per line', format: 'conll' as const },
    ],
    { title: 'Export annotations: format' },
  );
  return format?.format;
}

/** The task to export: the only one with reviewed sentences, or the one the user picks. */
async function askTask(reviewedByTask: Map<string, number>): Promise<string | undefined> {
  const tasks = [...reviewedByTask].sort((a, b) => b[1] - a[1]);
  if (tasks.length === 1) return tasks[0]![0];
  const picked = await vscode.window.showQuickPick(
    tasks.map(([task, count]) => ({
      label: task,
      description: `${plural(count, 'reviewed sentence')}`,
      task,
    })),
    { title: 'Export annotations: which task (each task is its own training set)' },
  );
  return picked?.task;
}

export async function exportAnnotations(
  { annotations: manager, log }: { annotations: AnnotationManager; log: vscode.LogOutputChannel },
  request: Partial<ExportRequest> = {},
): Promise<ExportResult | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void vscode.window.showInformationMessage('Spanlight: open a folder to export its annotations.');
    return undefined;
  }
  await manager.flush();
  const problems: string[] = [];
  const documents = await loadAll(folders, problems);
  const reviewedByTask = new Map<string, number>();
  for (const d of documents)
    for (const r of d.reviews) reviewedByTask.set(r.task, (reviewedByTask.get(r.task) ?? 0) + 1);
  if (reviewedByTask.size === 0) {
    const annotated = documents.reduce((n, d) => n + d.annotations.length, 0);
    for (const p of problems) log.warn(p);
    void vscode.window.showInformationMessage(
      `Spanlight: no reviewed sentences to export yet${annotated > 0 ? ` (${plural(annotated, 'annotation')} wait in unreviewed sentences)` : ''}. Accept a sentence with Ctrl+Alt+Enter, or go through Spanlight: Start Review.`,
    );
    return undefined;
  }
  const task = request.task ?? (await askTask(reviewedByTask));
  if (!task) return undefined;
  const format = request.format ?? (await askFormat());
  if (!format) return undefined;
  let target = request.target;
  if (!target) {
    const picked = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(
        folders[0]!.uri,
        `annotations-${task}.${format === 'jsonl' ? 'jsonl' : 'conll'}`,
      ),
      title: `Export the reviewed ${task} sentences as training data`,
    });
    if (!picked) return undefined;
    target = picked.fsPath;
  }
  const sentences: TaggedSentence[] = [];
  const result: ExportResult = {
    target,
    task,
    documents: 0,
    sentences: 0,
    entities: 0,
    unreviewed: 0,
    unreviewedAnnotated: 0,
    misaligned: 0,
    otherTasks: Object.fromEntries([...reviewedByTask].filter(([t]) => t !== task)),
    problems,
  };
  for (const d of documents) {
    const exported = annotationsToSentences(d.text, d.annotations, d.reviews, task);
    for (const p of exported.problems) problems.push(`${d.relative}: offset ${p.offset}: ${p.message}`);
    const worked = d.annotations.some((a) => a.task === task) || d.reviews.some((r) => r.task === task);
    if (worked) {
      result.unreviewed += exported.unreviewed;
      result.unreviewedAnnotated += exported.unreviewedAnnotated;
    }
    result.misaligned += exported.misaligned;
    if (exported.sentences.length > 0) result.documents++;
    result.entities += exported.sentences.reduce(
      (n, s) => n + s.tags.filter((t) => t.startsWith('B-')).length,
      0,
    );
    // One by one: a spread of a huge document's sentences would overflow the call stack.
    for (const sentence of exported.sentences) sentences.push(sentence);
  }
  result.sentences = sentences.length;
  for (const p of problems) log.warn(p);
  if (sentences.length === 0) {
    void vscode.window.showWarningMessage(
      `Spanlight: nothing of ${task} to export: its ${plural(result.misaligned, 'reviewed sentence')} ${result.misaligned === 1 ? 'has' : 'have'} spans off token boundaries (see the output).`,
    );
    return result;
  }
  // Spanlight's own exports (training data under .spanlight) must not follow a link out of it;
  // a target the user picked in the save dialog is theirs to choose.
  await assertSpanlightWrite(
    folders.map((f) => f.uri.fsPath),
    target,
  );
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  await writeCorpus(target, sentences, format, { jsonlShape: 'spans' });
  const leftOut = [
    result.unreviewed > 0
      ? `${plural(result.unreviewed, 'unreviewed sentence')}${result.unreviewedAnnotated > 0 ? ` (${result.unreviewedAnnotated} with annotations)` : ''}`
      : '',
    result.misaligned > 0
      ? `${plural(result.misaligned, 'reviewed sentence')} with spans off token boundaries`
      : '',
  ].filter(Boolean);
  const others = Object.entries(result.otherTasks).map(
    ([t, n]) => `${t} (${plural(n, 'reviewed sentence')})`,
  );
  const summary = [
    `Spanlight: exported ${plural(result.sentences, 'reviewed sentence')} (${plural(result.entities, 'entity', 'entities')}) of ${task} from ${plural(result.documents, 'document')} to ${vscode.workspace.asRelativePath(target)}.`,
    leftOut.length > 0 ? `Left out: ${leftOut.join(' and ')}.` : 'Nothing left out.',
    others.length > 0 ? `Other tasks are exported separately: ${others.join(', ')}.` : '',
    problems.length > 0 ? `${plural(problems.length, 'problem')}: see the output.` : '',
  ]
    .filter(Boolean)
    .join(' ');
  log.info(summary);
  if (!request.target) {
    void vscode.window.showInformationMessage(summary, 'Open').then((choice) => {
      if (choice) void vscode.window.showTextDocument(vscode.Uri.file(target));
    });
  }
  return result;
}

/** A reviewed sentence as training data, keyed by its document and text (stable across edits elsewhere). */
export interface KeyedSentence extends TaggedSentence {
  key: string;
}

/**
 * Every reviewed sentence of `task` in a workspace folder, as the export would write it (the
 * model-in-the-loop trains on exactly what an export would give), with a key per sentence.
 * Sentences whose spans do not fit the tokens are left out and counted among `problems`.
 */
export async function reviewedSentencesOf(
  manager: AnnotationManager,
  folder: vscode.WorkspaceFolder,
  task: string,
): Promise<{ sentences: KeyedSentence[]; problems: string[]; misaligned: number }> {
  await manager.flush();
  const problems: string[] = [];
  const sentences: KeyedSentence[] = [];
  let misaligned = 0;
  for (const d of await loadAll([folder], problems)) {
    const exported = annotationsToSentences(d.text, d.annotations, d.reviews, task);
    for (const p of exported.problems) problems.push(`${d.relative}: offset ${p.offset}: ${p.message}`);
    misaligned += exported.misaligned;
    for (const sentence of exported.sentences)
      sentences.push({ ...sentence, key: `${d.relative}\n${sentence.text ?? sentence.tokens.join(' ')}` });
  }
  return { sentences, problems, misaligned };
}
