/**
 * `Spanlight: Train Tagger…`, `Stop Training` and the training dashboard, put together: the
 * wizard asks (wizard.ts), the runner runs the job on the one long-lived training worker
 * (run.ts), the dashboard shows it (dashboard.ts).
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { LoopCurve } from '../../../webview/protocol';
import type { RetrainRequest } from '../../core/loop/retrain';
import type { Config } from '../config';
import { Disposable } from '../dispose';
import type { ModelManager } from '../models';
import { TrainingDashboard } from './dashboard';
import { TrainingRunner } from './run';
import { askTrainingJob, type TrainRequest } from './wizard';
import {
  bundledWorkerFactory,
  type JobHandle,
  type JobListener,
  type JobResult,
  TrainingWorkerHost,
  type WorkerLike,
} from './worker-host';

export { DASHBOARD_VIEW_TYPE } from './dashboard';
export type { TrainRequest } from './wizard';

/** What the dashboard needs of the model-in-the-loop (extension/loop/model-loop.ts). */
export interface LoopSource {
  curves(): Promise<LoopCurve[]>;
  readonly onDidChangeVersions: vscode.Event<unknown>;
}

export interface TrainingDeps {
  extensionUri: vscode.Uri;
  config: Config;
  log: vscode.LogOutputChannel;
  /** The models Spanlight offers: the wizard's "start from" and the model to compare with. */
  models: Pick<ModelManager, 'candidates' | 'resolve' | 'nativeUnavailable'>;
  /** Writes the workspace's annotations as JSONL training data to `target`; false when there are none. */
  exportAnnotations(target: string): Promise<boolean>;
  /** Makes another worker (tests); default: the bundled dist/train-worker.js in a thread. */
  createWorker?: () => WorkerLike;
}

export class TrainingController extends Disposable {
  private host: TrainingWorkerHost | undefined;
  /** The model-in-the-loop, once attached: its versions are charted on the dashboard. */
  private loop: LoopSource | undefined;
  private readonly dashboard: TrainingDashboard;
  private readonly runner: TrainingRunner;
  /** Fires when a run ends (tests and scripts wait on it). */
  readonly onDidFinishRun: vscode.Event<JobResult>;

  constructor(private readonly deps: TrainingDeps) {
    super();
    this.dashboard = this._register(
      new TrainingDashboard({
        extensionUri: deps.extensionUri,
        log: deps.log,
        runsRoot: () => {
          const root = this.workspaceRoot;
          return root ? this.roots(root).runsRoot : undefined;
        },
        activeRecord: () => this.runner.activeRecord,
        stop: (runId) => this.runner.stop(runId),
        loops: () => this.loop?.curves() ?? Promise.resolve([]),
      }),
    );
    this.runner = this._register(
      new TrainingRunner({ log: deps.log, dashboard: this.dashboard, host: () => this.workerHost() }),
    );
    this.onDidFinishRun = this.runner.onDidFinishRun;
  }

  private get workspaceRoot(): string | undefined {
    return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  }

  private roots(root: string) {
    return {
      runsRoot: path.join(root, '.spanlight', 'runs'),
      modelsRoot: path.join(root, '.spanlight', 'models'),
    };
  }

  private workerHost(): TrainingWorkerHost {
    this.host ??= new TrainingWorkerHost(
      this.deps.createWorker ??
        bundledWorkerFactory(vscode.Uri.joinPath(this.deps.extensionUri, 'dist', 'train-worker.js').fsPath),
    );
    return this.host;
  }

  /** Asks what to train (unless `request` says it all), then runs it. */
  async train(request: TrainRequest = {}): Promise<JobResult | undefined> {
    const root = this.workspaceRoot;
    if (!root) {
      void vscode.window.showInformationMessage('Spanlight: open a folder with a corpus to train a tagger.');
      return undefined;
    }
    if (this.runner.busy) {
      void vscode.window.showInformationMessage('Spanlight: a training run is in progress; stop it first.');
      this.dashboard.show();
      return undefined;
    }
    // Said before the wizard's questions: training runs on native TensorFlow only.
    const unavailable = await this.deps.models.nativeUnavailable().catch(() => undefined);
    if (unavailable) {
      this.deps.log.warn(`training needs native TensorFlow: ${unavailable.reason}\n${unavailable.detail}`);
      void vscode.window
        .showErrorMessage(
          `Spanlight: training needs native TensorFlow, which cannot be loaded here (${unavailable.reason}). Highlighting and annotation keep working on the portable backend.`,
          'Show Details',
        )
        .then((choice) => {
          if (choice) this.deps.log.show();
        });
      return undefined;
    }
    const job = await askTrainingJob(root, request, this.deps);
    if (!job) return undefined;
    return this.runner.run({ ...job, ...this.roots(root), workspaceRoot: root }, request);
  }

  /** Charts the model-in-the-loop's versions on the dashboard, redrawn when they change. */
  attachLoop(loop: LoopSource): void {
    this.loop = loop;
    this._register(loop.onDidChangeVersions(() => void this.dashboard.postLoop()));
  }

  /** Queues a model-in-the-loop retrain on the training worker (after a run in progress). */
  retrain(request: RetrainRequest, listener: Pick<JobListener, 'event'> = {}): JobHandle {
    return this.workerHost().retrain(request, listener);
  }

  stop(): void {
    if (!this.runner.stop()) void vscode.window.showInformationMessage('Spanlight: no training run to stop.');
  }

  showDashboard(): void {
    this.dashboard.show();
  }

  override dispose(): void {
    this.host?.dispose();
    super.dispose();
  }
}
