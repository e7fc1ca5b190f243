/**
 * The platform on Node (platform.ts): model folders on disk read through the model loader's
 * checks, models in the tagging process, annotation files written atomically inside the
 * workspace's real `.spanlight`.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { annotationPath, loadAnnotationFile, saveOrRemoveAnnotationFile } from '../core/annotations/store';
import { readModelCard } from '../core/model/io';
import { isInside, spanlightFolder } from '../core/workspace-paths';
import { exportAnnotations } from './export';
import { ModelLoop } from './loop/model-loop';
import type { AnnotationFiles, ModelLocations, Platform, TaggerHost } from './platform';
import { TaggingProcess } from './tagging-process/client';
import { TrainingController } from './training/controller';

export function nodeModelLocations(extensionPath: string): ModelLocations {
  return {
    shippedRoot: path.join(extensionPath, 'models'),
    workspaceRoot: (folder) => path.join(folder.uri.fsPath, '.spanlight', 'models'),
    list: async (root) =>
      (await fs.promises.readdir(root, { withFileTypes: true }))
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map((e) => path.join(root, e.name)),
    readCard: readModelCard,
    baseName: (folder) => path.basename(folder),
    isInside: (root, folder) => isInside(path.resolve(root), path.resolve(folder)),
  };
}

/** The tagging process (dist/tagging-process.js), forked on first use. */
export function nodeTaggerHost(extensionPath: string): TaggerHost {
  return new TaggingProcess({ script: path.join(extensionPath, 'dist', 'tagging-process.js') });
}

/** Annotations of files in a workspace folder, in `.spanlight/annotations/<path>.jsonl`. */
export const nodeAnnotationFiles: AnnotationFiles = {
  locate(document) {
    const folder =
      document.uri.scheme === 'file' ? vscode.workspace.getWorkspaceFolder(document.uri) : undefined;
    if (!folder) return undefined;
    return {
      file: annotationPath(folder.uri.fsPath, document.uri.fsPath),
      relative: vscode.workspace.asRelativePath(document.uri, false).replaceAll('\\', '/'),
      confineTo: spanlightFolder(folder.uri.fsPath),
    };
  },
  load: loadAnnotationFile,
  saveOrRemove: (location, contents) =>
    saveOrRemoveAnnotationFile(location.file, contents, { confineTo: location.confineTo }),
};

export const nodePlatform: Platform = {
  name: 'node',
  models: (extension) => nodeModelLocations(extension.extensionPath),
  taggers: (extension) => nodeTaggerHost(extension.extensionPath),
  annotationFiles: nodeAnnotationFiles,
  loop: (services) => {
    const loop = new ModelLoop(services);
    services.training.attachLoop(loop);
    return loop;
  },
  training: ({ annotations, log, ...deps }) =>
    new TrainingController({
      ...deps,
      log,
      exportAnnotations: async (target) =>
        ((await exportAnnotations({ annotations, log }, { format: 'jsonl', target }))?.sentences ?? 0) > 0,
    }),
};
