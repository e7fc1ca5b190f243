/**
 * Tasks and label schemas in the editor: each workspace folder's `.spanlight/labels.json` (watched,
 * laid over the built-in tasks), the span task each document is annotated for (chosen per
 * document and remembered in workspace state, or from the schema's `files`, or from the
 * document's annotations), and each document's natural language (for choosing models).
 */
import * as vscode from 'vscode';
import {
  addLabelToSchemaFile,
  BUILTIN_SCHEMA,
  findTask,
  type LabelDefinition,
  type LabelSchema,
  POS_TASK,
  parseLabelSchema,
  SCHEMA_FILE,
  type TaskDefinition,
  taskForDocument,
} from '../core/annotations/schema';
import { writeFileAtomic } from '../core/atomic';
import { detectLanguage } from '../core/tokens/language';
import { spanlightFolder } from '../core/workspace-paths';
import type { AnnotationManager } from './annotations';
import { Disposable } from './dispose';

const CHOSEN_TASKS_KEY = 'spanlight.documentTasks';

/** A file's text, or undefined when there is no (readable) file. Through `workspace.fs`, so on the web too. */
export async function readIfThere(file: vscode.Uri): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
  } catch {
    return undefined;
  }
}

/**
 * Writes a file of a workspace folder's `.spanlight` atomically: on disk with a temp file renamed
 * over it, refused if `.spanlight` leads out of the folder (a symbolic link); elsewhere (VS Code
 * for the Web) the same through `workspace.fs`.
 */
export async function writeTextAtomic(
  folder: vscode.WorkspaceFolder,
  file: vscode.Uri,
  text: string,
): Promise<void> {
  await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(file, '..'));
  if (file.scheme === 'file') {
    await writeFileAtomic(file.fsPath, text, { confineTo: spanlightFolder(folder.uri.fsPath) });
    return;
  }
  const temporary = file.with({ path: `${file.path}.tmp-${Date.now().toString(36)}` });
  await vscode.workspace.fs.writeFile(temporary, new TextEncoder().encode(text));
  await vscode.workspace.fs.rename(temporary, file, { overwrite: true });
}

export class TaskService extends Disposable {
  /** Parsed schemas by workspace folder URI. */
  private readonly schemas = new Map<string, LabelSchema>();
  private readonly languages = new Map<string, { version: number; language: string | undefined }>();
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  /** Fires when a schema or a document's task changes. */
  readonly onDidChange = this.changed.event;
  private readonly problems = this._register(vscode.languages.createDiagnosticCollection('spanlight-labels'));

  constructor(
    private readonly state: vscode.Memento,
    private readonly annotations: AnnotationManager,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    const watcher = this._register(vscode.workspace.createFileSystemWatcher(`**/${SCHEMA_FILE}`));
    const reload = (uri: vscode.Uri) => {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      if (folder) void this.loadSchema(folder).then(() => this.changed.fire());
    };
    this._register(watcher.onDidChange(reload));
    this._register(watcher.onDidCreate(reload));
    this._register(watcher.onDidDelete(reload));
    this._register(
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.schemas.clear();
        void this.ready().then(() => this.changed.fire());
      }),
    );
    this._register(vscode.workspace.onDidCloseTextDocument((d) => this.languages.delete(d.uri.toString())));
  }

  /** Loads every folder's schema (activation awaits nothing: until then the built-in one is used). */
  async ready(): Promise<void> {
    await Promise.all((vscode.workspace.workspaceFolders ?? []).map((f) => this.loadSchema(f)));
  }

  /** A workspace folder's labels.json. */
  schemaFile(folder: vscode.WorkspaceFolder): vscode.Uri {
    return vscode.Uri.joinPath(folder.uri, ...SCHEMA_FILE.split('/'));
  }

  private async loadSchema(folder: vscode.WorkspaceFolder): Promise<void> {
    const file = this.schemaFile(folder);
    const content = await readIfThere(file);
    if (content === undefined) {
      this.schemas.set(folder.uri.toString(), BUILTIN_SCHEMA);
      this.problems.delete(file);
      return;
    }
    const { schema, problems } = parseLabelSchema(content, vscode.workspace.asRelativePath(file));
    this.schemas.set(folder.uri.toString(), schema);
    for (const p of problems) this.log.warn(`${p.path}:${p.line}: ${p.message}`);
    this.problems.set(
      file,
      problems.map((p) => {
        const line = Math.max(0, p.line - 1);
        return new vscode.Diagnostic(
          new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER),
          p.message,
          vscode.DiagnosticSeverity.Warning,
        );
      }),
    );
  }

  /** The schema that applies to a document (its folder's, else the built-in one). */
  schemaFor(document: vscode.TextDocument | vscode.Uri): LabelSchema {
    const uri = document instanceof vscode.Uri ? document : document.uri;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return (folder && this.schemas.get(folder.uri.toString())) ?? BUILTIN_SCHEMA;
  }

  /** Every task any folder's schema defines, first definition of an id first. */
  allTasks(): TaskDefinition[] {
    const seen = new Map<string, TaskDefinition>();
    for (const schema of [...this.schemas.values(), BUILTIN_SCHEMA])
      for (const task of schema.tasks) if (!seen.has(task.id)) seen.set(task.id, task);
    return [...seen.values()];
  }

  private chosenTasks(): Record<string, string> {
    return this.state.get<Record<string, string>>(CHOSEN_TASKS_KEY, {});
  }

  /**
   * The span task a document is annotated for (see `taskForDocument`). For a document that is not
   * open, `annotatedTasks` are the tasks of its stored annotations.
   */
  spanTask(document: vscode.TextDocument | vscode.Uri, annotatedTasks?: readonly string[]): TaskDefinition {
    const uri = document instanceof vscode.Uri ? document : document.uri;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const relative = folder ? vscode.workspace.asRelativePath(uri, false) : undefined;
    const tasks =
      annotatedTasks ??
      (document instanceof vscode.Uri
        ? []
        : [...new Set(this.annotations.annotations(document).map((a) => a.task))]);
    return taskForDocument(this.schemaFor(uri), relative, {
      chosen: this.chosenTasks()[uri.toString()],
      annotatedTasks: tasks,
    });
  }

  /** The token (POS) task of a document's schema. */
  posTask(document: vscode.TextDocument | vscode.Uri): TaskDefinition {
    const schema = this.schemaFor(document);
    return (
      findTask(schema, POS_TASK) ??
      schema.tasks.find((t) => t.kind === 'tokens') ??
      findTask(BUILTIN_SCHEMA, POS_TASK)!
    );
  }

  /** The task chosen for a document by hand (Choose Task, Extract Listing), if any. */
  chosenTask(document: vscode.Uri): string | undefined {
    return this.chosenTasks()[document.toString()];
  }

  /** Remembers the span task of a document (undefined: back to the automatic choice). */
  async chooseTask(document: vscode.Uri, task: string | undefined): Promise<void> {
    const chosen = { ...this.chosenTasks() };
    if (task === undefined) delete chosen[document.toString()];
    else chosen[document.toString()] = task;
    await this.state.update(CHOSEN_TASKS_KEY, chosen);
    this.changed.fire();
  }

  /** The document's natural language (detected; then the task's first language, if it names one). */
  languageOf(document: vscode.TextDocument): string | undefined {
    const key = document.uri.toString();
    const cached = this.languages.get(key);
    if (cached?.version === document.version) return cached.language;
    const language = detectLanguage(document.getText()) ?? this.spanTask(document).languages?.[0];
    this.languages.set(key, { version: document.version, language });
    return language;
  }

  /**
   * Adds a label to a task in the document's folder's labels.json (creating the file with the
   * built-in task's labels when there is none). Refuses to rewrite a file that is not valid JSON.
   */
  async addLabel(document: vscode.TextDocument, taskId: string, label: LabelDefinition): Promise<void> {
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    if (!folder) throw new Error('open the document in a workspace folder to add labels to its schema');
    const file = this.schemaFile(folder);
    const content = await readIfThere(file);
    if (content !== undefined) {
      try {
        JSON.parse(content);
      } catch (err) {
        throw new Error(`${SCHEMA_FILE} is not valid JSON (${(err as Error).message}); fix it first`);
      }
    }
    await writeTextAtomic(folder, file, addLabelToSchemaFile(content, taskId, label));
    await this.loadSchema(folder);
    this.changed.fire();
  }
}
