/**
 * The extension's services, built once in `activate` and passed to every command and view
 * (rust-analyzer's `Ctx`): no command reaches one service through another, and nothing holds a
 * global.
 */
import type * as vscode from 'vscode';
import type { AnnotationManager } from './annotations';
import type { Config } from './config';
import type { EditorController } from './controller';
import type { LabelDecorations } from './decorations';
import type { EntityTreeProvider } from './entity-tree';
import type { ModelLoop } from './loop/model-loop';
import type { ModelManager } from './models';
import type { ReviewController } from './review';
import type { TaggingService } from './tagging';
import type { TaskService } from './tasks';
import type { TemplatePanelController } from './template/panel';
import type { TrainingController } from './training/controller';

/** What the commands use of training (the web's stand-in offers the same). */
export type Training = Pick<
  TrainingController,
  'train' | 'stop' | 'showDashboard' | 'onDidFinishRun' | 'retrain' | 'attachLoop'
> &
  vscode.Disposable;

import type { ViewState } from './view-state';
import type { WorkspaceIndex } from './workspace-index';

export interface Ctx {
  readonly extension: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  /** The settings, read in one place. */
  readonly config: Config;
  /** What the user chose to see (workspace state, never settings files). */
  readonly view: ViewState;
  /** Label schemas, each document's task and language. */
  readonly tasks: TaskService;
  readonly models: ModelManager;
  readonly tagging: TaggingService;
  readonly annotations: AnnotationManager;
  readonly decorations: LabelDecorations;
  /** Which documents are tagged, when they are redrawn, and what is at a position. */
  readonly editor: EditorController;
  /** Training: the worker-thread trainer on Node; on the web, the same commands say it needs Node. */
  readonly training: Training;
  readonly template: TemplatePanelController;
  /** The workspace's documents, sentences, suggestions and review state (for the two views). */
  readonly index: WorkspaceIndex;
  /** The Review view, its queue and review mode. */
  readonly review: ReviewController;
  /** The workspace Entities view. */
  readonly entities: EntityTreeProvider;
  /** The model-in-the-loop (retrains from reviewed sentences, model versions); Node only. */
  readonly loop: ModelLoop | undefined;
}

/** The services the views are built from (everything but the views and their index). */
export type Services = Omit<Ctx, 'index' | 'review' | 'entities' | 'loop'>;
