/**
 * `Spanlight: Export Annotations as Training Data…`: every annotated document of the workspace
 * becomes tagged sentences (IOB2), written as JSONL spans or CoNLL for `spanlight train`.
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
} from '../core/annotations/store';
import { writeCorpus } from '../core/corpus/write';
import type { TaggedSentence } from '../core/types';
import { assertSpanlightWrite } from '../core/workspace-paths';
import type { AnnotationManager } from './annotations';

export interface ExportRequest {
  format: 'jsonl' | 'conll';
  /** Output file. */
  target: string;
  includeAccepted: boolean;
  wholeDocuments: boolean;
}

export interface ExportResult {
  target: string;
  documents: number;
  sentences: number;
  entities: number;
  problems: string[];
}

async function ask(): Promise<Omit<ExportRequest, 'target'> | undefined> {
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
  if (!format) return undefined;
  const scope = await vscode.window.showQuickPick(
    [
      { label: 'Annotated and accepted spans', includeAccepted: true },
      { label: 'Only spans labelled by hand', includeAccepted: false },
    ],
    { title: 'Export annotations: which spans' },
  );
  if (!scope) return undefined;
  const sentences = await vscode.window.showQuickPick(
    [
      { label: 'Sentences with annotations', detail: 'Unreviewed sentences are left out', whole: false },
      {
        label: 'Whole annotated documents',
        detail: 'Every sentence; unlabelled words count as O',
        whole: true,
      },
    ],
    { title: 'Export annotations: which sentences' },
  );
  if (!sentences) return undefined;
  return { format: format.format, includeAccepted: scope.includeAccepted, wholeDocuments: sentences.whole };
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
  const options = request.format
    ? {
        format: request.format,
        includeAccepted: request.includeAccepted ?? true,
        wholeDocuments: request.wholeDocuments ?? false,
      }
    : await ask();
  if (!options) return undefined;
  let target = request.target;
  if (!target) {
    const picked = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(
        folders[0]!.uri,
        `annotations.${options.format === 'jsonl' ? 'jsonl' : 'conll'}`,
      ),
      title: 'Export annotations as training data',
    });
    if (!picked) return undefined;
    target = picked.fsPath;
  }
  const sentences: TaggedSentence[] = [];
  const problems: string[] = [];
  let documents = 0;
  let entities = 0;
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
      const loaded = await loadAnnotationFile(file);
      problems.push(...loaded.problems.map(formatAnnotationProblem));
      const { annotations, dropped } = reconcileAnnotations(loaded.file.annotations, text);
      for (const d of dropped)
        problems.push(
          `${file}:0: ${JSON.stringify(d.text)} (${d.label}) is no longer in the document; skipped`,
        );
      const result = annotationsToSentences(text, annotations, options);
      const relative = path.relative(folder.uri.fsPath, documentPath);
      for (const p of result.problems) problems.push(`${relative}: offset ${p.offset}: ${p.message}`);
      if (result.sentences.length > 0) documents++;
      entities += result.sentences.reduce((n, s) => n + s.tags.filter((t) => t.startsWith('B-')).length, 0);
      for (const sentence of result.sentences) sentences.push(sentence);
    }
  }
  for (const p of problems) log.warn(p);
  if (sentences.length === 0) {
    void vscode.window.showInformationMessage('Spanlight: there are no annotations to export yet.');
    return { target, documents, sentences: 0, entities, problems };
  }
  // Spanlight's own exports (training data under .spanlight) must not follow a link out of it;
  // a target the user picked in the save dialog is theirs to choose.
  await assertSpanlightWrite(
    folders.map((f) => f.uri.fsPath),
    target,
  );
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  await writeCorpus(target, sentences, options.format, { jsonlShape: 'spans' });
  const summary = `Spanlight: exported ${entities} entities in ${sentences.length} sentences from ${documents} document(s) to ${vscode.workspace.asRelativePath(target)}${problems.length > 0 ? ` (${problems.length} problem(s), see the output)` : ''}`;
  log.info(summary);
  if (!request.target) {
    void vscode.window.showInformationMessage(summary, 'Open').then((choice) => {
      if (choice) void vscode.window.showTextDocument(vscode.Uri.file(target));
    });
  }
  return { target, documents, sentences: sentences.length, entities, problems };
}
