/**
 * The platform in VS Code for the Web (platform.ts): no Node, no child processes, no native code.
 * Model folders and annotation files are read and written through `vscode.workspace.fs` (the
 * extension's own files through `fetch` where the file system cannot reach them), folders are
 * named by URI strings, and models run in this worker on the portable backend.
 */
import * as vscode from 'vscode';
import { parseAnnotations, serializeAnnotations } from '../../core/annotations/store';
import {
  decodeModel,
  MODEL_FILE,
  ModelFileError,
  type ModelFileReader,
  readModelJson,
} from '../../core/model/format';
import { PortableTagger } from '../../core/model/portable-tagger';
import { tokenizeSentences } from '../../core/tokens';
import type { CommandFactory } from '../commands/command';
import type { Training } from '../ctx';
import { CommandId, type CommandIdValue } from '../ids';
import type { AnnotationFiles, EditorTagger, ModelLocations, Platform, TaggerHost } from '../platform';
import type { BackendChoice, LoadedModel } from '../tagging-process/protocol';
import type { JobHandle } from '../training/worker-host';

/** The shipped models' folder names, written into the web bundle (scripts/build.mjs). */
declare const SPANLIGHT_SHIPPED_MODELS: string[];

/** Said wherever Node would be needed. */
export const WEB_LIMIT =
  'VS Code for the Web runs extensions in the browser, without Node or native code: tagging and annotation work there, on the portable backend';

const uriOf = (location: string) => vscode.Uri.parse(location, true);

/** A file's bytes: through the workspace's file systems, or fetched when it is the extension's own over HTTP. */
async function readBytes(uri: vscode.Uri): Promise<Uint8Array> {
  try {
    return await vscode.workspace.fs.readFile(uri);
  } catch (err) {
    if (uri.scheme !== 'http' && uri.scheme !== 'https') throw err;
    const response = await fetch(uri.toString(true));
    if (!response.ok) throw vscode.FileSystemError.FileNotFound(uri);
    return new Uint8Array(await response.arrayBuffer());
  }
}

const isNotFound = (err: unknown) =>
  err instanceof vscode.FileSystemError
    ? err.code === 'FileNotFound' || err.code === 'EntryNotFound'
    : /not ?found|ENOENT/i.test(String(err));

/** A model folder's files, with the format's size checks (format.ts does the rest). */
function modelReader(folder: string): ModelFileReader {
  return {
    async read(name, { limit, expectedBytes, missing }) {
      let bytes: Uint8Array;
      try {
        bytes = await readBytes(vscode.Uri.joinPath(uriOf(folder), name));
      } catch (err) {
        throw new ModelFileError(folder, isNotFound(err) ? missing : `cannot read ${name} (${String(err)})`);
      }
      if (expectedBytes !== undefined && bytes.length !== expectedBytes) {
        throw new ModelFileError(
          folder,
          `${name} is truncated or corrupt: ${bytes.length} bytes, ${MODEL_FILE} declares ${expectedBytes}`,
        );
      }
      if (bytes.length > limit) throw new ModelFileError(folder, `${name} is larger than a model may be`);
      return bytes;
    },
    async sha256(bytes) {
      const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes);
      return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
    },
  };
}

export function webModelLocations(extension: vscode.ExtensionContext): ModelLocations {
  const shippedRoot = vscode.Uri.joinPath(extension.extensionUri, 'models').toString();
  return {
    shippedRoot,
    workspaceRoot: (folder) => vscode.Uri.joinPath(folder.uri, '.spanlight', 'models').toString(),
    async list(root) {
      try {
        return (await vscode.workspace.fs.readDirectory(uriOf(root)))
          .filter(([name, type]) => type === vscode.FileType.Directory && !name.startsWith('.'))
          .map(([name]) => vscode.Uri.joinPath(uriOf(root), name).toString());
      } catch (err) {
        // The extension's own folder may be reachable only by URL (no directory listing).
        if (root !== shippedRoot) throw err;
        return SPANLIGHT_SHIPPED_MODELS.map((name) => vscode.Uri.joinPath(uriOf(root), name).toString());
      }
    },
    readCard: (folder) => readModelJson(folder, modelReader(folder)),
    baseName: (folder) => uriOf(folder).path.split('/').filter(Boolean).pop() ?? folder,
    isInside: (root, folder) => folder === root || folder.startsWith(`${root.replace(/\/$/, '')}/`),
  };
}

/** A model on the portable backend in this worker, with the tagging process's asynchronous API. */
class LocalTagger implements EditorTagger {
  readonly labels: string[];
  readonly scheme: EditorTagger['scheme'];
  readonly backend = 'portable';
  readonly nativeUnavailable = undefined;
  readonly alive = true;

  constructor(
    readonly folder: string,
    private readonly tagger: PortableTagger,
    readonly timings: LoadedModel['timings'],
  ) {
    this.labels = tagger.labels;
    this.scheme = tagger.scheme;
  }

  tag: EditorTagger['tag'] = async (sentences, options) => this.tagger.tag(sentences, options);

  tagScored: EditorTagger['tagScored'] = async (sentences, options) =>
    this.tagger.tagScored(sentences, options);

  tagTexts: EditorTagger['tagTexts'] = async (texts, options) =>
    this.tagger.tagTexts(texts, tokenizeSentences, options);

  async dispose(): Promise<void> {
    this.tagger.dispose();
  }
}

/** Models load and run in this worker. */
export class LocalTaggerHost implements TaggerHost {
  readonly forkedAt = performance.timeOrigin;

  async load(folder: string): Promise<EditorTagger> {
    let started = performance.now();
    const { card, weights } = await decodeModel(folder, modelReader(folder));
    let tagger: PortableTagger;
    try {
      tagger = new PortableTagger(card, weights);
    } catch (err) {
      throw new ModelFileError(
        folder,
        `the weights do not fit the model's config: ${(err as Error).message}`,
      );
    }
    const modelMs = performance.now() - started;
    started = performance.now();
    tagger.warmUp();
    tagger.cacheCharStates();
    const warmUpMs = performance.now() - started;
    const ready = performance.timeOrigin;
    return new LocalTagger(folder, tagger, {
      processStartedAt: ready,
      hostReadyAt: ready,
      tensorflowMs: 0,
      modelMs,
      warmUpMs,
    });
  }

  async backend(): Promise<BackendChoice> {
    return { backend: 'portable', nativeUnavailable: { reason: WEB_LIMIT, detail: '' } };
  }

  async backendInfo() {
    return { tagging: 'portable' as const, nativeUnavailable: WEB_LIMIT };
  }

  onEvent(): void {}

  dispose(): void {}
}

/** `<folder>/.spanlight/annotations/<path>.jsonl`, through `workspace.fs`; atomic by rename. */
export const webAnnotationFiles: AnnotationFiles = {
  locate(document) {
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    if (!folder) return undefined;
    const relative = vscode.workspace.asRelativePath(document.uri, false).replaceAll('\\', '/');
    return {
      file: vscode.Uri.joinPath(folder.uri, '.spanlight', 'annotations', `${relative}.jsonl`).toString(),
      relative,
      confineTo: vscode.Uri.joinPath(folder.uri, '.spanlight').toString(),
    };
  },
  async load(file, relative) {
    let bytes: Uint8Array;
    try {
      bytes = await vscode.workspace.fs.readFile(uriOf(file));
    } catch (err) {
      if (isNotFound(err)) return { file: { document: relative, annotations: [] }, problems: [] };
      const message = `cannot read: ${String(err)}`;
      return {
        file: { document: relative, annotations: [] },
        problems: [{ path: file, line: 0, message }],
        unwritable: message,
      };
    }
    return parseAnnotations(new TextDecoder().decode(bytes), file);
  },
  async saveOrRemove(location, contents) {
    const target = uriOf(location.file);
    // Nothing to keep: no annotation and no reviewed sentence (a reviewed sentence may have none).
    if (contents.annotations.length === 0 && (contents.reviews ?? []).length === 0) {
      await vscode.workspace.fs.delete(target, { useTrash: false }).then(undefined, (err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
      return;
    }
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(target, '..'));
    const temporary = target.with({ path: `${target.path}.tmp-${crypto.randomUUID().slice(0, 8)}` });
    await vscode.workspace.fs.writeFile(temporary, new TextEncoder().encode(serializeAnnotations(contents)));
    await vscode.workspace.fs.rename(temporary, target, { overwrite: true });
  },
};

/** Training needs native TensorFlow: its commands say where to train instead. */
class WebTraining implements Training {
  private readonly finished = new vscode.EventEmitter<never>();
  readonly onDidFinishRun = this.finished.event;

  private say(): undefined {
    void vscode.window.showInformationMessage(
      `Spanlight: training needs native TensorFlow. ${WEB_LIMIT}; open this folder in desktop VS Code (or a remote window) to train.`,
    );
    return undefined;
  }

  train = async () => this.say();
  retrain = (): JobHandle => ({
    jobId: 'web',
    done: Promise.resolve({
      status: 'failed',
      message: `updating a model needs native TensorFlow. ${WEB_LIMIT}`,
      userError: true,
    }),
    cancel: () => undefined,
  });
  stop = () => void this.say();
  attachLoop = () => undefined;
  showDashboard = () => void this.say();

  dispose(): void {
    this.finished.dispose();
  }
}

/** Commands that write files with Node say so instead. */
const needsNode =
  (what: string): CommandFactory =>
  () =>
  () =>
    void vscode.window.showInformationMessage(`Spanlight: ${what} needs desktop VS Code. ${WEB_LIMIT}.`);

export const webPlatform: Platform = {
  name: 'web',
  models: webModelLocations,
  taggers: () => new LocalTaggerHost(),
  annotationFiles: webAnnotationFiles,
  training: () => new WebTraining(),
  commandOverrides: {
    [CommandId.ExportAnnotations]: needsNode('exporting annotations'),
    [CommandId.UpdateModel]: needsNode('updating a model from annotations'),
    [CommandId.ChooseModelVersion]: needsNode('model versions'),
    [CommandId.CancelModelUpdate]: needsNode('updating a model from annotations'),
    [CommandId.ExtractListingsInFolder]: needsNode('extracting a folder of listings'),
  } satisfies Partial<Record<CommandIdValue, CommandFactory>>,
};
