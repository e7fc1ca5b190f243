/**
 * The training dashboard panel: created beside the editor or restored by VS Code's serializer,
 * fed by the run in progress and by the runs on disk, and answering the page's buttons (stop,
 * use the model, open its folder, export metrics or charts).
 */
import path from 'node:path';
import * as vscode from 'vscode';
import {
  type FromWebview,
  type LoopCurve,
  parseFromWebview,
  type ToWebview,
} from '../../../webview/protocol';
import { writeFileAtomic } from '../../core/atomic';
import { listRuns, readRun, runToCsv } from '../../core/runs/store';
import type { RunRecord } from '../../core/runs/types';
import { Disposable } from '../dispose';
import { CommandId } from '../ids';
import { attachPanelPage, createPanelBeside } from '../webview-panel';
import { dashboardHtml } from './html';

export const DASHBOARD_VIEW_TYPE = 'spanlight.trainingDashboard';

export interface DashboardDeps {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  /** `.spanlight/runs` of the workspace, if one is open. */
  runsRoot(): string | undefined;
  /** The run in progress, as recorded so far. */
  activeRecord(): RunRecord | undefined;
  /** Stops the run in progress if it is `runId`. */
  stop(runId: string): void;
  /** The model-in-the-loop's versions per task, for its chart. */
  loops(): Promise<LoopCurve[]>;
}

export class TrainingDashboard extends Disposable {
  private panel: vscode.WebviewPanel | undefined;

  constructor(private readonly deps: DashboardDeps) {
    super();
    this._register(
      vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => this.attach(panel),
      }),
    );
  }

  show(): void {
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

  post(message: ToWebview): void {
    void this.panel?.webview.postMessage(message);
  }

  /** Sends the run list (after a run ends). */
  async postRuns(): Promise<void> {
    const root = this.deps.runsRoot();
    if (!root || !this.panel) return;
    this.post({ type: 'runs', runs: await listRuns(root) });
  }

  /** Sends the model-in-the-loop's versions (after an update or a version change). */
  async postLoop(): Promise<void> {
    if (this.panel) this.post({ type: 'loop', loops: await this.deps.loops() });
  }

  private async record(runId: string): Promise<RunRecord | undefined> {
    const active = this.deps.activeRecord();
    if (active?.config.id === runId) return active;
    const root = this.deps.runsRoot();
    return root ? (await readRun(root, runId))?.record : undefined;
  }

  private async exportFile(defaultName: string, title: string, data: string | Buffer, png = false) {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!root) return;
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(path.join(root, defaultName)),
      ...(png ? { filters: { PNG: ['png'] } } : {}),
      title,
    });
    if (!target) return;
    try {
      await writeFileAtomic(target.fsPath, data);
    } catch (err) {
      this.post({
        type: 'notice',
        level: 'error',
        message: `Could not write ${vscode.workspace.asRelativePath(target)}: ${(err as Error).message}`,
      });
      return;
    }
    this.post({
      type: 'notice',
      level: 'info',
      message: `Exported ${vscode.workspace.asRelativePath(target)}`,
    });
  }

  private async handle(message: FromWebview): Promise<void> {
    switch (message.type) {
      case 'ready': {
        const root = this.deps.runsRoot();
        const runs = root ? await listRuns(root) : [];
        const live = this.deps.activeRecord();
        const newest = !live && runs[0] ? await this.record(runs[0].id) : undefined;
        const records = [live ?? newest].filter((r): r is RunRecord => r !== undefined);
        this.post({ type: 'init', runs, records, ...(live ? { activeRunId: live.config.id } : {}) });
        await this.postLoop();
        return;
      }
      case 'stop':
        this.deps.stop(message.runId);
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
        if (!record) return;
        const text = message.format === 'csv' ? runToCsv(record) : `${JSON.stringify(record, null, 2)}\n`;
        await this.exportFile(`${record.config.id}.${message.format}`, 'Export run metrics', text);
        return;
      }
      case 'exportChart':
        await this.exportFile(
          `training-${message.chart}.png`,
          'Export chart',
          Buffer.from(message.png.split(',')[1] ?? '', 'base64'),
          true,
        );
        return;
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
    this.panel?.dispose();
    super.dispose();
  }
}
