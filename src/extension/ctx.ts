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
import type { ModelManager } from './models';
import type { TaggingService } from './tagging';
import type { TemplatePanelController } from './template/panel';
import type { TrainingController } from './training/controller';

/** What the commands use of training (the web's stand-in offers the same). */
export type Training = Pick<TrainingController, 'train' | 'stop' | 'showDashboard' | 'onDidFinishRun'> &
  vscode.Disposable;

import type { ViewState } from './view-state';

export interface Ctx {
  readonly extension: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  /** The settings, read in one place. */
  readonly config: Config;
  /** What the user chose to see (workspace state, never settings files). */
  readonly view: ViewState;
  readonly models: ModelManager;
  readonly tagging: TaggingService;
  readonly annotations: AnnotationManager;
  readonly decorations: LabelDecorations;
  /** Which documents are tagged, when they are redrawn, and what is at a position. */
  readonly editor: EditorController;
  /** Training: the worker-thread trainer on Node; on the web, the same commands say it needs Node. */
  readonly training: Training;
  readonly template: TemplatePanelController;
}
