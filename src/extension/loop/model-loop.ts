/**
 * The model-in-the-loop in the editor: after every `loop.retrainEvery` newly reviewed sentences
 * of a task (or on "Update Model from Annotations"), the model in use is fine-tuned on all the
 * task's reviewed sentences in the training worker (core/loop/retrain.ts), judged on held-out
 * reviewed sentences (or the `loop.devFiles`), kept only if not worse, then swapped into the
 * tagging process so the open documents' suggestions refresh. Every version stays in
 * `.spanlight/models/<task>/` with its card and score (core/loop/versions.ts); the user can go
 * back to any of them. Progress shows in the status bar, where a click cancels.
 *
 * This (extension host) side owns the version history; the worker only trains candidates.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { LoopCurve } from '../../../webview/protocol';
import type { TaskDefinition } from '../../core/annotations/schema';
import { listAnnotationFiles, loadAnnotationFile } from '../../core/annotations/store';
import { MIN_REVIEWED_SENTENCES, type RetrainRequest } from '../../core/loop/retrain';
import {
  adoptModel,
  currentVersion,
  type KeepDecision,
  type ModelVersion,
  nextVersionNumber,
  readVersionHistory,
  recordRetrain,
  reviewedAtLastRetrain,
  startHistory,
  useVersion,
  type VersionHistory,
  versionAt,
  versionFolder,
} from '../../core/loop/versions';
import { assertSpanlightWrite } from '../../core/workspace-paths';
import type { Services } from '../ctx';
import { Disposable } from '../dispose';
import { reviewedSentencesOf } from '../export';
import { CommandId } from '../ids';
import type { JobHandle } from '../training/worker-host';

/** Where a task's versions live in a workspace folder. */
export function taskModelsFolder(folder: vscode.WorkspaceFolder, task: string): string {
  return path.join(folder.uri.fsPath, '.spanlight', 'models', task);
}

/** One task of one workspace folder: what the loop keeps apart. */
interface LoopTarget {
  folder: vscode.WorkspaceFolder;
  task: TaskDefinition;
  /** The language of the document that asked (to find the model in use, as the editor does). */
  language: string | undefined;
}

export type UpdateOutcome =
  | { status: 'kept'; version: ModelVersion; decision: KeepDecision; swapMs: number }
  | { status: 'rejected'; decision: KeepDecision }
  | { status: 'cancelled' }
  | { status: 'failed'; message: string }
  | { status: 'skipped'; message: string };

/** A retrain in progress, for the status bar and Cancel. */
interface Running {
  key: string;
  task: string;
  handle: JobHandle | undefined;
  cancelled: boolean;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
/** A version's held-out figure as the user reads it (`F1 81.2`). */
export const scoreText = (score: { f1?: number; accuracy: number } | undefined): string =>
  score
    ? score.f1 !== undefined
      ? `F1 ${(100 * score.f1).toFixed(1)}`
      : `accuracy ${(100 * score.accuracy).toFixed(1)}%`
    : 'not scored yet';

export class ModelLoop extends Disposable {
  private readonly status = this._register(
    vscode.window.createStatusBarItem('spanlight.loop', vscode.StatusBarAlignment.Left, 39),
  );
  private readonly changed = this._register(new vscode.EventEmitter<{ taskFolder: string }>());
  /** Fires after a task's version history changed (a retrain was recorded, a version chosen). */
  readonly onDidChangeVersions = this.changed.event;
  private readonly finished = this._register(new vscode.EventEmitter<UpdateOutcome>());
  /** Fires when an update ends, however it ends (tests and the e2e wait on it). */
  readonly onDidFinishUpdate = this.finished.event;
  private readonly started = this._register(new vscode.EventEmitter<{ task: string; reviewed: number }>());
  /** Fires when an update starts training. */
  readonly onDidStartUpdate = this.started.event;
  private running: Running | undefined;
  /** Reviewed-sentence counts of closed documents, per folder, from their annotation files (read once). */
  private readonly stored = new Map<string, Promise<Map<string, Map<string, number>>>>();
  /** Reviewed sentences per task at the last update that was cancelled (so it does not restart at once). */
  private readonly cancelledAt = new Map<string, number>();
  private checkTimer: NodeJS.Timeout | undefined;
  private readonly pendingChecks = new Set<string>();

  constructor(private readonly ctx: Services) {
    super();
    this.status.name = 'Spanlight Model Update';
    this.status.command = CommandId.CancelModelUpdate;
    this._register(ctx.annotations.onDidChangeAnnotations((uri) => this.scheduleCheck(uri)));
  }

  get isUpdating(): boolean {
    return this.running !== undefined;
  }

  private keyOf(target: Pick<LoopTarget, 'folder' | 'task'>): string {
    return `${target.folder.uri.toString()}#${target.task.id}`;
  }

  /** After a burst of review actions, once: has any task reached `loop.retrainEvery`? */
  private scheduleCheck(uri: vscode.Uri): void {
    if (this.ctx.config.get('loop.retrainEvery') <= 0 || uri.scheme !== 'file') return;
    this.pendingChecks.add(uri.toString());
    if (this.checkTimer) clearTimeout(this.checkTimer);
    this.checkTimer = setTimeout(() => {
      this.checkTimer = undefined;
      const uris = [...this.pendingChecks];
      this.pendingChecks.clear();
      void this.checkAll(uris).catch((error) => this.ctx.log.warn(`model update check: ${String(error)}`));
    }, 500);
  }

  private async checkAll(uris: string[]): Promise<void> {
    for (const key of uris) {
      const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
      const folder = document && vscode.workspace.getWorkspaceFolder(document.uri);
      if (!document || !folder || !this.ctx.annotations.isLoaded(document)) continue;
      const task = this.ctx.tasks.spanTask(document);
      await this.maybeUpdate({ folder, task, language: this.ctx.tasks.languageOf(document) });
    }
  }

  /**
   * The task's reviewed sentences in a folder: open documents from the editor, closed ones from
   * their annotation files (read once; a closed file changes only through the editor).
   */
  async reviewedCount(folder: vscode.WorkspaceFolder, task: string): Promise<number> {
    const key = folder.uri.toString();
    let stored = this.stored.get(key);
    if (!stored) {
      stored = this.readStoredCounts(folder);
      this.stored.set(key, stored);
    }
    const counts = await stored;
    for (const document of vscode.workspace.textDocuments) {
      if (vscode.workspace.getWorkspaceFolder(document.uri)?.uri.toString() !== key) continue;
      if (!this.ctx.annotations.isLoaded(document)) continue;
      const byTask = new Map<string, number>();
      for (const r of this.ctx.annotations.reviews(document))
        byTask.set(r.task, (byTask.get(r.task) ?? 0) + 1);
      counts.set(document.uri.fsPath, byTask);
    }
    let total = 0;
    for (const byTask of counts.values()) total += byTask.get(task) ?? 0;
    return total;
  }

  private async readStoredCounts(folder: vscode.WorkspaceFolder): Promise<Map<string, Map<string, number>>> {
    const counts = new Map<string, Map<string, number>>();
    for (const file of await listAnnotationFiles(folder.uri.fsPath)) {
      const { file: parsed } = await loadAnnotationFile(file);
      const byTask = new Map<string, number>();
      for (const r of parsed.reviews ?? []) byTask.set(r.task, (byTask.get(r.task) ?? 0) + 1);
      counts.set(path.join(folder.uri.fsPath, ...parsed.document.split('/')), byTask);
    }
    return counts;
  }

  private async historyOf(target: LoopTarget): Promise<VersionHistory> {
    return readVersionHistory(taskModelsFolder(target.folder, target.task.id), target.task.id);
  }

  /** Starts an update when `loop.retrainEvery` sentences were reviewed since the last one. */
  private async maybeUpdate(target: LoopTarget): Promise<void> {
    const every = this.ctx.config.get('loop.retrainEvery');
    if (every <= 0 || this.running || target.task.kind !== 'spans') return;
    if (!vscode.workspace.isTrusted) return;
    const reviewed = await this.reviewedCount(target.folder, target.task.id);
    const history = await this.historyOf(target).catch(() => undefined);
    if (!history) return;
    const since = Math.max(reviewedAtLastRetrain(history), this.cancelledAt.get(this.keyOf(target)) ?? 0);
    if (reviewed - since < every || reviewed < MIN_REVIEWED_SENTENCES) return;
    this.ctx.log.info(
      `${target.task.id}: ${reviewed - since} sentences reviewed since the last model update (loop.retrainEvery ${every}); updating the model`,
    );
    void this.update(target, { automatic: true });
  }

  /**
   * Fine-tunes the task's model in use on its reviewed sentences, keeps it if not worse and swaps
   * it in. `automatic` updates speak in the status bar; asked-for ones also in a notification.
   */
  async update(
    target: LoopTarget,
    options: { automatic?: boolean; devFiles?: string[] } = {},
  ): Promise<UpdateOutcome> {
    const outcome = await this.runUpdate(target, options).catch(
      (error): UpdateOutcome => ({
        status: 'failed',
        message: error instanceof Error ? error.message : String(error),
      }),
    );
    this.report(target, outcome, options.automatic ?? false);
    this.finished.fire(outcome);
    return outcome;
  }

  private async runUpdate(
    target: LoopTarget,
    options: { automatic?: boolean; devFiles?: string[] },
  ): Promise<UpdateOutcome> {
    if (this.running)
      return {
        status: 'skipped',
        message: `the ${this.running.task} model is being updated; wait for it or cancel it`,
      };
    if (!vscode.workspace.isTrusted)
      return { status: 'skipped', message: 'models are updated only in a trusted workspace' };
    if (target.task.kind !== 'spans')
      return {
        status: 'skipped',
        message: `${target.task.id} is not a span task; only span tasks have reviewed sentences`,
      };
    const key = this.keyOf(target);
    const running: Running = { key, task: target.task.id, handle: undefined, cancelled: false };
    this.running = running;
    this.showStatus(`$(sync~spin) ${target.task.id} model: reading reviewed sentences…`, target);
    try {
      const taskFolder = taskModelsFolder(target.folder, target.task.id);
      // Versions, the candidate and versions.json are written below it: never through a link out.
      await assertSpanlightWrite([target.folder.uri.fsPath], taskFolder);
      const { sentences, problems, misaligned } = await reviewedSentencesOf(
        this.ctx.annotations,
        target.folder,
        target.task.id,
      );
      for (const p of problems) this.ctx.log.warn(`model update: ${p}`);
      if (sentences.length < MIN_REVIEWED_SENTENCES)
        return {
          status: 'skipped',
          message: `${plural(sentences.length, 'reviewed sentence')} of ${target.task.id}${misaligned > 0 ? ` (${misaligned} more with spans off token boundaries)` : ''}: review at least ${MIN_REVIEWED_SENTENCES} to update the model`,
        };
      if (running.cancelled) return { status: 'cancelled' };
      const model = await this.ctx.models.resolveFor(target.task, target.language);
      let history = await readVersionHistory(taskFolder, target.task.id);
      // The model in use is the base: a version of the history, or a model the user chose since
      // (copied in as a version of its own, so going back to it always works).
      if (model && !versionAt(taskFolder, history, model.folder)) {
        history =
          history.versions.length === 0
            ? await startHistory(taskFolder, target.task.id, model)
            : await adoptModel(taskFolder, history, model);
        this.changed.fire({ taskFolder });
      } else if (model) {
        const inUse = versionAt(taskFolder, history, model.folder)!;
        if (inUse.version !== history.current) history = await useVersion(taskFolder, history, inUse.version);
      }
      const base = currentVersion(history);
      const devFiles = (options.devFiles ?? this.ctx.config.get('loop.devFiles')).map((f) =>
        path.resolve(target.folder.uri.fsPath, f),
      );
      for (const file of devFiles)
        if (!fs.existsSync(file))
          return {
            status: 'failed',
            message: `the dev file ${file} (spanlight.loop.devFiles) does not exist`,
          };
      const request: RetrainRequest = {
        task: target.task.id,
        taskFolder,
        version: nextVersionNumber(history),
        ...(base ? { base: { folder: versionFolder(taskFolder, base), version: base.version } } : {}),
        kind: 'entities',
        reviewed: sentences.map((s) => ({ key: s.key, tokens: s.tokens, tags: s.tags })),
        ...(devFiles.length > 0 ? { devFiles } : {}),
      };
      if (running.cancelled) return { status: 'cancelled' };
      this.started.fire({ task: target.task.id, reviewed: sentences.length });
      const baseName = base ? `v${base.version}` : 'a new model';
      this.showStatus(
        `$(sync~spin) ${target.task.id} model: training from ${baseName} on ${sentences.length} reviewed…`,
        target,
      );
      const handle = this.ctx.training.retrain(request, {
        event: (event) => {
          if (event.kind === 'step' || event.kind === 'epoch') {
            const epochs =
              event.kind === 'step'
                ? ` epoch ${event.epoch}, step ${event.step}/${event.stepsPerEpoch}`
                : ` epoch ${event.epoch} done`;
            this.showStatus(`$(sync~spin) ${target.task.id} model v${request.version}:${epochs}`, target);
          }
        },
      });
      running.handle = handle;
      if (running.cancelled) handle.cancel();
      const result = await handle.done;
      // Cancelled before the job started (declined), while it trained, or just after it ended.
      if (running.cancelled || (result.status === 'retrained' && !result.result)) {
        if (result.status === 'retrained' && result.result)
          await fs.promises.rm(result.result.folder, { recursive: true, force: true });
        return { status: 'cancelled' };
      }
      if (result.status === 'failed') return { status: 'failed', message: result.message };
      if (result.status !== 'retrained' || !result.result)
        return { status: 'failed', message: `the training worker ended the job (${result.status})` };
      const recorded = await recordRetrain(taskFolder, history, result.result);
      this.changed.fire({ taskFolder });
      if (!recorded.version) return { status: 'rejected', decision: recorded.decision };
      this.showStatus(`$(sync~spin) ${target.task.id} model v${recorded.version.version}: loading…`, target);
      const swapMs = await this.swapIn(target, versionFolder(taskFolder, recorded.version));
      return { status: 'kept', version: recorded.version, decision: recorded.decision, swapMs };
    } finally {
      if (running.cancelled)
        this.cancelledAt.set(key, await this.reviewedCount(target.folder, target.task.id));
      this.running = undefined;
      this.status.hide();
    }
  }

  /**
   * Makes a model folder the task's model and waits until the visible documents of the task are
   * tagged with it: the time from the swap to refreshed suggestions.
   */
  private async swapIn(target: LoopTarget, folder: string): Promise<number> {
    const started = performance.now();
    await this.ctx.models.choose(folder, target.task.id);
    const visible = vscode.window.visibleTextEditors
      .map((e) => e.document)
      .filter((d) => this.ctx.editor.isTaggable(d) && this.ctx.tasks.spanTask(d).id === target.task.id);
    for (const document of visible) this.ctx.tagging.schedule(document, 0);
    await Promise.all(visible.map((d) => this.ctx.tagging.whenIdle(d)));
    return Math.round(performance.now() - started);
  }

  private showStatus(text: string, target: LoopTarget): void {
    this.status.text = text;
    this.status.tooltip = `Spanlight is updating the ${target.task.id} model from your reviewed sentences in the training worker. Click to cancel.`;
    this.status.show();
  }

  private report(target: LoopTarget, outcome: UpdateOutcome, automatic: boolean): void {
    const task = target.task.id;
    let message: string;
    switch (outcome.status) {
      case 'kept':
        message = `${task} model v${outcome.version.version} is in use: ${outcome.decision.reason}. Suggestions refreshed in ${outcome.swapMs} ms.`;
        break;
      case 'rejected':
        message = `the updated ${task} model was not kept: ${outcome.decision.reason}.`;
        break;
      case 'cancelled':
        message = `the ${task} model update was cancelled; the model in use is unchanged.`;
        break;
      case 'failed':
        message = `the ${task} model could not be updated: ${outcome.message}`;
        break;
      case 'skipped':
        message = outcome.message;
        break;
    }
    this.ctx.log.info(`model update: ${message}`);
    if (automatic) {
      if (outcome.status === 'failed') void vscode.window.showWarningMessage(`Spanlight: ${message}`);
      else if (outcome.status !== 'skipped')
        vscode.window.setStatusBarMessage(`$(check) Spanlight: ${message}`, 8000);
      return;
    }
    if (outcome.status === 'kept')
      void vscode.window.showInformationMessage(`Spanlight: ${message}`, 'Go Back…').then((choice) => {
        if (choice) void vscode.commands.executeCommand(CommandId.ChooseModelVersion);
      });
    else if (outcome.status === 'failed') void vscode.window.showErrorMessage(`Spanlight: ${message}`);
    else void vscode.window.showInformationMessage(`Spanlight: ${message}`);
  }

  /** Cancels the update in progress; false when there is none. */
  cancel(): boolean {
    const running = this.running;
    if (!running) return false;
    running.cancelled = true;
    running.handle?.cancel();
    this.status.text = `$(sync~spin) ${running.task} model: cancelling…`;
    return true;
  }

  /** The version histories of every task that has one, per workspace folder (the dashboard's loop chart). */
  async histories(): Promise<
    Array<{ folder: vscode.WorkspaceFolder; taskFolder: string; history: VersionHistory }>
  > {
    const found: Array<{ folder: vscode.WorkspaceFolder; taskFolder: string; history: VersionHistory }> = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const root = path.join(folder.uri.fsPath, '.spanlight', 'models');
      const entries = await fs.promises.readdir(root, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        if (!entry.isDirectory()) continue;
        const taskFolder = path.join(root, entry.name);
        const history = await readVersionHistory(taskFolder, entry.name).catch(() => undefined);
        if (history && history.versions.length > 0) found.push({ folder, taskFolder, history });
      }
    }
    return found;
  }

  /** Each task's versions and retrains not kept, for the dashboard's loop chart. */
  async curves(): Promise<LoopCurve[]> {
    const scoreOf = (s: { f1?: number; accuracy: number }) => s.f1 ?? s.accuracy;
    return (await this.histories()).map(({ history }) => ({
      task: history.task,
      versions: history.versions.flatMap((v) =>
        v.heldOut
          ? [
              {
                version: v.version,
                // What it learned from: the model you started with learned from none of them.
                reviewed: v.origin.kind === 'start' ? 0 : v.reviewedSentences,
                score: scoreOf(v.heldOut),
                current: v.version === history.current,
              },
            ]
          : [],
      ),
      rejected: history.rejected.map((r) => ({ reviewed: r.reviewedSentences, score: scoreOf(r.heldOut) })),
    }));
  }

  /** Makes a version the one in use and swaps it in; resolves when the suggestions are refreshed. */
  async useVersion(
    folder: vscode.WorkspaceFolder,
    task: TaskDefinition,
    version: number,
  ): Promise<{ version: ModelVersion; swapMs: number }> {
    const taskFolder = taskModelsFolder(folder, task.id);
    await assertSpanlightWrite([folder.uri.fsPath], taskFolder);
    const history = await useVersion(taskFolder, await readVersionHistory(taskFolder, task.id), version);
    const chosen = currentVersion(history)!;
    const swapMs = await this.swapIn(
      { folder, task, language: undefined },
      versionFolder(taskFolder, chosen),
    );
    this.changed.fire({ taskFolder });
    return { version: chosen, swapMs };
  }

  override dispose(): void {
    this.cancel();
    if (this.checkTimer) clearTimeout(this.checkTimer);
    super.dispose();
  }
}
