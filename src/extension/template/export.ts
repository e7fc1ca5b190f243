/**
 * `Spanlight: Extract Listings in Folder…`: every listing file of a folder → one CSV or JSON file
 * of records, the same output as `spanlight extract`, under a cancellable progress notification.
 */

import path from 'node:path';
import * as vscode from 'vscode';
import { writeFileAtomic } from '../../core/atomic';
import { extractFromSpans, LISTING_TAG_OPTIONS, type Listing, type ListingRecord } from '../../core/extract';
import type { ModelManager } from '../models';

export interface ExtractFolderRequest {
  folder?: string;
  format?: 'csv' | 'json';
  /** The output file; asked when missing. */
  target?: string;
}

export interface ExtractFolderResult {
  target: string;
  records: number;
  /** `file:line: what is wrong` for files that could not be read. */
  problems: string[];
  cancelled: boolean;
}

/** Listings extracted per step: small enough that Cancel answers quickly, large enough to batch. */
const CHUNK = 32;

const LISTING_GLOB = '**/*.{txt,md,text,jsonl}';

async function askFolder(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: 'Extract Listings',
    title: 'Folder of listings (.txt, .md, .jsonl)',
    ...(vscode.workspace.workspaceFolders?.[0]
      ? { defaultUri: vscode.workspace.workspaceFolders[0].uri }
      : {}),
  });
  return picked?.[0]?.fsPath;
}

async function askFormat(): Promise<'csv' | 'json' | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      {
        label: 'CSV',
        description: 'one row per listing: value, confidence and source of each field',
        value: 'csv' as const,
      },
      { label: 'JSON', description: 'full records with spans and alternatives', value: 'json' as const },
    ],
    { title: 'Export listing records as' },
  );
  return picked?.value;
}

/** Extracts a folder's listings and writes them; undefined when the user backed out of a question. */
export async function extractListingsInFolder(
  models: ModelManager,
  log: vscode.LogOutputChannel,
  request: ExtractFolderRequest = {},
): Promise<ExtractFolderResult | undefined> {
  const folder = request.folder ?? (await askFolder());
  if (!folder) return undefined;
  const files = (
    await vscode.workspace.findFiles(
      new vscode.RelativePattern(vscode.Uri.file(folder), LISTING_GLOB),
      '**/{node_modules,.git,.spanlight}/**',
    )
  )
    .map((u) => u.fsPath)
    .sort();
  if (files.length === 0) {
    void vscode.window.showWarningMessage(
      `Spanlight: ${folder}: no listing files (.txt, .md, .text, .jsonl) in this folder.`,
    );
    return undefined;
  }
  const format = request.format ?? (await askFormat());
  if (!format) return undefined;
  const target =
    request.target ??
    (
      await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.file(path.join(folder, `listings.${format}`)),
        filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
        title: 'Save the listing records',
      })
    )?.fsPath;
  if (!target) return undefined;

  // The CLI's reader and CSV writer, loaded on use (they are not needed at activation).
  const { readListings, recordsToCsv } = await import('../../core/extract');
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: 'Spanlight: extracting listings',
      cancellable: true,
    },
    async (progress, token) => {
      const problems: string[] = [];
      const listings: Listing[] = [];
      progress.report({ message: `reading ${files.length} files` });
      for (const file of files) {
        try {
          listings.push(
            ...readListings([file]).map((l) => ({ ...l, id: path.relative(folder, l.id) || l.id })),
          );
        } catch (err) {
          problems.push((err as Error).message);
        }
      }
      const model = await models.tagger('listings').catch((err: Error) => {
        log.warn(`extract listings: the listing model cannot be loaded, using rules only: ${err.message}`);
        return undefined;
      });
      const records: ListingRecord[] = [];
      for (let i = 0; i < listings.length; i += CHUNK) {
        if (token.isCancellationRequested) break;
        const chunk = listings.slice(i, i + CHUNK);
        const tagged = model
          ? (
              await model.tagger.tagTexts(
                chunk.map((l) => l.text),
                LISTING_TAG_OPTIONS,
              )
            ).map(({ spans }) => ({ spans }))
          : null;
        records.push(...extractFromSpans(chunk, tagged));
        progress.report({
          increment: (100 * Math.min(CHUNK, listings.length - i)) / listings.length,
          message: `${records.length} of ${listings.length} listings`,
        });
        // Gives the extension host its turn between chunks (and the Cancel button its click).
        await new Promise((resolve) => setImmediate(resolve));
      }
      const cancelled = token.isCancellationRequested;
      for (const problem of problems) log.warn(`extract listings: ${problem}`);
      if (cancelled) {
        void vscode.window.showInformationMessage(
          `Spanlight: extraction cancelled after ${records.length} of ${listings.length} listings; nothing written.`,
        );
        return { target, records: records.length, problems, cancelled };
      }
      const output = format === 'csv' ? recordsToCsv(records) : `${JSON.stringify(records, null, 2)}\n`;
      await writeFileAtomic(target, output);
      log.info(
        `extract listings: ${records.length} records from ${folder} → ${target} (${model ? model.info.name : 'rules only'})`,
      );
      const problemNote = problems.length > 0 ? ` ${problems.length} file(s) skipped (see Output).` : '';
      void vscode.window
        .showInformationMessage(
          `Spanlight: ${records.length} listings extracted to ${path.basename(target)}.${problemNote}`,
          'Open',
        )
        .then(async (choice) => {
          if (choice) await vscode.window.showTextDocument(vscode.Uri.file(target));
        });
      return { target, records: records.length, problems, cancelled };
    },
  );
}
