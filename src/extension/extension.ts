import * as vscode from 'vscode';
import { AnnotationManager } from './annotations';
import type { SpanlightApi } from './api';
import { registerCommands } from './commands';
import { onConfigChange, readConfig } from './config';
import { EditorController } from './controller';
import { LabelDecorations } from './decorations';
import { EntityTreeProvider } from './entity-tree';
import { exportAnnotations } from './export';
import { SpanlightHoverProvider } from './hover';
import { CommandId, OUTPUT_CHANNEL, ViewId } from './ids';
import { ModelManager } from './models';
import { StatusBar } from './status-bar';
import { TaggingService } from './tagging';
import { TemplatePanelController } from './template/panel';
import { TrainingController } from './training/controller';

/**
 * Wiring only. Activation stays cheap: TensorFlow and models load lazily on first use (see
 * ModelManager), so nothing heavy is imported here.
 */
export function activate(context: vscode.ExtensionContext): SpanlightApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel(OUTPUT_CHANNEL, { log: true });
  context.subscriptions.push(log);
  try {
    const config = readConfig();
    const models = new ModelManager(context.extensionPath, context.workspaceState, log);
    const decorations = new LabelDecorations(config['display.showLabelNames']);
    const annotations = new AnnotationManager(log);
    // The controller decides what is taggable; the tagging service asks it through this closure.
    let controller: EditorController | undefined;
    const tagging = new TaggingService(models, (d) => controller?.isTaggable(d) ?? false, log);
    controller = new EditorController(models, tagging, annotations, decorations);
    const editor = controller;
    context.subscriptions.push(models, decorations, annotations, tagging, controller);
    const training = new TrainingController({
      extensionUri: context.extensionUri,
      log,
      exportAnnotations: async (target) =>
        ((await exportAnnotations(editor, log, { format: 'jsonl', target }))?.sentences ?? 0) > 0,
    });
    context.subscriptions.push(training);
    const template = new TemplatePanelController({
      extensionUri: context.extensionUri,
      log,
      models,
      annotations,
    });
    context.subscriptions.push(template);

    context.subscriptions.push(
      tagging.onDidFail(({ task, error }) => {
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
      onConfigChange((c) => editor.reconfigure(c)),
      ...registerCommands({ controller, log, training, template }),
      vscode.languages.registerHoverProvider(
        [{ scheme: 'file' }, { scheme: 'untitled' }],
        new SpanlightHoverProvider(controller, () => editor.settings['hover.alternatives']),
      ),
    );
    const tree = new EntityTreeProvider(controller);
    context.subscriptions.push(
      tree,
      vscode.window.registerTreeDataProvider(ViewId.Entities, tree),
      new StatusBar(controller),
    );
    void warnWhenNoModel(models, controller, log);
    controller.refreshVisible();
    const activationMs = performance.now() - started;
    log.info(`activated in ${activationMs.toFixed(1)} ms (TensorFlow and models load on first use)`);

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
        const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
        return document ? [...annotations.annotations(document)] : [];
      },
      suggestions: (uri) => {
        const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
        return document ? tagging.suggestions(document).entities : [];
      },
      onDidRender: decorations.onDidRender,
      whenIdle: (uri) => {
        const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
        return document ? tagging.whenIdle(document) : Promise.resolve();
      },
      flushAnnotations: () => annotations.flush(),
    };
  } catch (error) {
    log.error(
      `activation failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    void vscode.window.showErrorMessage(`Spanlight could not start: ${String(error)}`);
    throw error;
  }
}

/** Says once, with a way out, when there is no entity model to tag with. */
async function warnWhenNoModel(
  models: ModelManager,
  controller: EditorController,
  log: vscode.LogOutputChannel,
) {
  const hasTaggable = vscode.workspace.textDocuments.some((d) => controller.isTaggable(d));
  if (!hasTaggable || controller.settings['display.mode'] === 'off') return;
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

export function deactivate(): void {}
