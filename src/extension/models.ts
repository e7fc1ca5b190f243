/**
 * Which model tags what. Candidates are the shipped models (`<extension>/models/*`), the
 * workspace's `.spanlight/models/*` (trusted workspaces only) and folders the user picks. The
 * choice is remembered per workspace and per task (entities, POS). TensorFlow and the weights load
 * on first use, not at activation.
 */
import * as vscode from 'vscode';
import { modelFitsTask, type TaskDefinition } from '../core/annotations/schema';
import { isFieldLabel } from '../core/extract/fields';
import { Disposable } from './dispose';
import type { EditorTagger, ModelLocations, TaggerHost } from './platform';

/** `listings`: entity models whose labels are all listing-template fields (REF, PRICE, …). */
export type Task = 'entities' | 'pos' | 'listings';
export const TASKS: readonly Task[] = ['entities', 'pos', 'listings'];
/** How each task is named to the user. */
export const TASK_TITLES: Record<Task, string> = { entities: 'entities', pos: 'POS', listings: 'listings' };
export type ModelSource = 'shipped' | 'workspace' | 'picked';

export interface ModelInfo {
  folder: string;
  name: string;
  task: Task;
  /** Entity types (entity models) or tags (POS models). */
  labels: string[];
  source: ModelSource;
  description?: string;
  /** The card's `language` (`en`, `fr,en`), when it says. */
  language?: string;
}

const CHOICE_KEY = 'spanlight.models';
/** Shipped models preferred by default, per task. */
const DEFAULT_SHIPPED: Record<Task, string> = { entities: 'en-ner', pos: 'en-pos', listings: 'real-estate' };

export class UntrustedModelError extends Error {
  constructor(folder: string) {
    super(`${folder}: models from the workspace or picked folders load only in a trusted workspace`);
    this.name = 'UntrustedModelError';
  }
}

/** Reads a model folder's card (model.json without the weights); undefined if it is not a model. */
export async function readModelInfo(
  locations: ModelLocations,
  folder: string,
  source: ModelSource,
): Promise<ModelInfo | undefined> {
  try {
    // Through the model loader's checks: a FIFO or a link to a device as model.json must not hang
    // or flood the extension host while it lists models.
    const card = await locations.readCard(folder);
    if (!card.config || !card.vocabularies) return undefined;
    const tags = card.vocabularies.labels ?? [];
    const labels =
      card.config.task === 'pos'
        ? tags
        : [...new Set(tags.filter((t) => t !== 'O').map((t) => t.replace(/^[BIESLU]-/, '')))].sort();
    // A listing model is an entity model by architecture; its labels say it fills the template.
    const task: Task =
      card.config.task === 'pos'
        ? 'pos'
        : labels.length > 0 && labels.every(isFieldLabel)
          ? 'listings'
          : 'entities';
    return {
      folder,
      name: card.name || locations.baseName(folder),
      task,
      labels,
      source,
      ...(card.description ? { description: card.description } : {}),
      ...(card.language ? { language: card.language } : {}),
    };
  } catch {
    return undefined;
  }
}

async function modelsIn(locations: ModelLocations, root: string, source: ModelSource): Promise<ModelInfo[]> {
  const folders = await locations.list(root).catch(() => []);
  const infos = await Promise.all(folders.map((folder) => readModelInfo(locations, folder, source)));
  return infos.filter((i): i is ModelInfo => i !== undefined).sort((a, b) => a.name.localeCompare(b.name));
}

interface Loaded {
  info: ModelInfo;
  tagger: Promise<EditorTagger>;
}

export class ModelManager extends Disposable {
  /** Loaded models by folder. */
  private readonly loaded = new Map<string, Loaded>();
  private readonly changed = this._register(new vscode.EventEmitter<string>());
  private readonly loadingChanged = this._register(new vscode.EventEmitter<boolean>());
  /** Fires with the task (model task or schema task id) whose model choice changed. */
  readonly onDidChangeModel = this.changed.event;
  /** Fires true when a model starts loading and false when loading ends. */
  readonly onDidChangeLoading = this.loadingChanged.event;
  private loading = 0;
  /**
   * Where models run: on Node, a child process that holds TensorFlow and the weights (never the
   * extension host); on the web, this extension host's worker, on the portable backend.
   */
  readonly taggingProcess: TaggerHost;

  constructor(
    private readonly locations: ModelLocations,
    taggers: TaggerHost,
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.taggingProcess = taggers;
    this.taggingProcess.onEvent((event) => {
      if (event.ok) {
        const t = event.timings;
        this.log.info(
          `${event.folder} now tags on native TensorFlow (loaded when idle: TensorFlow ${Math.round(t.tensorflowMs)} ms, model ${Math.round(t.modelMs)} ms, warm-up ${Math.round(t.warmUpMs)} ms)`,
        );
      } else {
        this.sayNativeUnavailable(event.nativeUnavailable);
      }
    });
    this._register(
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        for (const task of TASKS) this.changed.fire(task);
      }),
    );
  }

  get isLoading(): boolean {
    return this.loading > 0;
  }

  /** Every model Spanlight may use here. */
  async candidates(): Promise<ModelInfo[]> {
    const shipped = await modelsIn(this.locations, this.locations.shippedRoot, 'shipped');
    if (!vscode.workspace.isTrusted) return shipped;
    const workspace = (
      await Promise.all(
        (vscode.workspace.workspaceFolders ?? []).map((f) =>
          modelsIn(this.locations, this.locations.workspaceRoot(f), 'workspace'),
        ),
      )
    ).flat();
    return [...shipped, ...workspace];
  }

  private isShipped(folder: string): boolean {
    return this.locations.isInside(this.locations.shippedRoot, folder);
  }

  private remembered(): Partial<Record<string, string>> {
    return this.state.get<Partial<Record<string, string>>>(CHOICE_KEY, {});
  }

  /** The remembered model folder of a task, when it may still be used here. */
  private async rememberedInfo(task: string): Promise<ModelInfo | undefined> {
    const remembered = this.remembered()[task];
    if (!remembered || !(this.isShipped(remembered) || vscode.workspace.isTrusted)) return undefined;
    const info = await readModelInfo(
      this.locations,
      remembered,
      this.isShipped(remembered) ? 'shipped' : 'picked',
    );
    if (!info)
      this.log.warn(`the remembered ${task} model ${remembered} is gone or changed; using a default`);
    return info;
  }

  /** The preferred of `candidates`: the shipped default of `task`, else any shipped one, else the first. */
  private preferred(candidates: ModelInfo[], task: string): ModelInfo | undefined {
    const name = (TASKS as readonly string[]).includes(task) ? DEFAULT_SHIPPED[task as Task] : '';
    return (
      candidates.find((c) => c.source === 'shipped' && this.locations.baseName(c.folder) === name) ??
      candidates.find((c) => c.source === 'shipped') ??
      candidates[0]
    );
  }

  /** The model that tags `task`: the remembered choice, else a shipped default, else a workspace model. */
  async resolve(task: Task): Promise<ModelInfo | undefined> {
    const remembered = await this.rememberedInfo(task);
    if (remembered?.task === task) return remembered;
    return this.preferred(
      (await this.candidates()).filter((c) => c.task === task),
      task,
    );
  }

  /**
   * The model that tags a schema task's documents in `language`: the one remembered for the task
   * if it fits, else the shipped default, else any fitting model. A model fits when its labels
   * are the task's and its language is the document's (see `modelFitsTask`); none may fit, and
   * then nothing is suggested rather than something wrong.
   */
  async resolveFor(task: TaskDefinition, language: string | undefined): Promise<ModelInfo | undefined> {
    const fits = (info: ModelInfo) =>
      modelFitsTask(
        { kind: info.task === 'pos' ? 'tokens' : 'spans', labels: info.labels, language: info.language },
        task,
        language,
      );
    const remembered = await this.rememberedInfo(task.id);
    if (remembered && fits(remembered)) return remembered;
    return this.preferred((await this.candidates()).filter(fits), task.id);
  }

  /**
   * Remembers `folder` as this workspace's model for `task` (by default the model's own task) and
   * unloads the model it replaces.
   */
  async choose(folder: string, task?: string): Promise<ModelInfo> {
    const shipped = this.isShipped(folder);
    if (!shipped && !vscode.workspace.isTrusted) throw new UntrustedModelError(folder);
    const info = await readModelInfo(this.locations, folder, shipped ? 'shipped' : 'picked');
    if (!info)
      throw new Error(`${folder}: no Spanlight model here (model.json is missing or not a tagger model)`);
    const key = task ?? info.task;
    const choices = this.remembered();
    const previous = choices[key];
    await this.state.update(CHOICE_KEY, { ...choices, [key]: folder });
    if (previous && previous !== folder && !Object.values({ ...choices, [key]: folder }).includes(previous))
      this.unload(previous);
    this.changed.fire(key);
    return info;
  }

  /** The tagger for `task`, loading it on first use; undefined when no model is available. */
  async tagger(task: Task): Promise<{ info: ModelInfo; tagger: EditorTagger } | undefined> {
    const info = await this.resolve(task);
    return info ? { info, tagger: await this.taggerOf(info) } : undefined;
  }

  /** The tagger of a model, loading it on first use (or again, after the tagging process died). */
  async taggerOf(info: ModelInfo): Promise<EditorTagger> {
    let loaded = this.loaded.get(info.folder);
    // The tagging process exited (a crash, say) since this model loaded: load it into a new one.
    if (
      loaded &&
      !(await loaded.tagger.then(
        (t) => t.alive,
        () => true,
      ))
    ) {
      this.log.warn(`the tagging process had exited; reloading ${info.name}`);
      this.loaded.delete(info.folder);
      loaded = undefined;
    }
    if (!loaded) {
      const fresh: Loaded = { info, tagger: this.load(info) };
      this.loaded.set(info.folder, fresh);
      fresh.tagger.catch(() => {
        if (this.loaded.get(info.folder) === fresh) this.loaded.delete(info.folder);
      });
      loaded = fresh;
    }
    return loaded.tagger;
  }

  private async load(info: ModelInfo): Promise<EditorTagger> {
    this.loading++;
    this.loadingChanged.fire(true);
    const started = Date.now();
    try {
      const tagger = await this.taggingProcess.load(info.folder);
      const t = tagger.timings;
      const forkedAt = this.taggingProcess.forkedAt;
      // Where the time went; the first load also pays for starting the process and TensorFlow.
      const processStart =
        t.processStartedAt >= started
          ? `process started ${Math.round(t.processStartedAt - forkedAt)} ms after the fork, its code loaded in ${Math.round(t.hostReadyAt - t.processStartedAt)} ms; `
          : '';
      this.log.info(
        `loaded ${info.task} model ${info.name} from ${info.folder} in ${Date.now() - started} ms on the ${tagger.backend} backend (${processStart}${tagger.backend === 'tensorflow' ? 'TensorFlow' : 'native TensorFlow check'} ${Math.round(t.tensorflowMs)} ms, model ${Math.round(t.modelMs)} ms, warm-up ${Math.round(t.warmUpMs)} ms)`,
      );
      if (tagger.nativeUnavailable) this.sayNativeUnavailable(tagger.nativeUnavailable);
      return tagger;
    } finally {
      this.loading--;
      this.loadingChanged.fire(false);
    }
  }

  /**
   * Why native TensorFlow cannot load here, or undefined when it can (asked of the tagging
   * process: the extension host never loads it). Training needs it; tagging does not.
   */
  async nativeUnavailable(): Promise<{ reason: string; detail: string } | undefined> {
    return (await this.taggingProcess.backend()).nativeUnavailable;
  }

  private saidNativeUnavailable = false;

  /** Once per session: tagging works, on the portable backend; training does not. */
  private sayNativeUnavailable({ reason, detail }: { reason: string; detail: string }): void {
    if (this.saidNativeUnavailable) return;
    this.saidNativeUnavailable = true;
    this.log.warn(`native TensorFlow cannot be loaded: ${reason}${detail ? `\n${detail}` : ''}`);
    void vscode.window
      .showWarningMessage(
        `Spanlight: native TensorFlow cannot be loaded here (${reason}). Highlighting and annotation work on the portable backend, slower on long documents; training needs native TensorFlow.`,
        'Show Details',
      )
      .then((choice) => {
        if (choice) this.log.show();
      });
  }

  private unload(folder: string): void {
    const loaded = this.loaded.get(folder);
    if (!loaded) return;
    this.loaded.delete(folder);
    loaded.tagger.then(
      (t) => t.dispose(),
      () => undefined,
    );
  }

  override dispose(): void {
    for (const folder of [...this.loaded.keys()]) this.unload(folder);
    this.taggingProcess.dispose();
    super.dispose();
  }
}
