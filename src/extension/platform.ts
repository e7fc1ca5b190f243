/**
 * What differs between the extension host on Node (desktop VS Code, remote, code-server) and the
 * web worker of VS Code for the Web: where model folders are and how they are read, where models
 * run, and how annotation files are read and written. The services above these (models.ts,
 * annotations.ts, tagging.ts, …) are written once against them; platform-node.ts and
 * web/platform.ts implement them.
 */
import type * as vscode from 'vscode';
import type { AnnotationFile, ParsedAnnotations } from '../core/annotations/store';
import type { ModelCard } from '../core/model/format';
import type { ScoredSentence, TaggedToken, TagOptions, TagTextResult } from '../core/model/tagger-base';
import type { TagScheme } from '../core/types';
import type { AnnotationManager } from './annotations';
import type { CommandFactory } from './commands/command';
import type { Config } from './config';
import type { Services, Training } from './ctx';
import type { CommandIdValue } from './ids';
import type { ModelLoop } from './loop/model-loop';
import type { ModelManager } from './models';
import type { BackendChoice, HostEvent, LoadedModel, TaggingBackendInfo } from './tagging-process/protocol';

/** Model folders, named by paths (Node) or URI strings (web). */
export interface ModelLocations {
  /** The folder of the models shipped with the extension. */
  readonly shippedRoot: string;
  /** A workspace folder's `.spanlight/models`. */
  workspaceRoot(folder: vscode.WorkspaceFolder): string;
  /** The folders directly in `root` that may hold a model (not dot folders: saves in progress). */
  list(root: string): Promise<string[]>;
  /** A folder's model card, through the model loader's checks (throws when it is not a model). */
  readCard(folder: string): Promise<Partial<ModelCard>>;
  baseName(folder: string): string;
  /** Whether `folder` is in `root` (or is it). */
  isInside(root: string, folder: string): boolean;
}

/** A loaded model as the editor uses it, asynchronous wherever it runs. */
export interface EditorTagger {
  readonly folder: string;
  readonly labels: string[];
  readonly scheme: TagScheme | 'none';
  readonly backend: LoadedModel['backend'];
  readonly nativeUnavailable: LoadedModel['nativeUnavailable'];
  readonly timings: LoadedModel['timings'];
  /** False once whatever ran it has gone (a tagging process that exited): load it again. */
  readonly alive: boolean;
  tag(sentences: ReadonlyArray<readonly string[]>, options?: TagOptions): Promise<TaggedToken[][]>;
  /** `tag` with each sentence's log-probability and entropy (the review queue's uncertainty). */
  tagScored(sentences: ReadonlyArray<readonly string[]>, options?: TagOptions): Promise<ScoredSentence[]>;
  tagTexts(texts: readonly string[], options?: TagOptions): Promise<TagTextResult[]>;
  dispose(): Promise<void>;
}

/** Where models run: the tagging process (Node) or the extension host itself (web). */
export interface TaggerHost {
  load(folder: string): Promise<EditorTagger>;
  /** Which backend tags, and why native TensorFlow cannot load if it cannot. */
  backend(): Promise<BackendChoice>;
  backendInfo(): Promise<TaggingBackendInfo>;
  /** Events the host sends on its own (a model moved to native TensorFlow, say). */
  onEvent(listener: (event: HostEvent) => void): void;
  /** When the process that runs the models started (epoch ms), for the load timings in the log. */
  readonly forkedAt: number;
  dispose(): void;
}

/** Where a document's annotations are kept, as `AnnotationFiles.locate` finds it. */
export interface AnnotationLocation {
  /** The annotation file (a path, or a URI string on the web). */
  file: string;
  /** The document's path relative to its workspace folder, with `/`. */
  relative: string;
  /** The folder writes must stay inside (the workspace's real `.spanlight`). */
  confineTo: string;
}

/** Annotation files, read and written atomically. */
export interface AnnotationFiles {
  /** The file of `document`'s annotations, or undefined when they are kept in memory only. */
  locate(document: { readonly uri: vscode.Uri }): AnnotationLocation | undefined;
  /** Reads a file; `unwritable` says why one must not be written over (a newer format, say). */
  load(file: string, relative: string): Promise<ParsedAnnotations>;
  /** Writes `contents` (or removes the file when it holds none). */
  saveOrRemove(location: AnnotationLocation, contents: AnnotationFile): Promise<void>;
}

/** Everything the shared wiring (activate.ts) takes from its platform. */
export interface Platform {
  /** `node`: desktop VS Code, remote hosts, code-server; `web`: VS Code for the Web. */
  readonly name: 'node' | 'web';
  models(extension: vscode.ExtensionContext): ModelLocations;
  taggers(extension: vscode.ExtensionContext): TaggerHost;
  readonly annotationFiles: AnnotationFiles;
  training(deps: {
    extensionUri: vscode.Uri;
    config: Config;
    log: vscode.LogOutputChannel;
    models: ModelManager;
    annotations: AnnotationManager;
  }): Training;
  /** The model-in-the-loop (needs Node's file system and native TensorFlow; none on the web). */
  loop?(services: Services): ModelLoop;
  /** Commands replaced on this platform (on the web, those that need Node's file system). */
  readonly commandOverrides?: Partial<Record<CommandIdValue, CommandFactory>>;
}
