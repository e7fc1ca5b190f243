/**
 * Running one training job from the editor: on the long-lived training worker, with corpus
 * problems in the Problems panel, a cancellable progress notification, a status bar item, the
 * dashboard fed live, and at the end the offer to use the model, honest about how it compares
 * with the model in use and about failures.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { RunConfig, RunEvent, RunOutcome, RunRecord } from '../../core/runs/types';
import { Disposable } from '../dispose';
import { CommandId } from '../ids';
import type { TrainingDashboard } from './dashboard';
import type { CheckedMessage } from './job';
import type { TrainRequest } from './wizard';
import type { JobResult, TrainingWorkerHost } from './worker-host';
import type { JobProblem, TrainingJob } from './worker-protocol';

interface ActiveRun {
  handle: ReturnType<TrainingWorkerHost['start']>;
  record?: RunRecord;
}

export interface RunnerDeps {
  log: vscode.LogOutputChannel;
  dashboard: TrainingDashboard;
  host(): TrainingWorkerHost;
}

export class TrainingRunner extends Disposable {
  private active: ActiveRun | undefined;
  private readonly diagnostics = this._register(
    vscode.languages.createDiagnosticCollection('spanlight-training'),
  );
  private readonly statusItem = this._register(
    vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50),
  );
  private readonly finished = this._register(new vscode.EventEmitter<JobResult>());
  /** Fires when a run ends (tests and scripts wait on it). */
  readonly onDidFinishRun = this.finished.event;

  constructor(private readonly deps: RunnerDeps) {
    super();
    this.statusItem.command = CommandId.ShowTrainingDashboard;
  }

  get busy(): boolean {
    return this.active !== undefined;
  }

  /** The run in progress, as recorded so far. */
  get activeRecord(): RunRecord | undefined {
    return this.active?.record;
  }

  stop(runId?: string): boolean {
    if (!this.active) return false;
    if (runId === undefined || this.active.record?.config.id === runId) this.active.handle.cancel();
    return true;
  }

  async run(job: Omit<TrainingJob, 'jobId'>, request: TrainRequest): Promise<JobResult> {
    const dashboard = this.deps.dashboard;
    dashboard.show();
    this.diagnostics.clear();
    let report: ((message: string, increment?: number) => void) | undefined;
    let lastPercent = 0;
    const handle = this.deps.host().start(job, {
      checked: (check) => this.confirmProblems(check, request),
      runStarted: (config) => {
        if (this.active) this.active.record = { config, events: [] };
        dashboard.post({ type: 'runStarted', config });
        this.setStatus(`$(sync~spin) Spanlight: training ${config.name}`);
      },
      event: (event) => {
        const record = this.active?.record;
        if (!record) return;
        record.events.push(event);
        dashboard.post({ type: 'runEvent', runId: record.config.id, event });
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
    try {
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
    } finally {
      this.active = undefined;
      this.statusItem.hide();
    }
  }

  private async confirmProblems(check: CheckedMessage, request: TrainRequest): Promise<boolean> {
    this.showProblems(check.problems);
    for (const warning of check.warnings) {
      this.deps.log.warn(`training: ${warning}`);
      void vscode.window.showWarningMessage(`Spanlight: ${warning}.`);
    }
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
    const dashboard = this.deps.dashboard;
    if (record) {
      const outcome: RunOutcome =
        result.status === 'finished'
          ? result.outcome
          : {
              status: 'failed',
              finishedAt: new Date().toISOString(),
              epochs: record.events.filter((e) => e.kind === 'epoch').length,
              bestEpoch: 0,
              tokensPerSecond: 0,
              seconds: 0,
              error: result.status === 'failed' ? result.message : 'declined',
            };
      record.outcome = outcome;
      dashboard.post({ type: 'runFinished', runId: record.config.id, outcome });
    }
    await dashboard.postRuns();
    if (result.status === 'failed') {
      this.deps.log.error(`training failed: ${result.message}`);
      dashboard.post({ type: 'notice', level: 'error', message: result.message.split('\n')[0] ?? '' });
      void vscode.window
        .showErrorMessage(`Spanlight: training failed: ${result.message.split('\n')[0]}`, 'Show Output')
        .then((choice) => choice && this.deps.log.show());
      return;
    }
    if (result.status !== 'finished' || !result.outcome.modelFolder) return;
    await this.offerModel(result.outcome, record, request);
  }

  /** The end-of-run message: a failure with its cause, or the offer to use the model, with how it compares. */
  private async offerModel(outcome: RunOutcome, record: RunRecord | undefined, request: TrainRequest) {
    const folder = outcome.modelFolder!;
    const name = path.basename(folder);
    const evaluation = record?.events.filter((e) => e.kind === 'evaluation').at(-1);
    const score =
      evaluation?.kind === 'evaluation'
        ? evaluation.f1 !== undefined
          ? `${evaluation.split} F1 ${(100 * evaluation.f1).toFixed(1)}`
          : `${evaluation.split} accuracy ${(100 * evaluation.accuracy).toFixed(1)}%`
        : '';
    const stopped = outcome.status === 'cancelled' ? 'stopped' : 'trained';
    this.deps.log.info(`${stopped} ${folder} (${outcome.epochs} epochs, ${score})`);
    const use = 'Use Model';
    const dashboardButton = 'Show Dashboard';
    if (outcome.verdict && !outcome.verdict.usable) {
      const message = `Spanlight: training ${name} failed: ${outcome.verdict.message ?? 'the model learned nothing'}.`;
      this.deps.dashboard.post({ type: 'notice', level: 'error', message });
      const choice = await vscode.window.showErrorMessage(message, dashboardButton);
      if (choice) this.deps.dashboard.show();
      return;
    }
    const comparison = outcome.comparison;
    let verdict = '';
    let worse = false;
    if (comparison?.comparable) {
      const f = (m: { score: number }) => (100 * m.score).toFixed(1);
      worse = comparison.change === 'worse';
      const relation = comparison.change === 'same' ? 'as good as' : `${comparison.change} than`;
      verdict = ` It is ${relation} the current model ${comparison.model} on this dev data (${f(comparison.candidate)} vs ${f(comparison.current)}).`;
    } else if (comparison) verdict = ` Not compared with ${comparison.model}: ${comparison.reason}.`;
    const summary = `Spanlight: ${stopped} ${name} (${outcome.epochs} epochs${score ? `, ${score}` : ''}).${verdict}`;
    if (request.useModel) {
      await vscode.commands.executeCommand(CommandId.SelectModel, folder);
      return;
    }
    // A worse model is not offered first: keeping the current one is the default.
    const choice = worse
      ? await vscode.window.showWarningMessage(
          `${summary} Keep the current model?`,
          'Keep Current',
          use,
          dashboardButton,
        )
      : await vscode.window.showInformationMessage(
          `${summary} Use it for highlighting now?`,
          use,
          dashboardButton,
        );
    if (choice === use) await vscode.commands.executeCommand(CommandId.SelectModel, folder);
    else if (choice === dashboardButton) this.deps.dashboard.show();
  }

  private setStatus(text: string): void {
    this.statusItem.text = text;
    this.statusItem.tooltip = 'Spanlight training: show the dashboard';
    this.statusItem.show();
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
