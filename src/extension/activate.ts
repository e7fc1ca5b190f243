/**
 * Activation, on either platform (platform.ts): the Node entry (extension.ts) and the web entry
 * (web/extension.ts) each pass theirs. Nothing here imports Node modules.
 */
import * as vscode from 'vscode';
import { labelColor } from '../core/annotations/schema';
import { AnnotationManager } from './annotations';
import type { SpanlightApi } from './api';
import { registerCommands } from './commands';
import { Config } from './config';
import { EditorController } from './controller';
import type { Ctx } from './ctx';
import { LabelDecorations } from './decorations';
import { USER_DOCUMENTS } from './documents';
import { EntityTreeProvider } from './entity-tree';
import { SpanlightHoverProvider } from './hover';
import { CommandId, OUTPUT_CHANNEL } from './ids';
import { LabelHints } from './label-hints';
import { labelChoices } from './label-picker';
import { ModelManager } from './models';
import type { Platform } from './platform';
import { ReviewController } from './review';
import { StatusBar } from './status-bar';
import { TaggingService } from './tagging';
import { TaskService } from './tasks';
import { TemplatePanelController } from './template/panel';
import { ViewState } from './view-state';
import { WorkspaceIndex } from './workspace-index';

/** Builds the services once; each is disposed with the extension. */
function createCtx(
  extension: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  platform: Platform,
): Ctx {
  const own = <T extends vscode.Disposable>(service: T): T => {
    extension.subscriptions.push(service);
    return service;
  };
  const config = own(new Config());
  const view = own(new ViewState(extension.workspaceState, config));
  const models = own(
    new ModelManager(platform.models(extension), platform.taggers(extension), extension.workspaceState, log),
  );
  const annotations = own(new AnnotationManager(config, log, platform.annotationFiles));
  const tasks = own(new TaskService(extension.workspaceState, annotations, log));
  // Labels keep the colour their task's schema gives them.
  const decorations = own(
    new LabelDecorations((label) =>
      labelColor(
        tasks.allTasks().find((t) => t.labels.some((l) => l.name === label)),
        label,
      ),
    ),
  );
  const tagging = own(new TaggingService(models, tasks, config, view, log));
  const editor = own(new EditorController({ config, view, tasks, tagging, annotations, decorations }));
  const training = own(
    platform.training({ extensionUri: extension.extensionUri, config, log, models, annotations }),
  );
  const template = own(
    new TemplatePanelController({ extensionUri: extension.extensionUri, config, log, models, annotations }),
  );
  const services = {
    extension,
    log,
    config,
    view,
    tasks,
    models,
    tagging,
    annotations,
    decorations,
    editor,
    training,
    template,
  };
  const index = own(new WorkspaceIndex(services));
  const review = own(new ReviewController(services, index));
  const entities = own(new EntityTreeProvider(services, index));
  const loop = platform.loop ? own(platform.loop(services)) : undefined;
  return { ...services, index, review, entities, loop };
}

/** Set while the extension is active: what `deactivate` waits for. */
let flushBeforeExit: (() => Promise<void>) | undefined;

/**
 * Wiring only. Activation stays cheap: TensorFlow and models load lazily on first use (see
 * ModelManager), so nothing heavy is imported here.
 */
export function activateOn(context: vscode.ExtensionContext, platform: Platform): SpanlightApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel(OUTPUT_CHANNEL, { log: true });
  context.subscriptions.push(log);
  try {
    const ctx = createCtx(context, log, platform);
    flushBeforeExit = () => ctx.annotations.flush();
    context.subscriptions.push(
      ctx.tagging.onDidFail(({ task, error }) => {
        log.error(
          `the ${task} model cannot be loaded: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        void vscode.window
          .showErrorMessage(
            `Spanlight: the ${task === 'pos' ? 'POS' : 'entity'} model cannot be loaded: ${error instanceof Error ? error.message : String(error)}`,
            'Select Model…',
            'Show Output',
          )
          .then((choice) => {
            if (choice === 'Select Model…') void vscode.commands.executeCommand(CommandId.SelectModel);
            else if (choice) log.show();
          });
      }),
      ...registerCommands(ctx, platform.commandOverrides),
      vscode.languages.registerHoverProvider(USER_DOCUMENTS, new SpanlightHoverProvider(ctx)),
      registerLabelHints(ctx),
      new StatusBar(ctx),
    );
    void ctx.tasks.ready().then(() => ctx.editor.refreshVisible());
    void warnWhenNoModel(ctx);
    ctx.editor.refreshVisible();
    const activationMs = performance.now() - started;
    log.info(
      `activated in ${activationMs.toFixed(1)} ms on ${platform.name === 'web' ? 'VS Code for the Web (models on the portable backend, in this worker)' : 'Node'} (models load on first use)`,
    );
    return api(ctx, activationMs);
  } catch (error) {
    log.error(
      `activation failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    void vscode.window.showErrorMessage(`Spanlight could not start: ${String(error)}`);
    throw error;
  }
}

/** Label names as inlay hints, in the documents Spanlight decorates. */
function registerLabelHints(ctx: Ctx): vscode.Disposable {
  const hints = new LabelHints(ctx);
  return vscode.Disposable.from(hints, vscode.languages.registerInlayHintsProvider(USER_DOCUMENTS, hints));
}

function api(ctx: Ctx, activationMs: number): SpanlightApi {
  const { decorations, annotations, tagging, editor, index } = ctx;
  const openDocument = (uri: vscode.Uri) =>
    vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  return {
    activationMs,
    drawnLayers: (uri) =>
      Object.fromEntries(
        [...decorations.lastDrawn(uri)].map(([id, spans]) => [
          id,
          spans.map((s): [number, number] => [s.start, s.end]),
        ]),
      ),
    annotations: (uri) => {
      const document = openDocument(uri);
      return document ? [...annotations.annotations(document)] : [];
    },
    suggestions: (uri) => {
      const document = openDocument(uri);
      return document ? tagging.suggestions(document).entities : [];
    },
    onDidRender: decorations.onDidRender,
    whenIdle: (uri) => {
      const document = openDocument(uri);
      return document ? tagging.whenIdle(document) : Promise.resolve();
    },
    flushAnnotations: () => annotations.flush(),
    reviews: (uri) => {
      const document = openDocument(uri);
      return document ? [...annotations.reviews(document)] : [];
    },
    taskOf: (uri) => {
      const document = openDocument(uri);
      return document ? editor.taskOf(document) : undefined;
    },
    labelsOf: (uri) => {
      const document = openDocument(uri);
      return document ? labelChoices(ctx, document).labels : [];
    },
    reviewQueue: async () => {
      await index.ensureScanned();
      return index.queue().map(({ document, sentence }) => ({
        uri: document.uri.toString(),
        start: sentence.start,
        end: sentence.end,
        text: sentence.text,
        score: sentence.score,
      }));
    },
    reviewProgress: async () => {
      await index.ensureScanned();
      return index.progress();
    },
    onDidStartModelUpdate: ctx.loop?.onDidStartUpdate ?? (() => ({ dispose: () => undefined })),
    entityOccurrences: async (task) => {
      await index.ensureScanned();
      return index.occurrences(task).map((o) => ({
        uri: o.document.uri.toString(),
        start: o.start,
        end: o.end,
        label: o.label,
        text: o.text,
        source: o.source,
      }));
    },
  };
}

/** Says once, with a way out, when there is no entity model to tag with. */
async function warnWhenNoModel({ editor, view, models, log }: Ctx) {
  const hasTaggable = vscode.workspace.textDocuments.some((d) => editor.isTaggable(d));
  if (!hasTaggable || view.displayMode === 'off') return;
  if (await models.resolve('entities')) return;
  log.warn(
    'no entity model found: none shipped in models/, none in .spanlight/models/ (trusted workspaces only)',
  );
  const choice = await vscode.window.showWarningMessage(
    'Spanlight: no entity model is available yet.',
    'Select Model…',
  );
  if (choice) await vscode.commands.executeCommand(CommandId.SelectModel);
}

/**
 * VS Code awaits this (for a few seconds) before the extension host exits, so annotation saves
 * still waiting for their debounce are written; `dispose` alone would start them and not wait.
 */
export function deactivate(): Promise<void> | undefined {
  const flush = flushBeforeExit;
  flushBeforeExit = undefined;
  return flush?.();
}
