/**
 * The workspace's documents as the Review queue and the Entities view see them: for each text
 * file of the scope (the workspace, or one folder), its span task, its sentences with the model's
 * suggestions and uncertainty, its annotations and which sentences are reviewed. Open documents
 * are read from the editor (unsaved text and annotations included), the others from disk and
 * their annotation files. Built on first use, with progress, then kept up to date per document.
 */
import * as vscode from 'vscode';
import { type Annotation, REJECTED_LABEL, type SentenceReview } from '../core/annotations/annotation-set';
import { visibleSuggestions } from '../core/annotations/layers';
import type { RegionSentence } from '../core/annotations/regions';
import { documentSentences, isSentenceReviewed, type ReviewProgress } from '../core/annotations/review';
import type { EntitySuggestion } from '../core/annotations/suggestions';
import { TaggingCancelled } from '../core/annotations/suggestions';
import { byUncertainty, sentenceCertainty, uncertaintyScore } from '../core/annotations/uncertainty';
import { repeatKey } from '../core/loop/uncertainty';
import { detectLanguage } from '../core/tokens/language';
import type { Services } from './ctx';
import { Disposable } from './dispose';
import { readIfThere } from './tasks';

export interface IndexedSentence extends RegionSentence {
  reviewed: boolean;
  /** Uncertainty of the model about the sentence (higher: less sure; `review.uncertainty`); 0 without a model. */
  score: number;
  /** How sure the model is per word, 0–1 (geometric mean probability of its tags); undefined without a model. */
  certainty?: number;
  /** Suggestions the annotator sees (not covered by an annotation, not below the minimum confidence). */
  suggestions: EntitySuggestion[];
}

export interface IndexedDocument {
  uri: vscode.Uri;
  /** Path relative to its workspace folder, `/`-separated. */
  relative: string;
  task: string;
  language: string | undefined;
  model: string | undefined;
  /** The text the index was made from (offsets refer to it). */
  text: string;
  sentences: IndexedSentence[];
  /** Annotations of the document's task. */
  annotations: Annotation[];
}

/** One unreviewed sentence in the queue. */
export interface QueueItem {
  document: IndexedDocument;
  sentence: IndexedSentence;
}

/** Where an entity occurs: an annotation, or a suggestion the annotator sees. */
export interface Occurrence {
  document: IndexedDocument;
  start: number;
  end: number;
  label: string;
  text: string;
  source: 'annotated' | 'accepted' | 'suggested';
  confidence?: number;
}

const EXCLUDE = '**/{node_modules,.git,.spanlight,out,dist}/**';

export class WorkspaceIndex extends Disposable {
  private readonly documents = new Map<string, IndexedDocument>();
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  /** Fires after the index changed (a scan finished or a document was updated). */
  readonly onDidChange = this.changed.event;
  private scanning: Promise<void> | undefined;
  private scanRun: AbortController | undefined;
  private scanned = false;
  private pending = new Map<string, NodeJS.Timeout>();
  /** Each document's latest re-read: an older one finishing later must not overwrite it. */
  private readonly latestRead = new Map<string, Promise<void>>();
  /** The folder the index covers; undefined: the whole workspace. */
  private scopeFolder: vscode.Uri | undefined;
  /** Set when the scan stopped at `review.maxFiles`. */
  truncated = 0;

  constructor(private readonly ctx: Services) {
    super();
    this._register(ctx.annotations.onDidChangeAnnotations((uri) => this.schedule(uri)));
    this._register(vscode.workspace.onDidSaveTextDocument((d) => this.schedule(d.uri)));
    this._register(ctx.tagging.onDidChangeSuggestions((uri) => this.schedule(uri)));
    this._register(ctx.tasks.onDidChange(() => this.invalidate()));
    this._register(ctx.models.onDidChangeModel(() => this.invalidate()));
    this._register(ctx.config.onDidChange(() => this.invalidate()));
  }

  get isScanned(): boolean {
    return this.scanned;
  }

  get scope(): vscode.Uri | undefined {
    return this.scopeFolder;
  }

  /** Narrows the index to a folder (undefined: the whole workspace) and scans again. */
  async setScope(folder: vscode.Uri | undefined): Promise<void> {
    this.scopeFolder = folder;
    this.invalidate();
    await this.ensureScanned();
  }

  /** Scans the scope once (later calls wait for the same scan). */
  ensureScanned(): Promise<void> {
    if (this.scanned) return Promise.resolve();
    this.scanning ??= this.scan().finally(() => {
      this.scanning = undefined;
    });
    return this.scanning;
  }

  /** Forgets everything; the next use scans again (now, if something was already scanned). */
  private invalidate(): void {
    const wasScanned = this.scanned || this.scanning !== undefined;
    this.scanRun?.abort();
    this.scanned = false;
    this.scanning = undefined;
    this.documents.clear();
    if (wasScanned) void this.ensureScanned().then(() => this.changed.fire());
  }

  private inScope(uri: vscode.Uri): boolean {
    if (!vscode.workspace.getWorkspaceFolder(uri)) return false;
    if (!this.scopeFolder) return true;
    const scope = this.scopeFolder.toString().replace(/\/?$/, '/');
    return uri.toString().startsWith(scope);
  }

  private async scan(): Promise<void> {
    const run = new AbortController();
    this.scanRun = run;
    const pattern = this.scopeFolder
      ? new vscode.RelativePattern(this.scopeFolder, this.ctx.config.get('review.files'))
      : this.ctx.config.get('review.files');
    const limit = this.ctx.config.get('review.maxFiles');
    const found = await vscode.workspace.findFiles(pattern, EXCLUDE, limit + 1);
    const files = found.sort((a, b) => a.path.localeCompare(b.path)).slice(0, limit);
    this.truncated = Math.max(0, found.length - limit);
    await vscode.window.withProgress(
      { location: { viewId: 'spanlight.review' }, title: 'Spanlight: reading the workspace' },
      async () => {
        for (const uri of files) {
          if (run.signal.aborted) return;
          try {
            const indexed = await this.read(uri, run.signal);
            if (indexed) this.documents.set(uri.toString(), indexed);
          } catch (error) {
            if (error instanceof TaggingCancelled) return;
            this.ctx.log.warn(`review: ${vscode.workspace.asRelativePath(uri)}: ${String(error)}`);
          }
        }
      },
    );
    if (run.signal.aborted) return;
    this.scanned = true;
    this.changed.fire();
  }

  /** Re-reads one document soon (coalescing bursts of edits and redraws). */
  private schedule(uri: vscode.Uri): void {
    if (!this.scanned || !this.inScope(uri)) return;
    const key = uri.toString();
    const timer = this.pending.get(key);
    if (timer) clearTimeout(timer);
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        void this.update(uri);
      }, 300),
    );
  }

  /**
   * Re-reads one document now. A read waits for tagging, so reads of one document can finish out
   * of order (a scheduled one started before an accept, the accept's own after it): only the
   * latest one is kept, and an older one returns when the latest is in.
   */
  async update(uri: vscode.Uri): Promise<void> {
    if (!this.inScope(uri)) return;
    const key = uri.toString();
    const timer = this.pending.get(key);
    if (timer) clearTimeout(timer);
    this.pending.delete(key);
    const read = this.read(uri).then(
      (indexed) => {
        if (this.latestRead.get(key) !== read) return;
        if (indexed) this.documents.set(key, indexed);
        else this.documents.delete(key);
      },
      (error: unknown) =>
        this.ctx.log.warn(`review: ${vscode.workspace.asRelativePath(uri)}: ${String(error)}`),
    );
    this.latestRead.set(key, read);
    await read;
    // Superseded meanwhile: wait for the newer read, so the caller sees the document as it is now.
    while (this.latestRead.get(key) !== read) {
      const newer = this.latestRead.get(key);
      if (!newer) break;
      await newer;
      if (this.latestRead.get(key) === newer) break;
    }
    if (this.latestRead.get(key) === read) this.latestRead.delete(key);
    this.changed.fire();
  }

  /** One document, read from the editor if it is open, else from its file (`workspace.fs`). */
  private async read(uri: vscode.Uri, signal?: AbortSignal): Promise<IndexedDocument | undefined> {
    if (!vscode.workspace.getWorkspaceFolder(uri)) return undefined;
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    let text: string;
    let annotations: readonly Annotation[];
    let reviews: readonly SentenceReview[];
    if (open) {
      if (!this.ctx.editor.isTaggable(open)) return undefined;
      await this.ctx.annotations.load(open);
      text = open.getText();
      annotations = this.ctx.annotations.annotations(open);
      reviews = this.ctx.annotations.reviews(open);
    } else {
      const read = await readIfThere(uri);
      if (read === undefined || read.length > this.ctx.config.get('maxDocumentLength')) return undefined;
      text = read;
      ({ annotations, reviews } = await this.ctx.annotations.stored(uri, text));
    }
    const task = this.ctx.tasks.spanTask(
      open ?? uri,
      open ? undefined : [...new Set(annotations.map((a) => a.task))],
    );
    const own = annotations.filter((a) => a.task === task.id);
    const language = open ? this.ctx.tasks.languageOf(open) : (detectLanguage(text) ?? task.languages?.[0]);
    const sentences = documentSentences(text);
    const unreviewed = sentences.filter((s) => !isSentenceReviewed(reviews, s, task.id));
    const tagged =
      unreviewed.length > 0
        ? await this.ctx.tagging.suggestText(unreviewed, task, language, signal)
        : undefined;
    const score = uncertaintyScore(this.ctx.config.get('review.uncertainty'));
    const minConfidence = this.ctx.config.get('display.minConfidence');
    const indexedSentences: IndexedSentence[] = sentences.map((s) => {
      const reviewed = isSentenceReviewed(reviews, s, task.id);
      const result = tagged?.sentences.find((t) => t.start === s.start && t.end === s.end);
      const shown = result
        ? visibleSuggestions(result.entities, own).filter((e) => e.confidence >= minConfidence)
        : [];
      return {
        ...s,
        reviewed,
        score: result ? score(result) : 0,
        ...(result ? { certainty: sentenceCertainty(result) } : {}),
        suggestions: shown,
      };
    });
    return {
      uri,
      relative: vscode.workspace.asRelativePath(uri, false),
      task: task.id,
      language,
      model: tagged?.model.name,
      text,
      sentences: indexedSentences,
      annotations: own,
    };
  }

  /** Indexed documents, by path. */
  all(): IndexedDocument[] {
    return [...this.documents.values()].sort((a, b) => a.relative.localeCompare(b.relative));
  }

  get(uri: vscode.Uri): IndexedDocument | undefined {
    return this.documents.get(uri.toString());
  }

  /** Reviewed sentences of the scope (each document for its own task). */
  progress(): ReviewProgress {
    let reviewed = 0;
    let total = 0;
    for (const d of this.documents.values()) {
      total += d.sentences.length;
      reviewed += d.sentences.filter((s) => s.reviewed).length;
    }
    return { reviewed, total };
  }

  /**
   * Unreviewed sentences, the model's least certain first (ties in document order; repeats of a
   * sentence before it or of a reviewed one last), or in document order (`review.order`).
   */
  queue(): QueueItem[] {
    const documents = this.all();
    const items = documents.flatMap((document) =>
      document.sentences.filter((s) => !s.reviewed).map((sentence) => ({ document, sentence })),
    );
    if (this.ctx.config.get('review.order') === 'document') return items;
    const words = (sentence: IndexedSentence) => repeatKey(sentence.tokens.map((t) => t.value));
    return byUncertainty(items, (item) => item.sentence.score, {
      key: (item) => words(item.sentence),
      reviewed: documents.flatMap((d) => d.sentences.filter((s) => s.reviewed).map(words)),
    });
  }

  /** Every entity occurrence of a task: annotations (not rejections) and shown suggestions. */
  occurrences(task: string): Occurrence[] {
    const found: Occurrence[] = [];
    for (const document of this.all()) {
      if (document.task !== task) continue;
      for (const a of document.annotations) {
        if (a.label === REJECTED_LABEL) continue;
        found.push({
          document,
          start: a.start,
          end: a.end,
          label: a.label,
          text: a.text,
          source: a.origin === 'accepted' ? 'accepted' : 'annotated',
        });
      }
      for (const sentence of document.sentences) {
        for (const s of sentence.suggestions) {
          found.push({
            document,
            start: s.start,
            end: s.end,
            label: s.label,
            text: s.text,
            source: 'suggested',
            confidence: s.confidence,
          });
        }
      }
    }
    return found;
  }

  override dispose(): void {
    this.scanRun?.abort();
    for (const timer of this.pending.values()) clearTimeout(timer);
    super.dispose();
  }
}
